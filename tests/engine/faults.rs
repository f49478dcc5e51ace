//! Faults around the engine (issue 17): the audit log unavailable, quitting in the middle of a
//! burst, and the answers WhatsApp gives when things go wrong in the middle of bulk work.

use wamod::ops::{Op, OpId, OpReport, Outcome};
use wamod::protocol::{Action, Update};

use super::support::fixture::{CLUB, DANA, TEAM, ask_to_join, new_accounts, simulator};
use super::{TestEngine, engine, gid, pair, run, wait};
use wamod::app::state::AppState;
use wamod::domain::SessionId;

/// `wamod.db` is not a database: wamod still connects and shows the groups, but sends no
/// moderation (it could not be audited), says why on every action, and keeps a banner up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_will_not_open_sends_no_moderation() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("wamod.db"), vec![b'x'; 8192]).expect("garbage");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let why = wait(
        &mut h,
        &mut state,
        "the audit log unavailable",
        |u, _| match u {
            Update::AuditUnavailable { why } => Some(why.clone()),
            _ => None,
        },
    )
    .await;
    assert!(why.contains("wamod.db"), "{why}");
    assert_eq!(state.audit_down.as_deref(), Some(why.as_str()));
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    wait(&mut h, &mut state, "groups", |u, _| match u {
        Update::Groups { groups, .. } => Some(groups.len()),
        _ => None,
    })
    .await;

    let before = sim.world(|w| w.groups[TEAM].subject.clone());
    let report = run(
        &mut h,
        &mut state,
        s,
        Some(TEAM),
        Op::SetSubject("Renamed".into()),
    )
    .await;
    match &report.outcome {
        Outcome::NotSent { why } => assert!(why.contains("audit log is unavailable"), "{why}"),
        other => panic!("sent without an audit log: {other:?}"),
    }
    assert_eq!(sim.world(|w| w.groups[TEAM].subject.clone()), before);
    assert!(!sim.group_iqs().contains_key("subject"));
}

/// Quitting in the middle of a burst: the cache writer writes everything it was handed before
/// the engine ends, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_waits_for_the_cache_writer() {
    const N: usize = 400;
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    wait(&mut h, &mut state, "club requests", |u, _| match u {
        Update::Requests { group, .. } if *group == gid(CLUB) => Some(()),
        _ => None,
    })
    .await;
    ask_to_join(&sim, &new_accounts(&sim, "1555800", N), CLUB);
    wait(&mut h, &mut state, "every request", |_, st| {
        (st.requests.get(&(s, gid(CLUB))).map(|r| r.len()) == Some(N + 1)).then_some(())
    })
    .await;
    h.actions.send(Action::Shutdown).expect("engine");
    let drained = h.handle.task.await.expect("engine stopped");
    assert!(
        drained.cache_written && drained.sessions_stopped,
        "{drained:?}"
    );
    let store = wamod::store::Store::open(&tmp.path().join("wamod.db")).expect("db");
    let stored = store
        .events(Some(&gid(CLUB)), None, 10_000)
        .expect("events")
        .len();
    assert!(stored >= N, "{stored} of {N} request events stored");
}

/// Pairing by QR and by code, with logging as `wamod` starts it: the log has wamod's own lines
/// but not the pairing code, the phone numbers, the QR code or any part of it (the device's
/// public keys and secret). whatsapp-rust logs the number and the code at `info` under its own
/// targets; the default filter keeps those out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_leaves_no_secret_in_the_log() {
    let tmp = tempfile::tempdir().expect("tmp");
    let log = tmp.path().join("wamod.log");
    let guard = wamod::logging::init(&log, None).expect("logging");
    let sim = simulator();
    // Numbers of this test alone: other tests log concurrently into the same subscriber.
    let numbers = new_accounts(&sim, "1555777", 2);
    let (by_qr, by_code) = (numbers[0].as_str(), numbers[1].as_str());
    let (mut h, mut state) = engine(&sim, tmp.path());

    h.actions.send(Action::NewSession).expect("engine");
    let (first, qr) = wait(&mut h, &mut state, "a QR code", |u, _| match u {
        Update::Qr { session, code, .. } => Some((*session, code.clone())),
        _ => None,
    })
    .await;
    sim.scan_qr_as(&qr, by_qr).expect("scan");
    online(&mut h, &mut state, first).await;

    h.actions.send(Action::NewSession).expect("engine");
    let second = wait(&mut h, &mut state, "a second QR code", |u, _| match u {
        Update::Qr { session, .. } if *session != first => Some(*session),
        _ => None,
    })
    .await;
    h.actions
        .send(Action::PairWithPhone {
            session: second,
            phone: by_code.into(),
        })
        .expect("engine");
    let code = wait(&mut h, &mut state, "the pairing code", |u, _| match u {
        Update::PairCode { code, .. } => Some(code.clone()),
        _ => None,
    })
    .await;
    sim.enter_pair_code(by_code, &code).expect("code");
    online(&mut h, &mut state, second).await;
    h.actions.send(Action::Shutdown).expect("engine");
    let _ = h.handle.task.await;
    drop(guard);

    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("pairing code issued"),
        "wamod's own lines are kept:\n{text}"
    );
    let mut secrets = vec![
        code.clone(),
        by_qr.to_string(),
        by_code.to_string(),
        qr.clone(),
    ];
    // The QR code is ref,noise key,identity key,secret (and the platform): each part alone.
    secrets.extend(qr.split(',').filter(|p| p.len() >= 16).map(str::to_string));
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} in the log:\n{text}"
        );
    }
}

async fn online(h: &mut TestEngine, state: &mut AppState, session: SessionId) {
    wait(h, state, "online", |u, _| match u {
        Update::Conn {
            session: s,
            state: wamod::domain::ConnState::Connected,
        } if *s == session => Some(()),
        _ => None,
    })
    .await;
}

/// Pace for the mid-operation tests: two people a request, no gaps, so five people take three
/// requests and a fault can land on the second.
fn two_at_a_time() -> wamod::domain::PaceLimits {
    wamod::domain::PaceLimits {
        add_batch: 2,
        people_batch: 2,
        ..wamod::domain::PaceLimits::unpaced()
    }
}

/// The audit log's rows of operation `title` (the newest such operation), by phone.
fn audited(dir: &std::path::Path, action: &str) -> Vec<(String, String)> {
    let rows = wamod::store::Store::open(&dir.join("wamod.db"))
        .expect("db")
        .audit(1000)
        .expect("audit");
    let newest = rows.iter().find(|r| r.action == action).map(|r| r.op);
    rows.iter()
        .filter(|r| Some(r.op) == newest)
        .filter_map(|r| Some((r.target_phone.clone()?, r.outcome.clone())))
        .collect()
}

/// Every person the audit log calls done is what WhatsApp (the simulator) shows, and everyone
/// it calls not done or not sent is not; only "unknown" may be either.
fn audit_agrees(rows: &[(String, String)], happened: impl Fn(&str) -> bool) {
    for (phone, outcome) in rows {
        let applied = happened(phone.trim_start_matches('+'));
        match outcome.as_str() {
            "done" => assert!(applied, "{phone} audited done, not applied"),
            "unknown" => {}
            other => assert!(!applied, "{phone} audited {other}, but applied"),
        }
    }
}

/// A 429 on the second request of a bulk add, then a connection dropped (after WhatsApp
/// applied it) on the second request of a bulk remove: the audit log agrees with WhatsApp's
/// state, the rest says why it was not sent, and nothing is called done that was not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_in_the_middle_of_bulk_work_leave_an_honest_audit() {
    use wamod::sim::FaultAction;
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = super::engine_from(wamod::engine::EngineConfig {
        pace: two_at_a_time(),
        ..super::test_config(&sim, tmp.path())
    });
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    wait(&mut h, &mut state, "groups", |u, _| {
        matches!(u, Update::Groups { .. }).then_some(())
    })
    .await;
    let people = new_accounts(&sim, "1555810", 5);
    let jids: Vec<String> = people
        .iter()
        .map(|p| format!("{p}@s.whatsapp.net"))
        .collect();
    let member = |p: &str| sim.world(|w| w.groups[TEAM].member(p).is_some());

    sim.inject_fault_after(
        "add",
        FaultAction::Error {
            code: 429,
            text: "rate-overlimit".into(),
            backoff: Some(1),
        },
        1,
        1,
    );
    let added = run(&mut h, &mut state, s, Some(TEAM), Op::Add(jids.clone())).await;
    let rows = audited(tmp.path(), "add");
    assert_eq!(rows.len(), 5, "{rows:?}");
    let done = rows.iter().filter(|(_, o)| o == "done").count();
    assert_eq!(done, 2, "the first request only: {rows:?} {added:?}");
    assert!(rows.iter().any(|(_, o)| o == "rate-limited"), "{rows:?}");
    audit_agrees(&rows, member);
    assert_eq!(people.iter().filter(|p| member(p)).count(), 2);

    // Everyone in (the pace resumes after WhatsApp's backoff), then a bulk remove whose second
    // request is applied and its answer lost with the connection.
    let again = run(&mut h, &mut state, s, Some(TEAM), Op::Add(jids.clone())).await;
    assert!(people.iter().all(|p| member(p)), "{again:?}");
    sim.inject_fault_after("remove", FaultAction::DropAfter, 1, 1);
    let removed = run(&mut h, &mut state, s, Some(TEAM), Op::Remove(jids.clone())).await;
    let rows = audited(tmp.path(), "remove");
    assert_eq!(rows.len(), 5, "{rows:?} {removed:?}");
    assert_eq!(
        rows.iter().filter(|(_, o)| o == "done").count(),
        2,
        "{rows:?}"
    );
    assert_eq!(
        rows.iter().filter(|(_, o)| o == "unknown").count(),
        2,
        "{rows:?}"
    );
    audit_agrees(&rows, |p| !member(p));
    // WhatsApp did apply the second request: the two "unknown" are gone from the group.
    assert_eq!(people.iter().filter(|p| member(p)).count(), 1);
}

/// Whether WhatsApp's 500 came back as the answer: for the operation, or for every person.
fn refused_500(r: &OpReport) -> bool {
    let is_500 = |o: &Outcome| matches!(o, Outcome::Refused { code: 500, .. });
    is_500(&r.outcome) || (!r.targets.is_empty() && r.targets.iter().all(|t| is_500(&t.outcome)))
}

/// A 500 on each kind of operation: each reports WhatsApp's refusal, none claims success, and
/// nothing changed in the group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_on_every_kind_of_operation_is_reported_as_such() {
    use super::support::fixture::{CLUB_CODE, NEWBIE, OTHER, RILEY, SAM};
    use wamod::ops::{NewGroup, Setting};
    use wamod::sim::FaultAction;
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    let quinn = wait(&mut h, &mut state, "club requests", |u, _| match u {
        Update::Requests {
            group, requests, ..
        } if *group == gid(CLUB) => requests.first().map(|r| r.jid.clone()),
        _ => None,
    })
    .await;
    let picture = tmp.path().join("p.jpg");
    std::fs::write(&picture, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).expect("jpeg");
    let jid = |p: &str| format!("{p}@s.whatsapp.net");
    let world_before = sim.world(|w| format!("{:?}", (&w.groups[TEAM], &w.groups[CLUB])));
    let ops: Vec<(&str, Op)> = vec![
        (TEAM, Op::Add(vec![jid(NEWBIE)])),
        (TEAM, Op::Remove(vec![jid(RILEY)])),
        (TEAM, Op::Promote(vec![jid(RILEY)])),
        (TEAM, Op::Demote(vec![jid(SAM)])),
        (CLUB, Op::Approve(vec![quinn.clone()])),
        (CLUB, Op::Reject(vec![quinn])),
        (TEAM, Op::SetSubject("Renamed".into())),
        (
            TEAM,
            Op::SetDescription {
                text: "New words".into(),
                prev: None,
            },
        ),
        (TEAM, Op::Setting(Setting::AdminsOnlySend(true))),
        (TEAM, Op::InviteLink),
        (TEAM, Op::RevokeInvite),
        (TEAM, Op::SetPicture(picture)),
        (OTHER, Op::Leave),
        (CLUB, Op::PreviewInvite(CLUB_CODE.into())),
        (
            TEAM,
            Op::Create(NewGroup {
                subject: "Never made".into(),
                participants: vec![jid(RILEY)],
                description: None,
                approval: false,
                admins_only_send: false,
                admins_only_edit: false,
            }),
        ),
    ];
    for (group, op) in ops {
        let what = op.title();
        sim.inject_fault("*", FaultAction::error(500, "internal-server-error"), 1);
        let report = run(&mut h, &mut state, s, Some(group), op).await;
        assert!(refused_500(&report), "{what}: {report:?}");
        sim.clear_faults();
    }
    let world_after = sim.world(|w| format!("{:?}", (&w.groups[TEAM], &w.groups[CLUB])));
    assert_eq!(
        world_before, world_after,
        "a refused operation changed something"
    );
    assert!(
        sim.world(|w| w.groups[OTHER].member(DANA).is_some()),
        "left anyway"
    );
}

/// The simulator goes away mid-session (every connection dropped, new ones refused) and comes
/// back: an operation meanwhile is not sent and says why; afterwards the session is online by
/// itself and operations go through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_going_away_and_coming_back() {
    use wamod::domain::ConnState;
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = super::engine_resyncing(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    sim.refuse_connections(true);
    sim.drop_connections(None);
    wait(&mut h, &mut state, "offline", |u, _| {
        matches!(
            u,
            Update::Conn {
                state: ConnState::Disconnected { .. },
                ..
            }
        )
        .then_some(())
    })
    .await;
    let report = run(
        &mut h,
        &mut state,
        s,
        Some(TEAM),
        Op::SetSubject("While away".into()),
    )
    .await;
    assert!(
        matches!(
            &report.outcome,
            Outcome::NotSent { .. } | Outcome::Unknown { .. }
        ),
        "{report:?}"
    );
    assert_ne!(sim.world(|w| w.groups[TEAM].subject.clone()), "While away");
    sim.refuse_connections(false);
    online(&mut h, &mut state, s).await;
    let report = run(
        &mut h,
        &mut state,
        s,
        Some(TEAM),
        Op::SetSubject("Back".into()),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Done, "{report:?}");
    assert_eq!(sim.world(|w| w.groups[TEAM].subject.clone()), "Back");
}

/// The disk fills up under the cache: the writer says so once, keeps the changes, tries again
/// with a growing pause, and writes them all once there is room (and says that too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_under_the_cache_loses_nothing_once_there_is_room() {
    use std::sync::{Arc, Mutex};
    use wamod::domain::{GroupEvent, GroupEventKind};
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = wamod::store::Store::open(&tmp.path().join("wamod.db")).expect("db");
    let full = store.page_count().expect("pages");
    store.cap_pages(full).expect("cap");
    let store = Arc::new(Mutex::new(store));
    let (to_writer, from_sessions) = tokio::sync::mpsc::unbounded_channel();
    let (ui, mut shown) = tokio::sync::mpsc::unbounded_channel();
    let writer = tokio::spawn(wamod::engine::cache_writer::forward(
        from_sessions,
        ui,
        store.clone(),
    ));
    const N: usize = 300;
    for i in 0..N {
        to_writer
            .send(Update::Event(GroupEvent {
                at: 1_800_000_000 + i as i64,
                session: SessionId(1),
                group: gid(TEAM),
                group_subject: "Team".into(),
                actor: Some(format!("+1555{i:07}")),
                kind: GroupEventKind::InviteReset,
                found_on_reconnect: false,
            }))
            .expect("writer");
    }
    let said = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match shown.recv().await {
                Some(Update::Error { message, .. }) => return message,
                Some(_) => {}
                None => panic!("the writer stopped"),
            }
        }
    })
    .await
    .expect("the failure is shown");
    assert!(said.contains("database or disk is full"), "{said}");
    // Room again: everything kept is written.
    store
        .lock()
        .expect("store")
        .cap_pages(1 << 30)
        .expect("uncap");
    let back = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match shown.recv().await {
                Some(Update::Notice { text }) => return text,
                Some(Update::Error { message, .. }) => panic!("{message}"),
                Some(_) => {}
                None => panic!("the writer stopped"),
            }
        }
    })
    .await
    .expect("the recovery is shown");
    assert!(back.contains("written again"), "{back}");
    drop(to_writer);
    assert!(writer.await.expect("writer"), "everything written");
    let stored = store
        .lock()
        .expect("store")
        .events(Some(&gid(TEAM)), None, 10_000)
        .expect("events")
        .len();
    assert_eq!(stored, N);
}

/// Another program holds wamod.db's write lock mid-session (as a read-only or locked database
/// does): an operation is not sent (its audit row cannot be written) and says why; once the
/// lock is gone, operations go out again and the cache catches up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_mid_session_sends_nothing_unaudited() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    wait(&mut h, &mut state, "groups", |u, _| {
        matches!(u, Update::Groups { .. }).then_some(())
    })
    .await;
    let other = rusqlite::Connection::open(tmp.path().join("wamod.db")).expect("open");
    other.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let report = run(
        &mut h,
        &mut state,
        s,
        Some(TEAM),
        Op::SetSubject("Unaudited".into()),
    )
    .await;
    match &report.outcome {
        Outcome::NotSent { why } => assert!(why.contains("locked"), "{why}"),
        other => panic!("sent without an audit row: {other:?}"),
    }
    assert_ne!(sim.world(|w| w.groups[TEAM].subject.clone()), "Unaudited");
    other.execute_batch("COMMIT").expect("unlock");
    drop(other);
    let report = run(
        &mut h,
        &mut state,
        s,
        Some(TEAM),
        Op::SetSubject("Audited".into()),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Done, "{report:?}");
    let store = wamod::store::Store::open(&tmp.path().join("wamod.db")).expect("db");
    let ops: Vec<String> = store
        .audit(100)
        .expect("audit")
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        ops,
        ["done"],
        "only the operation that went out is in the log"
    );

    // Locked after the operation went out and before its answer came: the answer cannot be
    // written (tried three times); the user hears it, and the row stays "sent", listed by
    // `:audit unanswered`.
    sim.set_latency(std::time::Duration::from_millis(1500));
    let id = OpId(9_999);
    h.actions
        .send(Action::Run {
            id,
            session: s,
            group: Some(gid(TEAM)),
            op: Op::SetSubject("Late".into()),
        })
        .expect("engine");
    let other = rusqlite::Connection::open(tmp.path().join("wamod.db")).expect("open");
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while store.unanswered().expect("count") == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the operation recorded as sent");
    other.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let said = wait(&mut h, &mut state, "the unwritten answer", |u, _| match u {
        Update::Error { message, .. } if message.contains("audit log") => Some(message.clone()),
        _ => None,
    })
    .await;
    assert!(said.contains("stays listed as sent"), "{said}");
    let done = wait(&mut h, &mut state, "the answer", |u, _| match u {
        Update::OpDone(r) if r.id == id => Some(r.outcome.clone()),
        _ => None,
    })
    .await;
    assert_eq!(done, Outcome::Done);
    other.execute_batch("COMMIT").expect("unlock");
    assert_eq!(store.unanswered().expect("count"), 1);
    let rows = store.audit(100).expect("audit");
    assert_eq!(
        wamod::app::state::audit_rows(&rows, "unanswered").len(),
        1,
        "{rows:?}"
    );
}
