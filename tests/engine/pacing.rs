//! Reads and writes at a pace WhatsApp accepts: the sync of 1,000 groups in a few reads within
//! the simulator's read budget, a rate-limited read paused and retried, adds in small batches
//! up to the hourly cap, and what is not sent cancelled.

use wamod::app::msg::Msg;
use wamod::app::state::activity;
use wamod::app::update::update;
use wamod::domain::{GroupId, PaceLimits};
use wamod::engine::EngineConfig;
use wamod::ops::{Op, OpId, Outcome};
use wamod::protocol::{Action, Update};
use wamod::sim::scale::{self, BURST_GROUP, FULL_GROUP, Scale};
use wamod::sim::{FaultAction, Simulator};

use super::support::fixture::{DANA, TEAM, simulator};
use super::{engine, engine_from, gid, pair, test_config, until, wait};

/// Group IQs of `kind` the simulator has received so far.
fn iqs(sim: &Simulator, kind: &str) -> u64 {
    sim.group_iqs().get(kind).copied().unwrap_or(0)
}

/// WhatsApp Web's way: every group with its roster in one query, the join requests of the
/// approval groups we administer, and nothing more; opening a group reads nothing it already
/// has; `r` re-reads that group alone. Every read stays within the simulator's budget
/// (100 per minute), which a per-group loop over 1,000 groups would pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_groups_sync_in_a_few_reads_within_the_budget() {
    let world = Scale {
        groups: 1_000,
        participants: 3_000,
        pending: 20,
        outsiders: 0,
    };
    let sim = Simulator::new(scale::scenario(world, chrono::Utc::now().timestamp()));
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let s = pair(&mut h, &mut state, &sim, scale::OPERATOR).await;
    until(&mut h, &mut state, "1,000 groups with our role", |st| {
        st.groups
            .get(&s)
            .is_some_and(|g| g.len() == 1_000 && g.iter().all(|g| g.my_role.is_some()))
    })
    .await;
    let full = GroupId(format!("{FULL_GROUP}@g.us"));
    until(&mut h, &mut state, "the pending requests", |st| {
        st.requests
            .get(&(s, full.clone()))
            .is_some_and(|r| r.len() == 20)
    })
    .await;
    let reads: u64 = sim.group_iqs().values().sum();
    assert_eq!(iqs(&sim, "participating"), 1, "{:?}", sim.group_iqs());
    assert_eq!(iqs(&sim, "query"), 0, "no per-group metadata reads");
    assert!(reads <= 5, "the initial sync took {reads} group IQs");

    // Opening groups (other than the two approval groups) shows the rosters we have: no read.
    for i in 3..=22 {
        let group = GroupId(format!("1203639{i:011}@g.us"));
        h.actions
            .send(Action::LoadRoster { session: s, group })
            .expect("engine");
    }
    let burst = GroupId(format!("{BURST_GROUP}@g.us"));
    h.actions
        .send(Action::Reread {
            session: s,
            group: burst.clone(),
        })
        .expect("engine");
    wait(&mut h, &mut state, "the group read again", |u, _| match u {
        Update::Roster { group, .. } if *group == burst => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(
        iqs(&sim, "query"),
        1,
        "only the group asked for: {:?}",
        sim.group_iqs()
    );
}

/// A read answered 429 pauses the session's reads (the status bar counts down) and is retried
/// after WhatsApp's backoff, not reported as failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_read_pauses_and_is_retried() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut h, mut state) = engine(&sim, tmp.path());
    let limited = FaultAction::Error {
        code: 429,
        text: "rate-overlimit".into(),
        backoff: Some(2),
    };
    sim.inject_fault("participating", limited, 1);
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    wait(&mut h, &mut state, "reads paused", |u, _| match u {
        Update::Pace { pace, .. } => pace.reads_paused_until.map(|_| ()),
        _ => None,
    })
    .await;
    update(&mut state, Msg::Tick(chrono::Utc::now().timestamp()));
    let paused = activity(&state);
    assert!(
        paused
            .as_deref()
            .is_some_and(|a| a.contains("reads paused")),
        "{paused:?}"
    );
    until(&mut h, &mut state, "the groups, read again", |st| {
        st.groups.get(&s).is_some_and(|g| g.len() == 4)
    })
    .await;
    until(&mut h, &mut state, "reads resumed", |st| {
        st.pace
            .get(&s)
            .is_some_and(|p| p.reads_paused_until.is_none())
    })
    .await;
    assert_eq!(iqs(&sim, "participating"), 2, "once refused, once answered");
    assert!(
        state
            .status
            .as_ref()
            .is_none_or(|l| !l.text.contains("could not")),
        "{:?}",
        state.status
    );
}

/// Adds go out a few at a time with a gap, up to the hourly cap; then the rest waits for the
/// cap (the status bar says for which and until when) until it is cancelled, and comes back
/// as not sent. The simulator saw exactly the batches that went out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_go_at_the_pace_up_to_the_cap_and_the_rest_can_be_cancelled() {
    let sim = simulator();
    let tmp = tempfile::tempdir().expect("tmp");
    let pace = PaceLimits {
        add_batch: 2,
        add_gap_secs: 1,
        adds_per_hour: 5,
        ..PaceLimits::unpaced()
    };
    let (mut h, mut state) = engine_from(EngineConfig {
        pace,
        ..test_config(&sim, tmp.path())
    });
    let s = pair(&mut h, &mut state, &sim, DANA).await;
    until(&mut h, &mut state, "the groups", |st| {
        st.groups.get(&s).is_some_and(|g| g.len() == 4)
    })
    .await;
    let people: Vec<String> = (0..7)
        .map(|i| format!("1555009000{i}@s.whatsapp.net"))
        .collect();
    h.actions
        .send(Action::Run {
            id: OpId(1),
            session: s,
            group: Some(gid(TEAM)),
            op: Op::Add(people.clone()),
        })
        .expect("engine");
    let capped = wait(&mut h, &mut state, "the hourly cap", |u, _| match u {
        Update::Pace { pace, .. } if pace.cap_reached.is_some() => Some(pace.clone()),
        _ => None,
    })
    .await;
    assert_eq!(capped.cap_reached.as_deref(), Some("5 adds per hour"));
    assert_eq!(capped.adds_hour, (4, 5), "two batches of two went out");
    let next = capped.next_send.expect("until when");
    assert!(next >= chrono::Utc::now().timestamp() + 3_000, "{next}");
    assert_eq!(sim.group_iqs().get("add").copied(), Some(2));

    h.actions.send(Action::CancelUnsent(s)).expect("engine");
    let report = wait(&mut h, &mut state, "the report", |u, _| match u {
        Update::OpDone(r) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(report.targets.len(), 7);
    let cancelled = |t: &&wamod::ops::TargetOutcome| matches!(&t.outcome, Outcome::NotSent { why } if why.contains("cancelled"));
    assert_eq!(report.targets.iter().filter(cancelled).count(), 3);
    assert!(
        report.targets[..4].iter().all(|t| !cancelled(&t)),
        "{:?}",
        report.targets
    );
    assert_eq!(
        sim.group_iqs().get("add").copied(),
        Some(2),
        "nothing more went out"
    );
}
