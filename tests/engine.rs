//! The engine (session tasks over the real whatsapp-rust client) against the simulator, in
//! process: pairing, groups and requests, reconnects, logout, several sessions, and live events
//! all the way into the UI's state through the reducer.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// Runs a moderation test once per shape WhatsApp answers in (`wamod::sim::shapes`): as its
/// usual servers answer, and in the strictest variants (people named by LID alone, and no
/// notification of our own changes).
macro_rules! in_every_shape {
    ($test:ident) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lid_with_phone() {
                super::$test(wamod::sim::shapes::Shapes::default()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lid_only_no_echo() {
                super::$test(wamod::sim::shapes::Shapes {
                    lid_answers: wamod::sim::shapes::LidAnswers::LidOnly,
                    no_echo: true,
                    ..Default::default()
                })
                .await
            }
        }
    };
}

#[path = "engine/moderation.rs"]
mod moderation;

#[path = "engine/cache.rs"]
mod cache;
#[path = "engine/community.rs"]
mod community;
#[path = "engine/endings.rs"]
mod endings;
#[path = "engine/faults.rs"]
mod faults;
#[path = "engine/identity.rs"]
mod identity;
#[path = "engine/pacing.rs"]
mod pacing;

use std::collections::VecDeque;
use std::time::Duration;

use support::fixture::{CLUB, DANA, NEWBIE, QUINN, RILEY, SAM, TEAM, simulator};
use wamod::app::keymap::Keymap;
use wamod::app::msg::Msg;
use wamod::app::state::AppState;
use wamod::app::update::update;
use wamod::domain::{ConnState, GroupEventKind, GroupId, RequestMethod, Role, SessionId};
use wamod::engine::{Endpoint, EngineConfig, EngineHandle, spawn};
use wamod::protocol::{Action, Update};
use wamod::sim::Simulator;
use wamod::sim::scenario::Activity;

const PATIENCE: Duration = Duration::from_secs(60);

/// The engine as the UI loop reads it, plus the updates a test has applied to its state but
/// not yet looked at (a batch may hold more than the update a `wait` was after).
struct TestEngine {
    handle: EngineHandle,
    unseen: VecDeque<Update>,
}

impl TestEngine {
    fn new(handle: EngineHandle) -> Self {
        Self {
            handle,
            unseen: VecDeque::new(),
        }
    }
}

impl std::ops::Deref for TestEngine {
    type Target = EngineHandle;
    fn deref(&self) -> &EngineHandle {
        &self.handle
    }
}

impl std::ops::DerefMut for TestEngine {
    fn deref_mut(&mut self) -> &mut EngineHandle {
        &mut self.handle
    }
}

/// Waits for the first update `f` picks. Updates arrive as the UI loop takes them
/// (`EngineHandle::next_batch`) and go through the reducer a batch at a time, as in production;
/// `f` sees each update with the state after its batch.
async fn wait<T>(
    h: &mut TestEngine,
    state: &mut AppState,
    what: &str,
    mut f: impl FnMut(&Update, &AppState) -> Option<T>,
) -> T {
    tokio::time::timeout(PATIENCE, async {
        loop {
            while let Some(u) = h.unseen.pop_front() {
                if std::env::var_os("WAMOD_TEST_TRACE").is_some() {
                    eprintln!("{what}: {u:?}");
                }
                if let Some(t) = f(&u, state) {
                    return t;
                }
            }
            let batch = h.handle.next_batch().await.expect("engine alive");
            update(state, Msg::EngineBatch(batch.clone()));
            h.unseen.extend(batch);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Runs `op` on `group` of `session` as the UI would, and waits for WhatsApp's answer.
async fn run(
    h: &mut TestEngine,
    state: &mut AppState,
    session: SessionId,
    group: Option<&str>,
    op: wamod::ops::Op,
) -> wamod::ops::OpReport {
    let id = wamod::ops::OpId(state.next_op + 1000);
    state.next_op += 1;
    let what = op.title();
    h.actions
        .send(Action::Run {
            id,
            session,
            group: group.map(gid),
            op,
        })
        .expect("engine");
    wait(h, state, &what, |u, _| match u {
        Update::OpDone(r) if r.id == id => Some((**r).clone()),
        _ => None,
    })
    .await
}

/// Waits until `f` holds for the state (checked now, then after every update).
async fn until(
    h: &mut TestEngine,
    state: &mut AppState,
    what: &str,
    f: impl Fn(&AppState) -> bool,
) {
    if f(state) {
        return;
    }
    wait(h, state, what, |_, st| f(st).then_some(())).await
}

/// The engine tests' configuration: the simulator in process, the cache in `dir`, and no pace
/// (tests of other behaviour; `pacing` tests the pace itself).
fn test_config(sim: &Simulator, dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        sessions_dir: dir.join("sessions"),
        endpoint: Endpoint::in_process(sim.transport_factory()),
        version: wamod::engine::VersionSource::simulator(),
        database: Some(dir.join("wamod.db")),
        op_timeout: EngineConfig::DEFAULT_OP_TIMEOUT,
        pace: wamod::domain::PaceLimits::unpaced(),
        resync_after: EngineConfig::RESYNC_AFTER,
    }
}

fn engine_from(config: EngineConfig) -> (TestEngine, AppState) {
    let h = TestEngine::new(spawn(config));
    (h, AppState::new(Keymap::default(), 1_800_000_000))
}

fn engine(sim: &Simulator, dir: &std::path::Path) -> (TestEngine, AppState) {
    engine_from(test_config(sim, dir))
}

fn engine_with(
    sim: &Simulator,
    dir: &std::path::Path,
    op_timeout: Duration,
) -> (TestEngine, AppState) {
    engine_from(EngineConfig {
        op_timeout,
        ..test_config(sim, dir)
    })
}

/// An engine that reads every group again on each reconnect, however short: for tests of
/// what a reconnect's comparison finds.
fn engine_resyncing(sim: &Simulator, dir: &std::path::Path) -> (TestEngine, AppState) {
    engine_from(EngineConfig {
        resync_after: Duration::ZERO,
        ..test_config(sim, dir)
    })
}

/// Waits for a reconnect's sync: every group with its roster, in one answer (what changed
/// meanwhile is reported right after it).
async fn synced_again(h: &mut TestEngine, state: &mut AppState) {
    wait(h, state, "the group list again", |u, _| match u {
        Update::Groups { .. } => Some(()),
        _ => None,
    })
    .await;
}

/// New session paired by QR as `phone`; returns its id once online.
async fn pair(h: &mut TestEngine, state: &mut AppState, sim: &Simulator, phone: &str) -> SessionId {
    h.actions.send(Action::NewSession).expect("engine");
    let (session, code) = wait(h, state, "a QR code", |u, _| match u {
        Update::Qr { session, code, .. } => Some((*session, code.clone())),
        _ => None,
    })
    .await;
    sim.scan_qr_as(&code, phone).expect("scan");
    wait(h, state, "Connected", |u, _| match u {
        Update::Conn {
            session: s,
            state: ConnState::Connected,
        } if *s == session => Some(()),
        _ => None,
    })
    .await;
    session
}

fn gid(id: &str) -> GroupId {
    GroupId(format!("{id}@g.us"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_by_qr_loads_groups_and_requests_and_resumes_after_restart() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    assert_eq!(
        state.session(s).and_then(|v| v.phone.clone()),
        Some(format!("+{DANA}"))
    );

    let groups = wait(&mut h, &mut state, "groups", |u, _| match u {
        Update::Groups { groups, .. } => Some(groups.clone()),
        _ => None,
    })
    .await;
    // Every group comes with its roster, in one answer: our role in each is known at once.
    assert_eq!(groups.len(), 4);
    let team = groups.iter().find(|g| g.id == gid(TEAM)).expect("team");
    assert_eq!((team.size, team.my_role), (3, Some(Role::SuperAdmin)));
    until(&mut h, &mut state, "every role", |st| {
        st.groups
            .get(&s)
            .is_some_and(|gs| gs.iter().all(|g| g.my_role.is_some()))
    })
    .await;
    let role = |subject: &str| {
        state.groups[&s]
            .iter()
            .find(|g| g.subject == subject)
            .and_then(|g| g.my_role)
    };
    assert_eq!(role(&team.subject), Some(Role::SuperAdmin));
    assert_eq!(role("Sam's Group"), Some(Role::Member));

    // Requests of approval-mode groups where we are admin come with the list.
    let reqs = wait(&mut h, &mut state, "club requests", |u, _| match u {
        Update::Requests {
            group, requests, ..
        } if *group == gid(CLUB) => Some(requests.clone()),
        _ => None,
    })
    .await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].phone.as_deref(), Some(format!("+{QUINN}").as_str()));
    assert_eq!(reqs[0].method, RequestMethod::InviteLink);
    assert_eq!(
        state.groups[&s]
            .iter()
            .find(|g| g.id == gid(CLUB))
            .map(|g| g.pending),
        Some(1)
    );

    // Keys are private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: std::path::PathBuf| {
            std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
        };
        let dir = tmp.path().join("sessions/1");
        assert_eq!(mode(dir.clone()), 0o700);
        assert_eq!(mode(dir.join("whatsapp.db")), 0o600);
    }

    // A restarted engine resumes the session without a QR code.
    h.actions.send(Action::Shutdown).expect("engine");
    let _ = h.handle.task.await;
    let (mut h, mut state) = engine(&sim, tmp.path());
    wait(&mut h, &mut state, "resumed", |u, _| match u {
        Update::Conn {
            state: ConnState::Connected,
            ..
        } => Some(()),
        Update::Qr { .. } => panic!("asked for a QR code again"),
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_a_dropped_connection_and_logs_out() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    // Read again on every reconnect: a drop after the first sync would otherwise trust the
    // offline queue (`cache::the_offline_queue_is_applied_once` tests that path).
    let (mut h, mut state) = engine_resyncing(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, DANA).await;

    assert_eq!(sim.drop_connections(Some(DANA)), 1);
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
    assert_eq!(state.session(s).map(|v| v.conn.label()), Some("offline"));
    wait(&mut h, &mut state, "online again", |u, _| {
        matches!(
            u,
            Update::Conn {
                state: ConnState::Connected,
                ..
            }
        )
        .then_some(())
    })
    .await;
    // Groups are re-read after the reconnect.
    wait(&mut h, &mut state, "groups again", |u, _| {
        matches!(u, Update::Groups { .. }).then_some(())
    })
    .await;

    h.actions.send(Action::Logout(s)).expect("engine");
    wait(&mut h, &mut state, "session removed", |u, _| {
        matches!(u, Update::SessionRemoved(x) if *x == s).then_some(())
    })
    .await;
    assert!(state.session(s).is_none());
    assert!(!tmp.path().join("sessions/1").exists(), "keys deleted");
    assert!(
        sim.devices().is_empty(),
        "device unlinked: {:?}",
        sim.devices()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_side_by_side_and_live_events_reach_the_ui_state() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let dana = pair(&mut h, &mut state, &sim, DANA).await;
    let sam = pair(&mut h, &mut state, &sim, SAM).await;
    assert_ne!(dana, sam);
    wait(&mut h, &mut state, "both group lists", |_, st| {
        (st.groups.contains_key(&dana) && st.groups.contains_key(&sam)).then_some(())
    })
    .await;
    assert_eq!(state.sessions.len(), 2);

    // A simulated user asks to join the club: both admins' sessions see it.
    sim.apply(&Activity::RequestJoin {
        phone: NEWBIE.to_string(),
        group: CLUB.to_string(),
    })
    .expect("request");
    let newbie = format!("+{NEWBIE}");
    wait(&mut h, &mut state, "request in both sessions", |_, st| {
        let has = |s| {
            st.requests.get(&(s, gid(CLUB))).is_some_and(|r| {
                r.iter()
                    .any(|x| x.phone.as_deref() == Some(newbie.as_str()))
            })
        };
        // The startup request fetch can race the notification and list the request first,
        // so wait for the live feed entry too rather than assuming their order.
        let in_feed = st.events.iter().any(|e| {
            e.session == dana
                && matches!(e.kind, GroupEventKind::RequestCreated { ref who, .. } if who.contains(&newbie))
        });
        (has(dana) && has(sam) && in_feed).then_some(())
    })
    .await;

    // Sam promotes Riley in the team: Dana's roster shows the new admin, with the actor.
    sim.apply(&Activity::Promote {
        actor: SAM.to_string(),
        group: TEAM.to_string(),
        phone: RILEY.to_string(),
    })
    .expect("promote");
    let riley = format!("+{RILEY}");
    let promoted = wait(
        &mut h,
        &mut state,
        "the promotion in Dana's feed",
        |u, _| match u {
            Update::Event(e)
                if e.session == dana && matches!(e.kind, GroupEventKind::Promoted { .. }) =>
            {
                Some(e.clone())
            }
            _ => None,
        },
    )
    .await;
    assert!(
        state
            .rosters
            .get(&(dana, gid(TEAM)))
            .and_then(|r| r
                .iter()
                .find(|p| p.phone.as_deref() == Some(riley.as_str())))
            .is_some_and(|p| p.role == Role::Admin),
        "Dana's roster shows Riley as admin"
    );
    assert_eq!(promoted.actor.as_deref(), Some(format!("+{SAM}").as_str()));
    assert_eq!(promoted.group_subject, "Team");

    // A member leaves: roster shrinks and the feed says who left.
    sim.apply(&Activity::Leave {
        phone: RILEY.to_string(),
        group: TEAM.to_string(),
    })
    .expect("leave");
    wait(&mut h, &mut state, "leave", |_, st| {
        st.events
            .iter()
            .any(|e| e.session == dana && matches!(e.kind, GroupEventKind::Left { .. }))
            .then_some(())
    })
    .await;
    assert_eq!(
        state.groups[&dana]
            .iter()
            .find(|g| g.id == gid(TEAM))
            .map(|g| g.size),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_by_phone_code() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    h.actions.send(Action::NewSession).expect("engine");
    let s = wait(&mut h, &mut state, "a QR code first", |u, _| match u {
        Update::Qr { session, .. } => Some(*session),
        _ => None,
    })
    .await;
    h.actions
        .send(Action::PairWithPhone {
            session: s,
            phone: DANA.to_string(),
        })
        .expect("engine");
    let code = wait(&mut h, &mut state, "the pairing code", |u, _| match u {
        Update::PairCode { code, .. } => Some(code.clone()),
        Update::Error { message, .. } => panic!("pairing code refused: {message}"),
        _ => None,
    })
    .await;
    assert_eq!(code.len(), 8, "{code}");
    // The user types it on the phone.
    sim.enter_pair_code(DANA, &code)
        .expect("phone accepts the code");
    wait(&mut h, &mut state, "Connected", |u, _| {
        matches!(
            u,
            Update::Conn {
                state: ConnState::Connected,
                ..
            }
        )
        .then_some(())
    })
    .await;
    assert_eq!(
        state.session(s).and_then(|v| v.phone.clone()),
        Some(format!("+{DANA}"))
    );
}
