//! Moderation end to end: keys through the reducer, the engine and the real whatsapp-rust client
//! to the simulator; the simulator's resulting state, the outcome the UI shows, and the audit log.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wamod::app::msg::{Effect, Msg};
use wamod::app::state::{AppState, Confirm, InputKind, Popup};
use wamod::app::update::update;
use wamod::domain::{Role, SessionId};
use wamod::ops::{Answer, Op, OpId, OpReport, Outcome};
use wamod::protocol::{Action, Update};
use wamod::sim::FaultAction;
use wamod::sim::Simulator;
use wamod::sim::scenario::Activity;
use wamod::store::Store;

use super::support::fixture::{
    CLUB, DANA, NEWBIE, OTHER, PRIV, QUINN, RILEY, SAM, TEAM, simulator_in,
};
use super::{TestEngine, engine_with, gid, pair, until, wait};
use wamod::sim::shapes::Shapes;

/// Feeds a key to the reducer and forwards what it sends to the engine.
fn key_event(h: &TestEngine, state: &mut AppState, ev: KeyEvent) {
    for effect in update(state, Msg::Key(ev)) {
        if let Effect::Send(a) = effect {
            h.actions.send(a).expect("engine");
        }
    }
}

fn code(h: &TestEngine, state: &mut AppState, code: KeyCode) {
    key_event(h, state, KeyEvent::new(code, KeyModifiers::NONE));
}

/// Types `text`, one key per character.
fn keys(h: &TestEngine, state: &mut AppState, text: &str) {
    for c in text.chars() {
        code(h, state, KeyCode::Char(c));
    }
}

fn ctrl(h: &TestEngine, state: &mut AppState, c: char) {
    key_event(
        h,
        state,
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
    );
}

/// Selects the group whose subject contains `name` (groups filter), then focuses `pane`.
fn select(h: &TestEngine, state: &mut AppState, name: &str, pane: char) {
    if state.popup.is_some() {
        code(h, state, KeyCode::Esc);
    }
    keys(h, state, "2");
    code(h, state, KeyCode::Esc);
    keys(h, state, "/");
    keys(h, state, name);
    code(h, state, KeyCode::Enter);
    keys(h, state, &pane.to_string());
}

/// Puts the roster or requests cursor on `phone` (via the pane's filter).
fn pick(h: &TestEngine, state: &mut AppState, phone: &str) {
    code(h, state, KeyCode::Esc);
    keys(h, state, "/");
    keys(h, state, phone);
    code(h, state, KeyCode::Enter);
}

async fn report(h: &mut TestEngine, state: &mut AppState, what: &str) -> OpReport {
    wait(h, state, what, |u, _| match u {
        Update::OpDone(r) => Some((**r).clone()),
        _ => None,
    })
    .await
}

fn outcome_of<'a>(r: &'a OpReport, phone: &str) -> &'a Outcome {
    let plus = format!("+{phone}");
    &r.targets
        .iter()
        .find(|t| t.jid.starts_with(phone) || t.phone.as_deref() == Some(plus.as_str()))
        .unwrap_or_else(|| panic!("{phone} in {r:?}"))
        .outcome
}

fn member_role(sim: &Simulator, group: &str, phone: &str) -> Option<wamod::sim::world::Role> {
    sim.world(|w| w.groups.get(group).and_then(|g| g.role_of(phone)))
}

async fn setup(
    sim: &Simulator,
    dir: &std::path::Path,
    timeout: Duration,
) -> (TestEngine, AppState, SessionId) {
    let (mut h, mut state) = engine_with(sim, dir, timeout);
    let s = pair(&mut h, &mut state, sim, DANA).await;
    wait(&mut h, &mut state, "club requests", |u, _| match u {
        Update::Requests { group, .. } if *group == gid(CLUB) => Some(()),
        _ => None,
    })
    .await;
    (h, state, s)
}

in_every_shape!(participants_and_join_requests_by_keyboard_with_per_participant_outcomes);
async fn participants_and_join_requests_by_keyboard_with_per_participant_outcomes(shapes: Shapes) {
    let sim = simulator_in(shapes);
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state, s) = setup(&sim, tmp.path(), Duration::from_secs(20)).await;

    // Someone WhatsApp will not let be added without a chat first (463, no privacy token).
    let cold = "15550008888";
    sim.act(|w| {
        w.add_account(wamod::sim::world::Account {
            phone: cold.into(),
            lid: "88888".into(),
            name: "Cold Contact".into(),
            blocks_direct_adds: false,
            add_refusal: Some(463),
        });
        Ok(((), Vec::new()))
    })
    .expect("account");

    // Add four: one joins, one is blocked by privacy (with an invite code), one is a member,
    // one is refused for want of a privacy token.
    select(&h, &mut state, "Team", '3');
    keys(&h, &mut state, "a");
    assert!(matches!(state.popup, Some(Popup::Input(_))));
    keys(
        &h,
        &mut state,
        &format!("+{NEWBIE}, +{PRIV}, +{RILEY}, +{cold}"),
    );
    code(&h, &mut state, KeyCode::Enter);
    assert_eq!(state.ops.len(), 1, "pending until WhatsApp answers");
    let r = report(&mut h, &mut state, "add").await;
    assert_eq!(outcome_of(&r, NEWBIE), &Outcome::Done);
    assert!(matches!(
        outcome_of(&r, PRIV),
        Outcome::PrivacyBlocked {
            invite_code: Some(_)
        }
    ));
    assert_eq!(outcome_of(&r, RILEY), &Outcome::AlreadyMember);
    assert_eq!(
        outcome_of(&r, cold).words(),
        "refused: WhatsApp wants a chat with them first (no privacy token) (463)"
    );
    assert_eq!(
        member_role(&sim, TEAM, NEWBIE),
        Some(wamod::sim::world::Role::Member)
    );
    assert_eq!(member_role(&sim, TEAM, PRIV), None);
    assert!(state.ops.is_empty());
    let Some(Popup::Result { report: shown, .. }) = &state.popup else {
        panic!("result view: {:?}", state.popup);
    };
    assert_eq!(shown.id, r.id);
    // The privacy refusal offers the group's invite link.
    keys(&h, &mut state, "i");
    let r = report(&mut h, &mut state, "invite link").await;
    let Some(Answer::InviteLink(link)) = &r.answer else {
        panic!("link: {r:?}");
    };
    assert!(link.ends_with("TeamInviteCode00000001"), "{link}");
    match &state.popup {
        Some(Popup::Invite {
            link: Some(l),
            note: Some(n),
            ..
        }) => {
            assert_eq!(l, link);
            assert!(n.contains(&format!("+{PRIV}")), "{n}");
        }
        other => panic!("invite popup: {other:?}"),
    }
    code(&h, &mut state, KeyCode::Esc);

    // Promote then demote the newcomer; the roster follows the notifications.
    until(&mut h, &mut state, "newbie in the roster", |st| {
        st.visible_roster()
            .iter()
            .any(|p| p.phone.as_deref() == Some(&format!("+{NEWBIE}")))
    })
    .await;
    pick(&h, &mut state, NEWBIE);
    keys(&h, &mut state, "+");
    let r = report(&mut h, &mut state, "promote").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(
        member_role(&sim, TEAM, NEWBIE),
        Some(wamod::sim::world::Role::Admin)
    );
    until(&mut h, &mut state, "admin badge", |st| {
        st.visible_roster()
            .first()
            .is_some_and(|p| p.role == Role::Admin)
    })
    .await;
    keys(&h, &mut state, "-");
    let r = report(&mut h, &mut state, "demote").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(
        member_role(&sim, TEAM, NEWBIE),
        Some(wamod::sim::world::Role::Member)
    );

    // Remove asks first; `n` sends nothing, `y` removes.
    keys(&h, &mut state, "x");
    assert!(matches!(
        state.popup,
        Some(Popup::Confirm(Confirm::Op { .. }))
    ));
    keys(&h, &mut state, "n");
    assert!(state.ops.is_empty() && state.popup.is_none());
    keys(&h, &mut state, "xy");
    let r = report(&mut h, &mut state, "remove").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(member_role(&sim, TEAM, NEWBIE), None);

    // Not an admin of Sam's group: explained, not sent.
    select(&h, &mut state, "Sam", '3');
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "x");
    assert!(state.popup.is_none() && state.ops.is_empty());
    let msg = state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(msg.contains("not an admin"), "{msg}");
    assert_eq!(
        member_role(&sim, OTHER, DANA),
        Some(wamod::sim::world::Role::Member)
    );

    // Sent anyway (say our role changed meanwhile): WhatsApp's refusal is what shows.
    h.actions
        .send(Action::Run {
            id: OpId(900),
            session: s,
            group: Some(gid(OTHER)),
            op: Op::Remove(vec![format!("{SAM}@s.whatsapp.net")]),
        })
        .expect("engine");
    let r = report(&mut h, &mut state, "refused remove").await;
    assert_eq!(outcome_of(&r, SAM), &Outcome::NotAuthorized);
    assert!(sim.world(|w| w.groups[OTHER].member(SAM).is_some()));

    // Adding to a full group: refused per participant.
    select(&h, &mut state, "Full", '3');
    keys(&h, &mut state, "a");
    keys(&h, &mut state, &format!("+{NEWBIE}"));
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "add to full").await;
    assert_eq!(outcome_of(&r, NEWBIE), &Outcome::GroupFull);

    // Join requests: approve Quinn's; the pane empties live.
    select(&h, &mut state, "Club", '4');
    assert_eq!(state.visible_requests().len(), 1);
    keys(&h, &mut state, "a");
    let r = report(&mut h, &mut state, "approve").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(
        member_role(&sim, CLUB, QUINN),
        Some(wamod::sim::world::Role::Member)
    );
    until(&mut h, &mut state, "request gone", |st| {
        st.visible_requests().is_empty()
    })
    .await;

    // A request arrives live and is rejected after the confirm.
    sim.apply(&Activity::RequestJoin {
        phone: NEWBIE.into(),
        group: CLUB.into(),
    })
    .expect("request");
    until(&mut h, &mut state, "request appears", |st| {
        st.visible_requests().len() == 1
    })
    .await;
    keys(&h, &mut state, "xy");
    let r = report(&mut h, &mut state, "reject").await;
    assert!(r.all_done(), "{r:?}");
    assert!(sim.world(|w| w.groups[CLUB].pending.is_empty()));
    assert_eq!(member_role(&sim, CLUB, NEWBIE), None);

    // Approve all after the confirm: two at once.
    for phone in [NEWBIE, RILEY] {
        sim.apply(&Activity::RequestJoin {
            phone: phone.into(),
            group: CLUB.into(),
        })
        .expect("request");
    }
    until(&mut h, &mut state, "two requests", |st| {
        st.visible_requests().len() == 2
    })
    .await;
    keys(&h, &mut state, "A");
    assert!(matches!(state.popup, Some(Popup::Confirm(_))));
    keys(&h, &mut state, "y");
    let r = report(&mut h, &mut state, "approve all").await;
    assert_eq!(r.targets.len(), 2);
    assert!(r.all_done(), "{r:?}");
    assert!(
        matches!(state.popup, Some(Popup::Result { .. })),
        "several: result view"
    );
    assert_eq!(
        member_role(&sim, CLUB, RILEY),
        Some(wamod::sim::world::Role::Member)
    );

    // Everything is in the audit log, per participant.
    let store = Store::open(&tmp.path().join("wamod.db")).expect("db");
    let rows = store.audit(100).expect("audit");
    let has = |action: &str, phone: &str, outcome: &str| {
        let plus = format!("+{phone}");
        rows.iter().any(|r| {
            r.action == action
                && (r.target.as_deref().is_some_and(|t| t.starts_with(phone))
                    || r.target_phone.as_deref() == Some(plus.as_str()))
                && r.outcome == outcome
        })
    };
    assert!(has("add", NEWBIE, "done"));
    assert!(has("add", PRIV, "privacy-blocked"));
    assert!(has("add", RILEY, "already-member"));
    assert!(has("remove", NEWBIE, "done"));
    assert!(has("approve", QUINN, "done"));
    assert!(has("reject", NEWBIE, "done"));
    assert!(
        rows.iter()
            .all(|r| r.actor.as_deref() == Some(&format!("+{DANA}")))
    );
    assert_eq!(store.unanswered().expect("n"), 0);
}

in_every_shape!(group_operations_and_honest_failures);
async fn group_operations_and_honest_failures(shapes: Shapes) {
    let sim = simulator_in(shapes);
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state, s) = setup(&sim, tmp.path(), Duration::from_secs(3)).await;

    // Subject: an empty one is refused in the dialog, text kept.
    select(&h, &mut state, "Team", '2');
    keys(&h, &mut state, "e");
    for _ in 0..10 {
        code(&h, &mut state, KeyCode::Backspace);
    }
    code(&h, &mut state, KeyCode::Enter);
    match &state.popup {
        Some(Popup::Input(d)) => assert!(d.error.as_deref().is_some_and(|e| e.contains("empty"))),
        other => panic!("still open: {other:?}"),
    }
    keys(&h, &mut state, "Team Alpha");
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "subject").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(sim.world(|w| w.groups[TEAM].subject.clone()), "Team Alpha");

    // Description, then a stale edit: 409, reload, retry.
    select(&h, &mut state, "Alpha", '2');
    keys(&h, &mut state, "E");
    keys(&h, &mut state, "Be kind");
    ctrl(&h, &mut state, 's');
    let r = report(&mut h, &mut state, "description").await;
    assert!(r.all_done(), "{r:?}");
    until(&mut h, &mut state, "description id", |st| {
        st.current_group_summary().is_some_and(|g| {
            g.description.as_deref() == Some("Be kind") && g.description_id.is_some()
        })
    })
    .await;
    keys(&h, &mut state, "E");
    sim.apply(&Activity::Description {
        actor: SAM.into(),
        group: TEAM.into(),
        body: "Sam's rules".into(),
    })
    .expect("sam edits");
    until(&mut h, &mut state, "sam's edit", |st| {
        st.current_group_summary()
            .is_some_and(|g| g.description.as_deref() == Some("Sam's rules"))
    })
    .await;
    keys(&h, &mut state, " and patient");
    ctrl(&h, &mut state, 's');
    let r = report(&mut h, &mut state, "stale description").await;
    assert_eq!(r.outcome, Outcome::Conflict);
    assert!(matches!(
        state.popup,
        Some(Popup::DescriptionConflict { .. })
    ));
    assert_eq!(
        sim.world(|w| w.groups[TEAM].description.as_ref().map(|d| d.body.clone())),
        Some("Sam's rules".to_string())
    );
    keys(&h, &mut state, "r");
    until(&mut h, &mut state, "reloaded token", |st| {
        matches!(
            &st.popup,
            Some(Popup::Input(d)) if matches!(d.kind, InputKind::Description { reloading: false, .. })
        )
    })
    .await;
    ctrl(&h, &mut state, 's');
    let r = report(&mut h, &mut state, "retried description").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(
        sim.world(|w| w.groups[TEAM].description.as_ref().map(|d| d.body.clone())),
        Some("Be kind and patient".to_string())
    );

    // Settings: approval on, disappearing 24 hours; only the changes are sent.
    keys(&h, &mut state, "S");
    code(&h, &mut state, KeyCode::Down);
    code(&h, &mut state, KeyCode::Down);
    keys(&h, &mut state, " ");
    code(&h, &mut state, KeyCode::Down);
    code(&h, &mut state, KeyCode::Down);
    code(&h, &mut state, KeyCode::Right);
    code(&h, &mut state, KeyCode::Enter);
    assert_eq!(state.ops.len(), 2);
    for _ in 0..2 {
        let r = report(&mut h, &mut state, "setting").await;
        assert!(r.all_done(), "{r:?}");
    }
    let settings = sim.world(|w| w.groups[TEAM].settings);
    assert!(settings.approval);
    assert_eq!(settings.ephemeral, 86_400);

    // Invite link, then revoke it (confirm): the old code stops working.
    keys(&h, &mut state, "i");
    let r = report(&mut h, &mut state, "invite").await;
    let Some(Answer::InviteLink(old)) = r.answer.clone() else {
        panic!("{r:?}")
    };
    keys(&h, &mut state, "R");
    assert!(matches!(state.popup, Some(Popup::Confirm(_))));
    keys(&h, &mut state, "y");
    let r = report(&mut h, &mut state, "revoke").await;
    let Some(Answer::InviteLink(new)) = r.answer.clone() else {
        panic!("{r:?}")
    };
    assert_ne!(old, new);
    assert!(new.ends_with(&sim.world(|w| w.groups[TEAM].invite_code.clone())));
    assert!(matches!(&state.popup, Some(Popup::Invite { link: Some(l), .. }) if *l == new));
    code(&h, &mut state, KeyCode::Esc);

    // 429: reported as rate limited (not done) and the session pauses, visibly.
    sim.inject_fault(
        "promote",
        FaultAction::Error {
            code: 429,
            text: "rate-overlimit".into(),
            backoff: Some(2),
        },
        1,
    );
    select(&h, &mut state, "Alpha", '3');
    pick(&h, &mut state, RILEY);
    keys(&h, &mut state, "+");
    let r = report(&mut h, &mut state, "rate limited").await;
    assert_eq!(
        outcome_of(&r, RILEY),
        &Outcome::RateLimited { retry_secs: 2 }
    );
    // The pause arrives with the report: the status bar counts it down.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    update(&mut state, Msg::Tick(now));
    assert!(state.writes_paused_for(s).is_some());
    assert!(
        wamod::app::state::activity(&state).is_some_and(|a| a.contains("rate limited")),
        "{:?}",
        wamod::app::state::activity(&state)
    );
    assert_eq!(
        member_role(&sim, TEAM, RILEY),
        Some(wamod::sim::world::Role::Member)
    );
    // The next one waits out the pause, then goes through.
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "+");
    let r = report(&mut h, &mut state, "after the pause").await;
    assert!(r.all_done(), "{r:?}");
    assert_eq!(
        member_role(&sim, TEAM, RILEY),
        Some(wamod::sim::world::Role::Admin)
    );

    // No answer at all: unknown, never done.
    sim.inject_fault("demote", FaultAction::Swallow, 1);
    keys(&h, &mut state, "-");
    let r = report(&mut h, &mut state, "timeout").await;
    assert!(
        matches!(outcome_of(&r, RILEY), Outcome::Unknown { .. }),
        "{r:?}"
    );

    // The connection drops after WhatsApp applied a removal: unknown, though it happened.
    sim.inject_fault("remove", FaultAction::DropAfter, 1);
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "xy");
    let r = report(&mut h, &mut state, "dropped after").await;
    assert!(
        matches!(outcome_of(&r, RILEY), Outcome::Unknown { .. }),
        "{r:?}"
    );
    assert_eq!(member_role(&sim, TEAM, RILEY), None);
    until(&mut h, &mut state, "reconnected", |st| {
        st.session(s).map(|v| v.conn.clone()) == Some(wamod::domain::ConnState::Connected)
    })
    .await;

    // Dropped before WhatsApp saw it: unknown too, and nothing happened.
    sim.inject_fault("add", FaultAction::DropBefore, 1);
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "a");
    keys(&h, &mut state, &format!("+{NEWBIE}"));
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "dropped before").await;
    assert!(!r.all_done(), "{r:?}");
    assert_eq!(member_role(&sim, TEAM, NEWBIE), None);

    // Nothing recorded as done that was not done.
    let store = Store::open(&tmp.path().join("wamod.db")).expect("db");
    let rows = store.audit(200).expect("audit");
    let outcome = |action: &str| {
        rows.iter()
            .filter(|r| {
                r.action == action
                    && r.target_phone.as_deref() == Some(format!("+{RILEY}").as_str())
            })
            .map(|r| r.outcome.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome("promote"), vec!["done", "rate-limited"]);
    assert_eq!(outcome("demote"), vec!["unknown"]);
    assert_eq!(outcome("remove"), vec!["unknown"]);
    assert!(
        rows.iter()
            .any(|r| r.action == "add" && r.outcome != "done")
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "description" && r.outcome == "conflict")
    );
}

in_every_shape!(create_join_leave_and_picture);
async fn create_join_leave_and_picture(shapes: Shapes) {
    let sim = simulator_in(shapes);
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state, s) = setup(&sim, tmp.path(), Duration::from_secs(20)).await;

    // Create with two participants: one added, one kept out by privacy.
    keys(&h, &mut state, "2C");
    keys(&h, &mut state, "Launch crew");
    code(&h, &mut state, KeyCode::Tab);
    keys(&h, &mut state, &format!("+{RILEY}"));
    code(&h, &mut state, KeyCode::Enter);
    keys(&h, &mut state, &format!("+{PRIV}"));
    code(&h, &mut state, KeyCode::Tab);
    keys(&h, &mut state, "Ship it");
    code(&h, &mut state, KeyCode::Tab);
    keys(&h, &mut state, " ");
    ctrl(&h, &mut state, 's');
    let r = report(&mut h, &mut state, "create").await;
    let Some(Answer::Created(created)) = r.answer.clone() else {
        panic!("{r:?}")
    };
    assert_eq!(outcome_of(&r, RILEY), &Outcome::Done);
    // WhatsApp lists refused people in the create answer too: the group is read again to know.
    assert!(!outcome_of(&r, PRIV).is_done(), "{r:?}");
    assert!(
        r.privacy_invite(),
        "the new group's link is offered for them"
    );
    assert_eq!(r.target_group(), Some(created.clone()));
    let bare = created.as_str().trim_end_matches("@g.us").to_string();
    let g = sim.world(|w| w.groups[&bare].clone());
    assert_eq!(g.subject, "Launch crew");
    assert!(g.settings.approval);
    assert_eq!(
        g.description.as_ref().map(|d| d.body.as_str()),
        Some("Ship it")
    );
    assert!(g.member(RILEY).is_some() && g.member(PRIV).is_none());
    until(&mut h, &mut state, "new group listed", |st| {
        st.groups
            .get(&s)
            .is_some_and(|gs| gs.iter().any(|g| g.id == created))
    })
    .await;

    // Picture: a non-JPEG is refused before sending; a JPEG is set, then removed.
    let not_jpeg = tmp.path().join("x.png");
    std::fs::write(&not_jpeg, b"\x89PNG....").expect("png");
    let jpeg = tmp.path().join("x.jpg");
    std::fs::write(&jpeg, b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00rest").expect("jpeg");
    select(&h, &mut state, "Launch", '2');
    keys(&h, &mut state, "p");
    keys(&h, &mut state, &not_jpeg.display().to_string());
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "png").await;
    assert!(matches!(r.outcome, Outcome::NotSent { .. }), "{r:?}");
    assert!(matches!(state.popup, Some(Popup::Result { .. })));
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "p");
    keys(&h, &mut state, &jpeg.display().to_string());
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "picture").await;
    assert!(r.all_done(), "{r:?}");
    assert!(sim.world(|w| w.groups[&bare].picture_id.is_some()));
    keys(&h, &mut state, "Dy");
    let r = report(&mut h, &mut state, "remove picture").await;
    assert!(r.all_done(), "{r:?}");
    assert!(sim.world(|w| w.groups[&bare].picture_id.is_none()));

    // Leave Sam's group (confirm); it disappears from the list.
    select(&h, &mut state, "Sam", '2');
    keys(&h, &mut state, "l");
    assert!(matches!(state.popup, Some(Popup::Confirm(_))));
    keys(&h, &mut state, "y");
    let r = report(&mut h, &mut state, "leave").await;
    assert!(r.all_done(), "{r:?}");
    assert!(sim.world(|w| w.groups[OTHER].member(DANA).is_none()));
    assert!(!state.groups[&s].iter().any(|g| g.id == gid(OTHER)));

    // Join it again by link: bad input first, then a preview, then the join.
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "J");
    keys(&h, &mut state, "https://example.com/nope");
    code(&h, &mut state, KeyCode::Enter);
    match &state.popup {
        Some(Popup::Input(d)) => assert!(d.error.is_some(), "{d:?}"),
        other => panic!("{other:?}"),
    }
    code(&h, &mut state, KeyCode::Esc);
    keys(&h, &mut state, "J");
    keys(
        &h,
        &mut state,
        "https://chat.whatsapp.com/OtherInviteCode0000001",
    );
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "preview").await;
    assert!(
        matches!(r.answer, Some(Answer::Preview { ref subject, .. }) if subject == "Sam's Group")
    );
    assert!(matches!(state.popup, Some(Popup::Preview { .. })));
    keys(&h, &mut state, "y");
    let r = report(&mut h, &mut state, "join").await;
    assert_eq!(r.answer, Some(Answer::Joined(gid(OTHER))));
    assert!(sim.world(|w| w.groups[OTHER].member(DANA).is_some()));
    until(&mut h, &mut state, "rejoined group listed", |st| {
        st.groups[&s].iter().any(|g| g.id == gid(OTHER))
    })
    .await;
    // A revoked or unknown code is explained.
    keys(&h, &mut state, "J");
    keys(&h, &mut state, "UnknownInviteCode000001");
    code(&h, &mut state, KeyCode::Enter);
    let r = report(&mut h, &mut state, "unknown code").await;
    assert!(!r.outcome.is_done(), "{r:?}");
}
