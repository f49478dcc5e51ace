//! The popups over the dashboard: help from the live keymap, the moderation dialogs and
//! confirms, an operation's result, the invite and join preview, the audit log; and popups in
//! terminals too small for them.

use std::collections::BTreeMap;

use ratatui::crossterm::event::KeyCode;
use wamod::app::msg::Msg;
use wamod::app::state::{Confirm, Pairing, Popup};
use wamod::app::update::update;
use wamod::domain::SessionId;
use wamod::ops::{Answer, OpId, OpReport, Outcome, TargetOutcome};

use crate::fixture::{NOW, fixture, gid};
use crate::pairing::QR;
use crate::{both, find, press, press_code, render, snapshot, snapshot_at};

#[test]
fn help_follows_the_live_keymap() {
    let mut s = fixture();
    s.popup = Some(Popup::Help { scroll: 0 });
    snapshot_at("help_120x40", &s, 120, 40);
    snapshot_at("help_80x24", &s, 80, 24);
    let mut o = BTreeMap::new();
    o.insert(
        "global".to_string(),
        BTreeMap::from([("help".to_string(), vec!["f1".to_string()])]),
    );
    assert!(s.keymap.apply_overrides(&o).is_empty());
    let t = render(&s, 120, 40);
    snapshot("help_with_override_120x40", t.backend());
    let buf = t.backend().buffer();
    assert!(find(buf, "F1").is_some());
    // The status bar is generated from the same keymap.
    s.popup = None;
    let t = render(&s, 120, 40);
    assert!(find(t.backend().buffer(), "F1 help").is_some());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut s = fixture();
    for popup in [
        None,
        Some(Popup::Help { scroll: 99 }),
        Some(Popup::Confirm(Confirm::Quit)),
        Some(Popup::Pairing {
            session: SessionId(1),
            state: Pairing::Qr {
                code: QR.into(),
                expires_at: NOW,
            },
        }),
    ] {
        s.popup = popup;
        for (w, h) in [(1, 1), (10, 4), (30, 8), (60, 12)] {
            let t = render(&s, w, h);
            assert_eq!(t.backend().buffer().area.width, w);
        }
    }
}

#[test]
fn moderation_dialogs() {
    // Add participants: a pasted list with one bad entry keeps the text and says which.
    let mut s = fixture();
    press(&mut s, "3a");
    update(
        &mut s,
        Msg::Paste("+1 555 000 5555\n+12\n15550006666@s.whatsapp.net".into()),
    );
    press_code(&mut s, KeyCode::Enter);
    assert!(
        matches!(&s.popup, Some(Popup::Input(d)) if d.error.as_deref().is_some_and(|e| e.contains("#2")))
    );
    both("dialog_add_participants", &s);

    // Subject, prefilled, with its counter.
    let mut s = fixture();
    press(&mut s, "2e");
    both("dialog_subject", &s);

    // Description: several lines.
    let mut s = fixture();
    press(&mut s, "2E");
    update(
        &mut s,
        Msg::Paste("Be kind.\nNo spam.\nAdmins: Dana, Sam".into()),
    );
    both("dialog_description", &s);

    // Join by link.
    let mut s = fixture();
    press(&mut s, "2J");
    update(
        &mut s,
        Msg::Paste("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv".into()),
    );
    both("dialog_join", &s);

    // Settings with one change pending.
    let mut s = fixture();
    press(&mut s, "2S");
    press_code(&mut s, KeyCode::Down);
    press(&mut s, " ");
    both("dialog_settings", &s);

    // Create form.
    let mut s = fixture();
    press(&mut s, "2C");
    update(&mut s, Msg::Paste("Launch crew".into()));
    press_code(&mut s, KeyCode::Tab);
    update(
        &mut s,
        Msg::Paste("+1 555 000 3333\n+1 555 000 4444".into()),
    );
    both("dialog_create", &s);

    // Remove three marked participants: the confirm names them.
    let mut s = fixture();
    press(&mut s, "3j j j x");
    assert!(matches!(s.popup, Some(Popup::Confirm(Confirm::Op { .. }))));
    both("confirm_remove", &s);
}

fn report() -> OpReport {
    let t = |phone: &str, outcome: Outcome| TargetOutcome {
        jid: format!("{}@s.whatsapp.net", phone.trim_start_matches('+')),
        phone: Some(phone.into()),
        outcome,
    };
    OpReport {
        id: OpId(7),
        session: SessionId(1),
        group: Some(gid(2)),
        group_subject: "Acme Customer Support".into(),
        action: "add",
        title: "Add 5 participants".into(),
        outcome: Outcome::Done,
        targets: vec![
            t("+15550005555", Outcome::Done),
            t(
                "+15550004444",
                Outcome::PrivacyBlocked {
                    invite_code: Some("Xy12".into()),
                },
            ),
            t("+15550003333", Outcome::AlreadyMember),
            t("+15550009999", Outcome::NotFound),
            t(
                "+15550008888",
                Outcome::Unknown {
                    why: "no answer from WhatsApp within 30s".into(),
                },
            ),
        ],
        answer: None,
        at: NOW,
    }
}

#[test]
fn results_invite_and_answers() {
    let mut s = fixture();
    s.popup = Some(Popup::Result {
        report: report(),
        scroll: 0,
    });
    both("result_view", &s);

    // `i` from a privacy refusal: the invite popup with its QR.
    press(&mut s, "i");
    assert!(matches!(s.popup, Some(Popup::Invite { link: None, .. })));
    let asked = OpId(s.next_op);
    update(
        &mut s,
        Msg::EngineBatch(vec![wamod::protocol::Update::OpDone(Box::new(OpReport {
            id: asked,
            action: "invite-link",
            title: "Get the invite link".into(),
            targets: Vec::new(),
            answer: Some(Answer::InviteLink(
                "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv".into(),
            )),
            ..report()
        }))]),
    );
    assert!(matches!(s.popup, Some(Popup::Invite { link: Some(_), .. })));
    both("invite_qr", &s);

    // Preview before joining.
    s.popup = Some(Popup::Preview {
        session: SessionId(1),
        preview: Answer::Preview {
            code: "AbCdEfGhIjKlMnOpQrStUv".into(),
            group: gid(9),
            subject: "Riverside Open Chat".into(),
            size: 1024,
            description: Some("Everyone in Riverside. Be kind.".into()),
            approval: true,
        },
    });
    both("join_preview", &s);

    // A stale description.
    s.popup = Some(Popup::DescriptionConflict {
        session: SessionId(1),
        group: gid(2),
        text: "mine".into(),
    });
    both("description_conflict", &s);

    // Pending work and a rate-limit pause show in the status bar.
    s.popup = None;
    press(&mut s, "4A");
    press(&mut s, "y");
    s.pace.insert(
        SessionId(1),
        wamod::domain::Pace {
            writes_paused_until: Some(NOW + 23),
            ..Default::default()
        },
    );
    s.status = None;
    snapshot_at("status_pending_paused_120x40", &s, 120, 40);

    // A bulk operation held by the hourly cap: the status bar says which cap and until when,
    // and its result view (`o`) which rows are answered and which wait.
    let (id, op) = s
        .ops
        .iter()
        .map(|(id, o)| (*id, o.op.clone()))
        .next()
        .expect("in flight");
    let first = op.targets()[0].clone();
    wamod::app::update::update(
        &mut s,
        wamod::app::msg::Msg::EngineBatch(vec![
            wamod::protocol::Update::OpProgress {
                id,
                done: 1,
                total: op.targets().len(),
                answered: vec![wamod::ops::TargetOutcome {
                    jid: first,
                    phone: None,
                    outcome: wamod::ops::Outcome::Done,
                }],
            },
            wamod::protocol::Update::Pace {
                session: SessionId(1),
                pace: wamod::domain::Pace {
                    queued: 2,
                    next_send: Some(NOW + 3_000),
                    cap_reached: Some("50 adds per hour".into()),
                    adds_hour: (50, 50),
                    ..Default::default()
                },
            },
        ]),
    );
    s.status = None;
    snapshot_at("status_pace_capped_120x40", &s, 120, 40);
    press(&mut s, "o");
    both("result_running", &s);
}

#[test]
fn audit_view() {
    let mut s = fixture();
    let row =
        |i: i64, subject: &str, action: &str, who: &str, outcome: &str, detail: Option<&str>| {
            wamod::protocol::AuditRow {
                op: i,
                session: 1,
                group: None,
                group_subject: subject.into(),
                action: action.into(),
                actor: Some("+15550001111".into()),
                sent_at: NOW - 60 * i,
                answered_at: Some(NOW - 60 * i + 1),
                target: None,
                target_phone: Some(who.into()),
                outcome: outcome.into(),
                detail: detail.map(str::to_string),
            }
        };
    s.popup = Some(Popup::Audit {
        filter: String::new(),
        rows: Some(vec![
            row(
                1,
                "Acme Customer Support",
                "approve",
                "+15550300001",
                "done",
                None,
            ),
            row(
                2,
                "Acme Customer Support",
                "add",
                "+15550004444",
                "privacy-blocked",
                Some("blocked by their privacy settings: send them the invite link"),
            ),
            row(
                3,
                "Staff Room",
                "remove",
                "+15550200388",
                "unknown",
                Some("unknown: no answer from WhatsApp within 30s"),
            ),
            row(
                4,
                "Marathon Training Club",
                "promote",
                "+15550003333",
                "done",
                None,
            ),
        ]),
        scroll: 0,
    });
    both("audit_view", &s);
}
