//! Reducer tests for the moderation keys: which dialog or confirm each opens, what it sends,
//! what it refuses to send and why, and how answers are shown.

use ratatui::crossterm::event::KeyCode;

use crate::app::test_support::*;
use crate::ops::{Answer, Op, OpId, OpReport, Outcome, Setting, TargetOutcome};

/// "Alpha" (admin, three members, two requests) selected; "Zulu" where we are a member.
fn fixture() -> AppState {
    let group = |n, subject: &str, role| GroupSummary {
        id: gid(n),
        subject: subject.into(),
        size: 3,
        my_role: Some(role),
        description: Some("old".into()),
        description_id: Some("D1".into()),
        settings: GroupSettings {
            approval: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = state_after([
        session_s1(),
        Update::Groups {
            session: S1,
            groups: vec![
                group(1, "Alpha", Role::Admin),
                group(2, "Zulu", Role::Member),
            ],
        },
        Update::Roster {
            session: S1,
            group: gid(1),
            participants: vec![
                person(1, Role::Admin),
                person(2, Role::Member),
                person(3, Role::Member),
            ],
        },
        Update::Requests {
            session: S1,
            group: gid(1),
            requests: (7..9)
                .map(|n| JoinRequest {
                    jid: format!("9{n:04}@lid"),
                    phone: Some(format!("+1555000{n:04}")),
                    requested_at: Some(1_799_999_000 + i64::from(n)),
                    ..Default::default()
                })
                .collect(),
        },
    ]);
    assert_eq!(s.current_group, Some(gid(1)));
    s
}

/// The one `Run` among `effects`.
fn sent(effects: &[Effect]) -> (OpId, Op) {
    let runs: Vec<(OpId, Op)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Action::Run { id, op, .. }) => Some((*id, op.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 1, "{effects:?}");
    runs[0].clone()
}

fn no_run(effects: &[Effect]) {
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Send(Action::Run { .. }))),
        "{effects:?}"
    );
}

fn report(id: OpId, action: &'static str, targets: Vec<(&str, Outcome)>) -> OpReport {
    OpReport {
        id,
        session: S1,
        group: Some(gid(1)),
        group_subject: "Alpha".into(),
        action,
        title: "Test".into(),
        outcome: Outcome::Done,
        targets: targets
            .into_iter()
            .map(|(jid, outcome)| TargetOutcome {
                jid: jid.into(),
                phone: None,
                outcome,
            })
            .collect(),
        answer: None,
        at: 1_800_000_000,
    }
}

#[test]
fn promote_and_demote_act_on_marks_else_the_cursor() {
    let mut s = fixture();
    press(&mut s, "3");
    // Admins sort first: the cursor is on person 1; mark 2 and 3.
    press(&mut s, "j  ");
    let (_, op) = sent(&press(&mut s, "+"));
    assert_eq!(
        op,
        Op::Promote(vec!["90002@lid".into(), "90003@lid".into()])
    );
    assert!(s.list(Pane::Roster).marked.is_empty(), "marks used up");
    assert_eq!(s.ops.len(), 1, "pending until answered");
    press(&mut s, "g");
    let (_, op) = sent(&press(&mut s, "-"));
    assert_eq!(op, Op::Demote(vec!["90001@lid".into()]));
}

#[test]
fn remove_and_reject_ask_first() {
    let mut s = fixture();
    press(&mut s, "3j");
    no_run(&press(&mut s, "x"));
    match &s.popup {
        Some(Popup::Confirm(Confirm::Op { op, names, .. })) => {
            assert_eq!(op, &Op::Remove(vec!["90002@lid".into()]));
            assert_eq!(names, &vec!["+15550000002".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    no_run(&press(&mut s, "n"));
    assert!(s.popup.is_none() && s.ops.is_empty());
    press(&mut s, "x");
    no_run(&update(&mut s, code(KeyCode::Esc)));
    assert!(s.popup.is_none(), "Esc cancels too");
    let (_, op) = sent(&press(&mut s, "xy"));
    assert!(matches!(op, Op::Remove(_)));

    press(&mut s, "4");
    no_run(&press(&mut s, "x"));
    assert!(matches!(
        &s.popup,
        Some(Popup::Confirm(Confirm::Op {
            op: Op::Reject(_),
            ..
        }))
    ));
    let (_, op) = sent(&press(&mut s, "y"));
    assert_eq!(op, Op::Reject(vec!["90007@lid".into()]));
}

#[test]
fn approve_one_and_approve_all_after_a_confirm() {
    let mut s = fixture();
    press(&mut s, "4");
    let (_, op) = sent(&press(&mut s, "a"));
    assert_eq!(op, Op::Approve(vec!["90007@lid".into()]));
    no_run(&press(&mut s, "A"));
    let Some(Popup::Confirm(c)) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    let q = crate::app::state::question(
        &s,
        match c {
            Confirm::Op { op, .. } => op,
            _ => panic!(),
        },
        Some(&gid(1)),
        &["a".into(), "b".into()],
    );
    assert_eq!(q, "Approve all 2 pending requests in Alpha?");
    let (_, op) = sent(&press(&mut s, "y"));
    assert_eq!(
        op,
        Op::Approve(vec!["90007@lid".into(), "90008@lid".into()])
    );
}

/// Key repeat on `a`: one approval per row, the cursor moving on; a row whose decision is on
/// its way is not sent twice, and a refused one can be decided again.
#[test]
fn a_repeated_key_decides_each_request_once() {
    let mut s = fixture();
    press(&mut s, "4");
    let mut runs = Vec::new();
    for _ in 0..40 {
        let effects = update(&mut s, key('a'));
        runs.extend(effects.into_iter().filter_map(|e| match e {
            Effect::Send(Action::Run { id, op, .. }) => Some((id, op)),
            _ => None,
        }));
    }
    let ops: Vec<&Op> = runs.iter().map(|(_, op)| op).collect();
    assert_eq!(
        ops,
        [
            &Op::Approve(vec!["90007@lid".into()]),
            &Op::Approve(vec!["90008@lid".into()])
        ]
    );
    assert_eq!(
        s.status.as_ref().map(|l| l.text.as_str()),
        Some("Already sent: waiting for WhatsApp's answer")
    );
    assert_eq!(s.deciding(S1, &gid(1)).len(), 2);
    // The first is approved and leaves the list above the cursor: the cursor stays on its
    // row, so no one is skipped.
    let cursor_row = |s: &AppState| {
        s.visible_requests()[s.list(Pane::Requests).cursor]
            .jid
            .clone()
    };
    let before = cursor_row(&s);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::RequestsChanged {
            session: S1,
            group: gid(1),
            added: vec![],
            removed: vec!["90007@lid".into()],
        }]),
    );
    assert_eq!(cursor_row(&s), before);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::RequestsChanged {
            session: S1,
            group: gid(1),
            added: vec![JoinRequest {
                jid: "90007@lid".into(),
                requested_at: Some(1),
                ..Default::default()
            }],
            removed: vec![],
        }]),
    );
    assert_eq!(
        cursor_row(&s),
        before,
        "a row arriving above keeps the cursor on its row"
    );
    // WhatsApp refuses the first: its row can be decided again.
    let refused = report(runs[0].0, "approve", vec![("90007@lid", Outcome::NotFound)]);
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(refused))]),
    );
    s.popup = None;
    press(&mut s, "g");
    let (_, op) = sent(&press(&mut s, "a"));
    assert_eq!(op, Op::Approve(vec!["90007@lid".into()]));
}

#[test]
fn admin_actions_are_explained_not_sent_when_not_admin() {
    let mut s = fixture();
    press(&mut s, "j");
    assert_eq!(s.current_group, Some(gid(2)));
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Roster {
            session: S1,
            group: gid(2),
            participants: vec![person(4, Role::Member)],
        }]),
    );
    for (pane, keys) in [('2', "SiRD"), ('3', "x+-"), ('4', "axA")] {
        press(&mut s, &pane.to_string());
        for k in keys.chars() {
            no_run(&update(&mut s, key(k)));
            assert!(s.popup.is_none(), "{k}: {:?}", s.popup);
            let text = s
                .status
                .as_ref()
                .map(|l| l.text.clone())
                .unwrap_or_default();
            assert!(text.contains("not an admin of Zulu"), "{k}: {text}");
        }
    }
    // Leaving and adding (when the group allows members to add) are open to members.
    press(&mut s, "2l");
    assert!(matches!(s.popup, Some(Popup::Confirm(_))));
}

#[test]
fn add_dialog_validates_every_entry_and_keeps_the_text() {
    let mut s = fixture();
    press(&mut s, "3a");
    update(&mut s, Msg::Paste("+1 555 000 9999\nnot-a-number".into()));
    no_run(&update(&mut s, code(KeyCode::Enter)));
    let Some(Popup::Input(d)) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    assert!(
        d.error
            .as_deref()
            .is_some_and(|e| e.contains("#2 \"not-a-number\"")),
        "{:?}",
        d.error
    );
    assert_eq!(d.editor.text(), "+1 555 000 9999\nnot-a-number");
    // Fix it: remove the bad line.
    for _ in 0.."not-a-number".len() + 1 {
        update(&mut s, code(KeyCode::Backspace));
    }
    let (_, op) = sent(&update(&mut s, code(KeyCode::Enter)));
    assert_eq!(op, Op::Add(vec!["15550009999@s.whatsapp.net".into()]));
    assert!(s.popup.is_none());
}

#[test]
fn subject_limits_and_empty_subject() {
    let mut s = fixture();
    press(&mut s, "e");
    for _ in 0..5 {
        update(&mut s, code(KeyCode::Backspace));
    }
    no_run(&update(&mut s, code(KeyCode::Enter)));
    assert!(
        matches!(&s.popup, Some(Popup::Input(d)) if d.error.as_deref() == Some("The subject cannot be empty"))
    );
    // Over-long paste is cut at 100 with a message; nothing is lost silently.
    update(&mut s, Msg::Paste("x".repeat(130)));
    let Some(Popup::Input(d)) = &s.popup else {
        panic!()
    };
    assert_eq!(d.editor.chars(), 100);
    assert!(
        d.error
            .as_deref()
            .is_some_and(|e| e.contains("at most 100"))
    );
    no_run(&update(&mut s, key('y')));
    let (_, op) = sent(&update(&mut s, code(KeyCode::Enter)));
    assert_eq!(op, Op::SetSubject("x".repeat(100)));
}

#[test]
fn description_is_multiline_saved_with_ctrl_s_and_names_its_version() {
    let mut s = fixture();
    press(&mut s, "E");
    press(&mut s, " one");
    no_run(&update(&mut s, code(KeyCode::Enter)));
    press(&mut s, "two");
    let (id, op) = sent(&update(&mut s, ctrl('s')));
    assert_eq!(
        op,
        Op::SetDescription {
            text: "old one\ntwo".into(),
            prev: Some("D1".into())
        }
    );
    // A conflict offers to reload and retry; the reload refreshes the version token.
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(OpReport {
            outcome: Outcome::Conflict,
            ..report(id, "description", vec![])
        }))]),
    );
    assert!(matches!(s.popup, Some(Popup::DescriptionConflict { .. })));
    let e = press(&mut s, "r");
    assert_eq!(
        e,
        vec![Effect::Send(Action::Reread {
            session: S1,
            group: gid(1)
        })]
    );
    let mut newer = s.current_group_summary().cloned().expect("group");
    newer.description_id = Some("D2".into());
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Group {
            session: S1,
            group: newer,
        }]),
    );
    let (_, op) = sent(&update(&mut s, ctrl('s')));
    assert_eq!(
        op,
        Op::SetDescription {
            text: "old one\ntwo".into(),
            prev: Some("D2".into())
        }
    );
}

#[test]
fn settings_send_only_what_changed() {
    let mut s = fixture();
    press(&mut s, "S");
    no_run(&update(&mut s, code(KeyCode::Enter)));
    assert!(
        s.status
            .as_ref()
            .is_some_and(|l| l.text.contains("unchanged"))
    );
    press(&mut s, "S");
    press(&mut s, " "); // send messages: admins only
    press(&mut s, "jjjj");
    update(&mut s, code(KeyCode::Left)); // disappearing: off -> 90 days
    let e = update(&mut s, code(KeyCode::Enter));
    let ops: Vec<Op> = e
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Action::Run { op, .. }) => Some(op.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            Op::Setting(Setting::AdminsOnlySend(true)),
            Op::Setting(Setting::Disappearing(90 * 86_400))
        ]
    );
}

#[test]
fn invite_link_copy_and_revoke() {
    let mut s = fixture();
    let (id, op) = sent(&press(&mut s, "i"));
    assert_eq!(op, Op::InviteLink);
    assert!(matches!(s.popup, Some(Popup::Invite { link: None, .. })));
    let link = "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv";
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(OpReport {
            answer: Some(Answer::InviteLink(link.into())),
            ..report(id, "invite-link", vec![])
        }))]),
    );
    assert!(matches!(&s.popup, Some(Popup::Invite { link: Some(l), .. }) if l == link));
    assert_eq!(press(&mut s, "c"), vec![Effect::Copy(link.into())]);
    no_run(&press(&mut s, "R"));
    assert!(matches!(
        &s.popup,
        Some(Popup::Confirm(Confirm::Op {
            op: Op::RevokeInvite,
            ..
        }))
    ));
    let (_, op) = sent(&press(&mut s, "y"));
    assert_eq!(op, Op::RevokeInvite);
    assert!(
        matches!(s.popup, Some(Popup::Invite { link: None, .. })),
        "waits for the new link"
    );
    // A second `i` reuses a known link without asking WhatsApp.
    update(&mut s, code(KeyCode::Esc));
    s.invite_links.insert((S1, gid(1)), link.into());
    no_run(&press(&mut s, "i"));
}

#[test]
fn join_by_link_previews_first() {
    let mut s = fixture();
    press(&mut s, "J");
    update(&mut s, Msg::Paste("https://example.com/x".into()));
    no_run(&update(&mut s, code(KeyCode::Enter)));
    assert!(matches!(&s.popup, Some(Popup::Input(d)) if d.error.is_some()));
    update(&mut s, code(KeyCode::Esc));
    press(&mut s, "J");
    update(
        &mut s,
        Msg::Paste("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv".into()),
    );
    let (id, op) = sent(&update(&mut s, code(KeyCode::Enter)));
    assert_eq!(op, Op::PreviewInvite("AbCdEfGhIjKlMnOpQrStUv".into()));
    let preview = Answer::Preview {
        code: "AbCdEfGhIjKlMnOpQrStUv".into(),
        group: gid(9),
        subject: "Nine".into(),
        size: 9,
        description: None,
        approval: false,
    };
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(OpReport {
            group: None,
            answer: Some(preview),
            ..report(id, "preview-invite", vec![])
        }))]),
    );
    assert!(matches!(s.popup, Some(Popup::Preview { .. })));
    let (_, op) = sent(&press(&mut s, "y"));
    assert_eq!(op, Op::Join("AbCdEfGhIjKlMnOpQrStUv".into()));
}

#[test]
fn create_form_checks_the_subject_and_numbers() {
    let mut s = fixture();
    press(&mut s, "C");
    no_run(&update(&mut s, ctrl('s')));
    assert!(matches!(&s.popup, Some(Popup::Create(c)) if c.error.is_some() && c.field == 0));
    press(&mut s, "Crew");
    update(&mut s, code(KeyCode::Tab));
    update(
        &mut s,
        Msg::Paste("+1 555 000 3333\n+1 555 000 4444".into()),
    );
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Tab));
    press(&mut s, " ");
    let (_, op) = sent(&update(&mut s, ctrl('s')));
    let Op::Create(g) = op else { panic!("{op:?}") };
    assert_eq!(g.subject, "Crew");
    assert_eq!(
        g.participants,
        vec!["15550003333@s.whatsapp.net", "15550004444@s.whatsapp.net"]
    );
    assert!(g.approval && !g.admins_only_send);
}

#[test]
fn leave_and_picture_removal_ask_first() {
    let mut s = fixture();
    no_run(&press(&mut s, "l"));
    assert!(matches!(
        &s.popup,
        Some(Popup::Confirm(Confirm::Op { op: Op::Leave, .. }))
    ));
    assert_eq!(sent(&press(&mut s, "y")).1, Op::Leave);
    no_run(&press(&mut s, "D"));
    assert_eq!(sent(&press(&mut s, "y")).1, Op::RemovePicture);
    press(&mut s, "p");
    update(&mut s, Msg::Paste("/tmp/pic.jpg".into()));
    assert_eq!(
        sent(&update(&mut s, code(KeyCode::Enter))).1,
        Op::SetPicture("/tmp/pic.jpg".into())
    );
}

#[test]
fn answers_show_as_a_result_view_or_a_status_line() {
    let mut s = fixture();
    press(&mut s, "3");
    let (id, _) = sent(&press(&mut s, "+"));
    // One participant, done: a status line, no popup; `o` opens it anyway.
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(report(
            id,
            "promote",
            vec![("90001@lid", Outcome::Done)],
        )))]),
    );
    assert!(s.popup.is_none() && s.ops.is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|l| l.text.ends_with("hidden number …0001: done")),
        "{:?}",
        s.status
    );
    press(&mut s, "o");
    assert!(matches!(s.popup, Some(Popup::Result { .. })));
    update(&mut s, code(KeyCode::Esc));
    // A refusal or several participants: the result view.
    let (id, _) = sent(&press(&mut s, "+"));
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpDone(Box::new(report(
            id,
            "promote",
            vec![(
                "90001@lid",
                Outcome::Unknown {
                    why: "timeout".into(),
                },
            )],
        )))]),
    );
    let Some(Popup::Result { report: r, .. }) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(r.summary(), "1 unknown");
}

#[test]
fn progress_pause_and_quit_with_work_in_flight() {
    let mut s = fixture();
    press(&mut s, "4");
    let (id, op) = sent(&press(&mut s, "Ay"));
    assert_eq!(s.ops[&id].progress, Some((0, 2)));
    let first = op.targets()[0].clone();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::OpProgress {
            id,
            done: 1,
            total: 2,
            answered: vec![TargetOutcome {
                jid: first.clone(),
                phone: None,
                outcome: Outcome::Done,
            }],
        }]),
    );
    assert_eq!(crate::app::state::activity(&s).as_deref(), Some("⟳ 1/2"));
    // The result view while it runs: who is answered, who waits for the pace, until when.
    let pace = crate::domain::Pace {
        next_send: Some(1_800_000_000 + 3_600),
        cap_reached: Some("50 adds per hour".into()),
        adds_hour: (50, 50),
        ..Default::default()
    };
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Pace {
            session: S1,
            pace: pace.clone(),
        }]),
    );
    assert_eq!(
        crate::app::state::activity(&s).as_deref(),
        Some("⏳ 50 adds per hour: next at 09:00 adds 50/50 h Ctrl-x cancels ⟳ 1/2")
    );
    press(&mut s, "o");
    let Some(Popup::Result { report, .. }) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(report.summary(), "1 done, 1 waiting for the pace");
    assert_eq!(report.targets[0].jid, first);
    assert_eq!(
        report.targets[1].outcome.words(),
        "not sent yet: waiting for the pace (50 adds per hour), next at 09:00"
    );
    s.popup = None;
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Pace {
            session: S1,
            pace: crate::domain::Pace {
                writes_paused_until: Some(1_800_000_030),
                ..Default::default()
            },
        }]),
    );
    assert_eq!(
        crate::app::state::activity(&s).as_deref(),
        Some("⏸ rate limited 30s ⟳ 1/2")
    );
    update(&mut s, Msg::Tick(1_800_000_031));
    assert_eq!(
        crate::app::state::activity(&s).as_deref(),
        Some("⟳ 1/2"),
        "the pause ends by itself"
    );
    // `q` asks while an operation waits for its answer.
    assert!(press(&mut s, "q").is_empty());
    assert!(matches!(s.popup, Some(Popup::Confirm(Confirm::Quit))));
    assert_eq!(press(&mut s, "y"), vec![Effect::Quit]);
}

#[test]
fn palette_opens_the_audit_view_and_exports() {
    use crate::protocol::{Filter, Format, Table};
    let mut s = fixture();
    press(&mut s, ":");
    press(&mut s, "audit alpha");
    let e = update(&mut s, code(KeyCode::Enter));
    assert_eq!(e, vec![Effect::Send(Action::LoadAudit)]);
    assert!(matches!(&s.popup, Some(Popup::Audit { filter, rows: None, .. }) if filter == "alpha"));
    let row = |subject: &str, outcome: &str| crate::protocol::AuditRow {
        op: 1,
        session: 1,
        group: None,
        group_subject: subject.into(),
        action: "remove".into(),
        actor: None,
        sent_at: 1,
        answered_at: Some(2),
        target: None,
        target_phone: Some("+1555".into()),
        outcome: outcome.into(),
        detail: None,
    };
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Audit(vec![
            row("Alpha", "done"),
            row("Zulu", "done"),
        ])]),
    );
    let Some(Popup::Audit {
        rows: Some(rows),
        filter,
        ..
    }) = &s.popup
    else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(crate::app::state::audit_rows(rows, filter).len(), 1);
    // `unanswered` lists the operations sent with no answer recorded.
    let unanswered = crate::protocol::AuditRow {
        answered_at: None,
        outcome: "sent".into(),
        ..row("Beta", "sent")
    };
    let rows = [row("Alpha", "done"), unanswered.clone()];
    let only = crate::app::state::audit_rows(&rows, "unanswered");
    assert_eq!(only, [&unanswered]);
    update(&mut s, code(KeyCode::Esc));

    // Export: the roster defaults to the selected group.
    press(&mut s, ":");
    press(&mut s, "export roster json");
    assert_eq!(
        update(&mut s, code(KeyCode::Enter)),
        vec![Effect::Send(Action::Export {
            table: Table::Roster,
            format: Format::Json,
            filter: Filter {
                session: None,
                group: Some(gid(1).to_string())
            }
        })]
    );
    // A typo is explained and kept.
    press(&mut s, ":");
    press(&mut s, "exprt");
    no_run(&update(&mut s, code(KeyCode::Enter)));
    assert!(
        matches!(&s.popup, Some(Popup::Input(d)) if d.error.as_deref().is_some_and(|e| e.contains("unknown command")))
    );
}

#[test]
fn history_pages_back_and_toggles_to_live() {
    let mut s = fixture();
    let ev = |at: i64| GroupEvent {
        at,
        session: S1,
        group: gid(1),
        group_subject: "Alpha".into(),
        actor: None,
        kind: GroupEventKind::Left {
            who: vec![format!("+1{at}")],
        },
        found_on_reconnect: false,
    };
    update(&mut s, Msg::EngineBatch(vec![Update::Event(ev(1))]));
    press(&mut s, "5");
    assert_eq!(
        press(&mut s, "H"),
        vec![Effect::Send(Action::LoadHistory {
            group: Some(gid(1)),
            before: None
        })]
    );
    assert!(
        s.visible_events().is_empty(),
        "history replaces the live feed"
    );
    let page: Vec<(i64, GroupEvent)> = (0..crate::protocol::HISTORY_PAGE as i64)
        .map(|i| (10_000 - i, ev(10_000 - i)))
        .collect();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::History {
            group: Some(gid(1)),
            rows: page,
        }]),
    );
    assert_eq!(s.visible_events().len(), 500);
    // A live event does not move the history cursor.
    press(&mut s, "jj");
    update(&mut s, Msg::EngineBatch(vec![Update::Event(ev(2))]));
    assert_eq!(s.list(Pane::Events).cursor, 2);
    // Near the end, the next page (older than the last id) is asked for, once.
    let e = press(&mut s, "G");
    assert_eq!(
        e,
        vec![Effect::Send(Action::LoadHistory {
            group: Some(gid(1)),
            before: Some(10_000 - 499)
        })]
    );
    assert!(press(&mut s, "k").is_empty(), "already loading");
    // The filter narrows history by person or kind.
    press(&mut s, "/");
    press(&mut s, "19999");
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.visible_events().len(), 1);
    update(&mut s, code(KeyCode::Esc));
    // `H` again: back to live.
    press(&mut s, "H");
    assert!(s.history.is_none());
    assert_eq!(s.visible_events().len(), 2);
}

#[test]
fn another_groups_roster_or_requests_leave_the_marks_alone() {
    let mut s = fixture();
    press(&mut s, "3  "); // marks the first two rows
    assert_eq!(s.list(Pane::Roster).marked.len(), 2);
    for u in [
        Update::Roster {
            session: S1,
            group: gid(2),
            participants: vec![person(5, Role::Member)],
        },
        Update::Requests {
            session: S1,
            group: gid(2),
            requests: Vec::new(),
        },
    ] {
        update(&mut s, Msg::EngineBatch(vec![u]));
    }
    assert_eq!(s.list(Pane::Roster).marked.len(), 2, "Zulu's update");
    // The shown roster losing a marked person unmarks them.
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Roster {
            session: S1,
            group: gid(1),
            participants: vec![person(1, Role::Admin), person(3, Role::Member)],
        }]),
    );
    assert_eq!(s.list(Pane::Roster).marked.len(), 1);
}

#[test]
fn live_roster_and_request_changes_apply_as_deltas() {
    let mut s = fixture();
    press(&mut s, "3  "); // marks the first two roster rows (person 1, person 2)
    let removed = person(2, Role::Member).jid;
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::RosterChanged {
            session: S1,
            group: gid(1),
            upsert: vec![person(3, Role::Admin), person(4, Role::Member)],
            removed: vec![removed.clone()],
        }]),
    );
    let roster = &s.rosters[&(S1, gid(1))];
    assert_eq!(roster.len(), 3, "one left, one joined");
    assert!(
        roster
            .iter()
            .any(|p| p.jid == person(3, Role::Admin).jid && p.role == Role::Admin)
    );
    assert!(
        !s.list(Pane::Roster).marked.contains(&removed),
        "the leaver is unmarked"
    );
    assert_eq!(s.list(Pane::Roster).marked.len(), 1);
    let before = s.requests[&(S1, gid(1))].len();
    let gone = s.requests[&(S1, gid(1))][0].jid.clone();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::RequestsChanged {
            session: S1,
            group: gid(1),
            added: vec![JoinRequest {
                jid: "77@lid".into(),
                ..Default::default()
            }],
            removed: vec![gone],
        }]),
    );
    assert_eq!(s.requests[&(S1, gid(1))].len(), before);
    assert!(s.requests[&(S1, gid(1))].iter().any(|r| r.jid == "77@lid"));
}

/// `r` re-reads the selected group of a connected session; re-reading every group asks first;
/// `Ctrl-x` cancels what the sessions with work in flight have not sent.
#[test]
fn r_rereads_the_group_and_every_group_only_after_asking() {
    let mut s = fixture();
    update(
        &mut s,
        Msg::EngineBatch(vec![Update::Conn {
            session: S1,
            state: crate::domain::ConnState::Connected,
        }]),
    );
    assert_eq!(s.current_group, Some(gid(1)));
    assert_eq!(
        press(&mut s, "r"),
        vec![Effect::Send(Action::Reread {
            session: S1,
            group: gid(1)
        })]
    );
    assert!(update(&mut s, ctrl('r')).is_empty());
    assert!(matches!(
        s.popup,
        Some(Popup::Confirm(Confirm::RereadAll(S1)))
    ));
    assert_eq!(press(&mut s, "y"), vec![Effect::Send(Action::Refresh(S1))]);

    assert!(update(&mut s, ctrl('x')).is_empty(), "nothing in flight");
    press(&mut s, "4");
    sent(&press(&mut s, "Ay"));
    assert_eq!(
        update(&mut s, ctrl('x')),
        vec![Effect::Send(Action::CancelUnsent(S1))]
    );
}
