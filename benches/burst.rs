//! A burst of 10,000 group notifications as the UI and the cache receive them: the reducer
//! applying them to the budget state, and the store writing them (README "Performance":
//! >= 20,000 events/s applied and stored).

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use wamod::app::msg::Msg;
use wamod::app::update::update;
use wamod::domain::{GroupId, Role};
use wamod::perf::fixture::{SESSION, budget_state, event, gid, participant, request};
use wamod::protocol::Update;
use wamod::sim::Simulator;
use wamod::sim::scale::{self, BURST_GROUP, Scale};
use wamod::sim::scenario::Activity;

const BURST: usize = 10_000;

/// What the engine sends for a burst of notifications: half join requests into one approval
/// group (the request as a delta), half joins spread over the groups (the new member as a
/// delta); each with the group's row and the feed event.
fn burst_updates() -> Vec<Update> {
    let state = budget_state();
    let summary = |g: &GroupId| {
        state.groups[&SESSION]
            .iter()
            .find(|x| &x.id == g)
            .cloned()
            .expect("group")
    };
    let mut out = Vec::with_capacity(BURST * 3);
    for i in 0..BURST {
        let e = event(i);
        let group = if i % 2 == 0 { gid(2) } else { e.group.clone() };
        out.push(Update::Group {
            session: SESSION,
            group: summary(&group),
        });
        if i % 2 == 0 {
            out.push(Update::RequestsChanged {
                session: SESSION,
                group,
                added: vec![request(10_000 + i)],
                removed: Vec::new(),
            });
        } else {
            out.push(Update::RosterChanged {
                session: SESSION,
                group,
                upsert: vec![participant(200_000 + i, Role::Member)],
                removed: Vec::new(),
            });
        }
        out.push(Update::Event(e));
    }
    out
}

fn burst(c: &mut Criterion) {
    let updates = burst_updates();
    let mut g = c.benchmark_group("burst_10k");
    g.throughput(Throughput::Elements(BURST as u64));
    g.sample_size(10);
    g.bench_function("reducer", |b| {
        b.iter_batched(
            || (budget_state(), updates.clone()),
            |(mut state, updates)| {
                // As the UI loop does: what is waiting, up to a batch, at once.
                let mut rest = updates.into_iter().peekable();
                while rest.peek().is_some() {
                    let batch: Vec<Update> = rest
                        .by_ref()
                        .take(wamod::engine::EngineHandle::BATCH)
                        .collect();
                    update(&mut state, Msg::EngineBatch(batch));
                }
                state
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("store", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tmp");
                let store = wamod::store::Store::open(&dir.path().join("wamod.db")).expect("db");
                (dir, store, updates.clone())
            },
            |(dir, mut store, updates)| {
                // As the cache writer does: batches of up to 2,000 updates per transaction.
                for chunk in updates.chunks(2_000) {
                    store.apply_updates(chunk, 0).expect("write");
                }
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    // The other end of the end-to-end figure: the simulator creating the requests and
    // turning them into notifications (no device connected, so nothing is written).
    let askers: Vec<String> = wamod::sim::scale::outsiders(Scale::BUDGET).collect();
    g.bench_function("simulator", |b| {
        b.iter_batched(
            || Simulator::new(scale::scenario(Scale::BUDGET, 1_800_000_000)),
            |sim| {
                for phone in &askers {
                    let a = Activity::RequestJoin {
                        phone: phone.clone(),
                        group: BURST_GROUP.into(),
                    };
                    sim.apply(&a).expect("request");
                }
                sim
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, burst);
criterion_main!(benches);
