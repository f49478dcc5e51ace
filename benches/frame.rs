//! One full frame at 200x60 of the budget state: 1,000 groups listed, a 1,024-member roster,
//! 500 pending requests, a full events feed (README "Performance": p99 <= 2 ms).

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wamod::app::state::Pane;
use wamod::perf::fixture::budget_state;
use wamod::ui::{Theme, draw};

fn frame(c: &mut Criterion) {
    let theme = Theme::default();
    let mut state = budget_state();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    c.bench_function("frame_200x60_budget_state", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, &state, &theme)).expect("draw");
        })
    });
    // Scrolled to the middle of every list (the window is not the first page).
    for pane in [Pane::Groups, Pane::Roster, Pane::Requests] {
        let rows = state.row_count(pane);
        state.list_mut(pane).cursor = rows / 2;
    }
    c.bench_function("frame_200x60_scrolled", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, &state, &theme)).expect("draw");
        })
    });
}

criterion_group!(benches, frame);
criterion_main!(benches);
