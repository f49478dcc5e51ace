//! The offline cache against the simulator: what changed while the client was away (dropped
//! connection, or wamod not running) shows in the feed marked as found on reconnect, and a
//! restart draws its first state from the cache before any network work.

use wamod::app::msg::Msg;
use wamod::app::update::update;
use wamod::domain::{ConnState, GroupEventKind};
use wamod::engine::{first_frame, spawn};
use wamod::protocol::{Action, Update};
use wamod::sim::scenario::Activity;

use super::support::fixture::{
    CLUB, DANA, NEWBIE, RILEY, SAM, TEAM, ask_to_join, new_accounts, simulator,
};
use super::{TestEngine, engine, gid, pair, test_config, until, wait};

fn found(state: &wamod::app::state::AppState, f: impl Fn(&GroupEventKind) -> bool) -> bool {
    state
        .events
        .iter()
        .any(|e| e.found_on_reconnect && f(&e.kind))
}

/// Dana links and her first sync is in (the club's requests); then her device is away and
/// cannot come back until the simulator takes connections again.
async fn linked_then_away(
    h: &mut TestEngine,
    state: &mut wamod::app::state::AppState,
    sim: &wamod::sim::Simulator,
) -> wamod::domain::SessionId {
    let s = pair(h, state, sim, DANA).await;
    wait(h, state, "club requests", |u, _| match u {
        Update::Requests { group, .. } if *group == gid(CLUB) => Some(()),
        _ => None,
    })
    .await;
    sim.refuse_connections(true);
    assert_eq!(sim.drop_connections(Some(DANA)), 1);
    wait(h, state, "offline", |u, _| {
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
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_while_away_are_found_on_reconnect_and_after_a_restart() {
    let sim = simulator();
    // WhatsApp's offline queue did not keep them (it keeps only so much, and only so long):
    // the reconnect's comparison finds them.
    sim.world_mut(|w| w.shapes.offline_queue = 0);
    let tmp = tempfile::tempdir().expect("tmp");
    // Back soon, but read again all the same (a short absence trusts the offline queue).
    let (mut h, mut state) = super::engine_resyncing(&sim, tmp.path());
    let s = linked_then_away(&mut h, &mut state, &sim).await;
    // Offline: others act meanwhile.
    for a in [
        Activity::Leave {
            phone: RILEY.into(),
            group: TEAM.into(),
        },
        Activity::Subject {
            actor: SAM.into(),
            group: TEAM.into(),
            subject: "Team (renamed)".into(),
        },
        Activity::RequestJoin {
            phone: NEWBIE.into(),
            group: CLUB.into(),
        },
    ] {
        sim.apply(&a).expect("activity");
    }
    sim.refuse_connections(false);
    let riley = format!("+{RILEY}");
    let newbie = format!("+{NEWBIE}");
    wait(&mut h, &mut state, "the missed changes", |_, st| {
        (found(st, |k| matches!(k, GroupEventKind::Left { who } if who.contains(&riley)))
            && found(st, |k| matches!(k, GroupEventKind::SubjectChanged { subject } if subject == "Team (renamed)"))
            && found(st, |k| matches!(k, GroupEventKind::RequestCreated { who, .. } if who.contains(&newbie))))
        .then_some(())
    })
    .await;
    assert!(
        !state
            .events
            .iter()
            .any(|e| e.found_on_reconnect && matches!(e.kind, GroupEventKind::Promoted { .. })),
        "nothing invented: {:?}",
        state.events
    );

    // wamod stops; meanwhile the request is withdrawn and Sam leaves a group whose roster was
    // never opened (it is cached from the group list).
    h.actions.send(Action::Shutdown).expect("engine");
    let _ = h.handle.task.await;
    sim.apply(&Activity::CancelRequest {
        phone: NEWBIE.into(),
        group: CLUB.into(),
    })
    .expect("cancel");
    sim.apply(&Activity::Leave {
        phone: SAM.into(),
        group: TEAM.into(),
    })
    .expect("leave");
    let sam = format!("+{SAM}");

    // Restart: the first state comes from the cache (no network), marked as cached.
    let db = tmp.path().join("wamod.db");
    let sessions = tmp.path().join("sessions");
    let mut state2 = wamod::app::state::AppState::new(state.keymap.clone(), state.now);
    update(&mut state2, Msg::EngineBatch(first_frame(&db, &sessions)));
    assert_eq!(state2.sessions.len(), 1);
    assert!(
        state2.sessions[0].cached_since.is_some(),
        "marked as cached"
    );
    let team = state2.groups[&s]
        .iter()
        .find(|g| g.id == gid(TEAM))
        .expect("team cached");
    assert_eq!(team.subject, "Team (renamed)");
    assert!(
        state2.requests.get(&(s, gid(CLUB))).is_some_and(|r| r
            .iter()
            .any(|x| x.phone.as_deref() == Some(newbie.as_str()))),
        "requests cached"
    );

    let mut h2 = TestEngine::new(spawn(test_config(&sim, tmp.path())));
    wait(
        &mut h2,
        &mut state2,
        "the withdrawn request and Sam's leaving, found",
        |_, st| {
            (found(
                st,
                |k| matches!(k, GroupEventKind::RequestRevoked { who } if who.contains(&newbie)),
            ) && found(
                st,
                |k| matches!(k, GroupEventKind::Left { who } if who.contains(&sam)),
            ))
            .then_some(())
        },
    )
    .await;
    assert!(state2.sessions[0].cached_since.is_none(), "live again");
    // Live events and found ones are in the history.
    let store = wamod::store::Store::open(&tmp.path().join("wamod.db")).expect("db");
    let history = store.events(None, None, 100).expect("history");
    assert!(history.iter().any(|(_, e)| e.found_on_reconnect));
}

/// `kill -9` in the middle of a bulk approve: the runtime (engine, client, cache writer) stops
/// dead between two batches. The audit log then holds every approval WhatsApp confirmed and
/// none it did not, and a restart reconciles the pending list with WhatsApp.
#[test]
fn a_kill_mid_bulk_approve_leaves_the_database_consistent() {
    use std::time::Duration;
    use wamod::ops::{Op, OpId};

    const N: usize = 600;
    let tmp = tempfile::tempdir().expect("tmp");
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    };
    let first = runtime();
    let (sim, s) = first.block_on(async {
        let sim = simulator();
        let (mut h, mut state) = engine(&sim, tmp.path());
        let s = pair(&mut h, &mut state, &sim, DANA).await;
        wait(&mut h, &mut state, "club requests", |u, _| match u {
            Update::Requests { group, .. } if *group == gid(CLUB) => Some(()),
            _ => None,
        })
        .await;
        let requesters = new_accounts(&sim, "1555900", N);
        ask_to_join(&sim, &requesters, CLUB);
        let jids = wait(&mut h, &mut state, "all requests", |_, st| {
            st.requests
                .get(&(s, gid(CLUB)))
                .filter(|r| r.len() == N + 1)
                .map(|r| r.iter().map(|x| x.jid.clone()).collect::<Vec<_>>())
        })
        .await;
        // Slow answers, so the kill lands while a batch is in flight.
        sim.set_latency(Duration::from_millis(400));
        h.actions
            .send(Action::Run {
                id: OpId(1),
                session: s,
                group: Some(gid(CLUB)),
                op: Op::Approve(jids),
            })
            .expect("engine");
        wait(&mut h, &mut state, "the first batch answered", |u, _| {
            matches!(u, Update::OpProgress { .. }).then_some(())
        })
        .await;
        (sim, s)
    });
    first.shutdown_background(); // the kill

    let db = tmp.path().join("wamod.db");
    let rows = wamod::store::Store::open(&db)
        .expect("the database opens after the kill")
        .audit(10_000)
        .expect("audit");
    let approve: Vec<_> = rows.iter().filter(|r| r.action == "approve").collect();
    assert!(
        approve.iter().all(|r| r.answered_at.is_none()),
        "the operation never finished, and says so"
    );
    let done: Vec<String> = approve
        .iter()
        .filter(|r| r.outcome == "done")
        .filter_map(|r| r.target_phone.clone())
        .collect();
    assert!(
        done.len() >= 256,
        "the first batch is recorded: {}",
        done.len()
    );
    assert!(
        done.len() < N + 1,
        "not everything was done: {}",
        done.len()
    );
    sim.world(|w| {
        let club = &w.groups[CLUB];
        for phone in &done {
            assert!(
                club.member(phone.trim_start_matches('+')).is_some(),
                "{phone} recorded as approved but not a member"
            );
        }
    });

    // Restart: the cached pending list is reconciled with WhatsApp's.
    sim.set_latency(Duration::ZERO);
    let second = runtime();
    second.block_on(async {
        let sessions = tmp.path().join("sessions");
        let mut state = wamod::app::state::AppState::new(Default::default(), 0);
        update(&mut state, Msg::EngineBatch(first_frame(&db, &sessions)));
        let mut h = TestEngine::new(spawn(test_config(&sim, tmp.path())));
        // The approval the kill cut short is listed for the moderator to check.
        let unanswered = wait(
            &mut h,
            &mut state,
            "unanswered operations",
            |u, _| match u {
                Update::Unanswered(n) => Some(*n),
                _ => None,
            },
        )
        .await;
        assert_eq!(unanswered, 1);
        assert!(
            state
                .status
                .as_ref()
                .is_some_and(|l| l.text.contains(":audit unanswered")),
            "{:?}",
            state.status
        );
        let pending = sim.world(|w| w.groups[CLUB].pending.len());
        wait(&mut h, &mut state, "requests reconciled", |_, st| {
            (st.requests.get(&(s, gid(CLUB))).map(|r| r.len()) == Some(pending)).then_some(())
        })
        .await;
        h.actions.send(Action::Shutdown).expect("engine");
        let _ = h.handle.task.await;
    });

    // The exports, parsed back, agree with WhatsApp's (the simulator's) state.
    use wamod::protocol::{Filter, Format, Table};
    let store = wamod::store::Store::open(&db).expect("db");
    let export = |table| {
        let mut out = Vec::new();
        let filter = Filter {
            session: None,
            group: Some(gid(CLUB).0),
        };
        store
            .export(table, Format::Json, &filter, &mut out)
            .expect("export");
        serde_json::from_slice::<Vec<serde_json::Map<String, serde_json::Value>>>(&out)
            .expect("json parses back")
    };
    let phone = |row: &serde_json::Map<String, serde_json::Value>| {
        row["phone"]
            .as_str()
            .map(|p| p.trim_start_matches('+').to_string())
    };
    let (members, pending) = sim.world(|w| {
        let club = &w.groups[CLUB];
        (club.participants.len(), club.pending.len())
    });
    let roster = export(Table::Roster);
    assert_eq!(roster.len(), members, "one roster row per member");
    sim.world(|w| {
        for p in roster.iter().filter_map(phone) {
            assert!(
                w.groups[CLUB].member(&p).is_some(),
                "{p} exported but not a member"
            );
        }
    });
    let requests = export(Table::Requests);
    assert_eq!(requests.len(), pending, "one row per pending request");
    let audit = export(Table::Audit);
    assert_eq!(
        audit.iter().filter(|r| r["outcome"] == "done").count(),
        done.len(),
        "the audit export holds exactly the confirmed approvals"
    );
}

/// What happened while the device was away comes from WhatsApp's offline queue on reconnect,
/// shown as the live events they are. Back after a short absence, nothing is read again; after
/// a longer one every group is, and the comparison does not find them a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_queue_is_applied_once() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = linked_then_away(&mut h, &mut state, &sim).await;
    sim.apply(&Activity::Subject {
        actor: SAM.into(),
        group: TEAM.into(),
        subject: "Team (while away)".into(),
    })
    .expect("activity");
    sim.refuse_connections(false);
    let renamed = |st: &wamod::app::state::AppState| {
        st.events
            .iter()
            .filter(|e| matches!(&e.kind, GroupEventKind::SubjectChanged { subject } if subject == "Team (while away)"))
            .map(|e| e.found_on_reconnect)
            .collect::<Vec<_>>()
    };
    until(&mut h, &mut state, "the queued change, live", |st| {
        renamed(st) == vec![false]
    })
    .await;
    let reads = |sim: &wamod::sim::Simulator| sim.group_iqs().get("participating").copied();
    assert_eq!(reads(&sim), Some(1), "only the first sync read the groups");
    // A full re-read (as after a long absence) finds nothing more to report.
    h.actions.send(Action::Refresh(s)).expect("engine");
    super::synced_again(&mut h, &mut state).await;
    assert_eq!(reads(&sim), Some(2));
    h.actions
        .send(Action::LoadRoster {
            session: s,
            group: gid(TEAM),
        })
        .expect("engine");
    wait(&mut h, &mut state, "a roster after the sync", |u, _| {
        matches!(u, Update::Roster { .. }).then_some(())
    })
    .await;
    assert_eq!(renamed(&state), vec![false], "{:?}", state.events);
}
