//! The cache side of a cold start: reading 1,000 groups and 100,000 participants from wamod.db
//! into the first frame's updates (README "Performance" has the whole-process figure).

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use wamod::perf::fixture::updates;

fn cache(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("wamod.db");
    let sessions = dir.path().join("sessions");
    wamod::perf::fixture::link_session(&sessions);
    let mut store = wamod::store::Store::open(&db).expect("db");
    store
        .apply_updates(&updates(1_000, 100_000, 1_024, 500), 0)
        .expect("fill");
    drop(store);
    let mut g = c.benchmark_group("cache");
    g.sample_size(10);
    g.bench_function("first_frame_updates_1000_groups_100k_participants", |b| {
        b.iter(|| wamod::engine::first_frame(&db, &sessions))
    });
    // What `wamod` does before its first draw: read the cache, apply it, draw.
    let theme = wamod::ui::Theme::default();
    g.bench_function("read_apply_draw_200x60", |b| {
        b.iter(|| {
            let mut state = wamod::app::state::AppState::new(Default::default(), 0);
            let updates = wamod::engine::first_frame(&db, &sessions);
            wamod::app::update::update(&mut state, wamod::app::msg::Msg::EngineBatch(updates));
            let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60))
                .expect("terminal");
            t.draw(|f| wamod::ui::draw(f, &state, &theme))
                .expect("draw");
            state
        })
    });
    // The other side: what a first sync writes (the group list and every roster).
    let world = updates(1_000, 100_000, 1_024, 500);
    g.bench_function("write_sync_1000_groups_100k_participants", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tmp");
                let store = wamod::store::Store::open(&dir.path().join("wamod.db")).expect("db");
                (dir, store)
            },
            |(dir, mut store)| {
                store.apply_updates(&world, 0).expect("write");
                (dir, store)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, cache);
criterion_main!(benches);
