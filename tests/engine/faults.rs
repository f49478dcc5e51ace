//! Faults around the engine (issue 17): the audit log unavailable, quitting in the middle of a
//! burst, and the answers WhatsApp gives when things go wrong in the middle of bulk work.

use wamod::ops::{Op, OpId, OpReport, Outcome};
use wamod::protocol::{Action, Update};
use wamod::sim::Simulator;
use wamod::sim::scenario::Activity;
use wamod::sim::world::Account;

use super::support::fixture::{CLUB, DANA, TEAM, simulator};
use super::{TestEngine, engine, gid, pair, wait};
use wamod::app::state::AppState;
use wamod::domain::SessionId;

async fn run(
    h: &mut TestEngine,
    state: &mut AppState,
    session: SessionId,
    group: &str,
    op: Op,
) -> OpReport {
    let id = OpId(state.next_op + 5000);
    state.next_op += 1;
    let what = op.title();
    h.actions
        .send(Action::Run {
            id,
            session,
            group: Some(gid(group)),
            op,
        })
        .expect("engine");
    wait(h, state, &what, |u, _| match u {
        Update::OpDone(r) if r.id == id => Some((**r).clone()),
        _ => None,
    })
    .await
}

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
        TEAM,
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
    ask_to_join(&sim, N);
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

/// `n` new accounts ask to join the club.
fn ask_to_join(sim: &Simulator, n: usize) -> Vec<String> {
    let phones: Vec<String> = (0..n).map(|i| format!("1555800{i:04}")).collect();
    sim.act(|w| {
        for (i, p) in phones.iter().enumerate() {
            w.add_account(Account {
                phone: p.clone(),
                lid: format!("78{i:010}"),
                name: format!("Asker {i}"),
                blocks_direct_adds: false,
                add_refusal: None,
            });
        }
        Ok(((), Vec::new()))
    })
    .expect("accounts");
    for p in &phones {
        sim.apply(&Activity::RequestJoin {
            phone: p.clone(),
            group: CLUB.into(),
        })
        .expect("request");
    }
    phones
}

/// Pairing by QR and by code, with logging as `wamod` starts it: the log has wamod's own lines
/// but not the pairing code, the phone numbers, the QR code or any part of it (the device's
/// public keys and secret). whatsapp-rust logs the number and the code at `info` under its own
/// targets; the default filter keeps those out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_leaves_no_secret_in_the_log() {
    // Numbers of this test alone: other tests log concurrently into the same subscriber.
    const BY_QR: &str = "15557770001";
    const BY_CODE: &str = "15557770002";
    let tmp = tempfile::tempdir().expect("tmp");
    let log = tmp.path().join("wamod.log");
    let guard = wamod::logging::init(&log, None).expect("logging");
    let sim = simulator();
    sim.act(|w| {
        for (i, p) in [BY_QR, BY_CODE].iter().enumerate() {
            w.add_account(Account {
                phone: (*p).into(),
                lid: format!("7977700000{i}"),
                name: format!("Secret {i}"),
                blocks_direct_adds: false,
                add_refusal: None,
            });
        }
        Ok(((), Vec::new()))
    })
    .expect("accounts");
    let (mut h, mut state) = engine(&sim, tmp.path());

    h.actions.send(Action::NewSession).expect("engine");
    let (first, qr) = wait(&mut h, &mut state, "a QR code", |u, _| match u {
        Update::Qr { session, code, .. } => Some((*session, code.clone())),
        _ => None,
    })
    .await;
    sim.scan_qr_as(&qr, BY_QR).expect("scan");
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
            phone: BY_CODE.into(),
        })
        .expect("engine");
    let code = wait(&mut h, &mut state, "the pairing code", |u, _| match u {
        Update::PairCode { code, .. } => Some(code.clone()),
        _ => None,
    })
    .await;
    sim.enter_pair_code(BY_CODE, &code).expect("code");
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
        BY_QR.to_string(),
        BY_CODE.to_string(),
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
