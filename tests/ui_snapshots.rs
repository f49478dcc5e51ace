//! The view at 120x40 and 80x24: each pane and popup as a text snapshot, plus cell-level checks
//! for what text loses (role badge colours, the focused border) and for long lists.
//!
//! One test binary (each links the whole whatsapp-rust tree); the tests live in `ui/`, grouped
//! by what they draw, and share the fixture and the helpers below.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "ui/community.rs"]
mod community;
#[path = "ui/faults.rs"]
mod faults;
#[path = "ui/fixture.rs"]
mod fixture;
#[path = "ui/inbox.rs"]
mod inbox;
#[path = "ui/pairing.rs"]
mod pairing;
#[path = "ui/panes.rs"]
mod panes;
#[path = "ui/popups.rs"]
mod popups;

use std::fmt::Display;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wamod::app::msg::Msg;
use wamod::app::state::AppState;
use wamod::app::update::update;
use wamod::ui::{Theme, draw};

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| draw(f, state, &Theme::dark())).expect("draw");
    t
}

fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let line: String = (0..area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = line.find(text) {
            let x = line[..i].chars().count();
            return Some((u16::try_from(x).ok()?, y));
        }
    }
    None
}

/// Asserts the snapshot `tests/snapshots/ui_snapshots__<name>.snap`. Every snapshot goes through
/// here because insta names the file after the module and source file of the macro's call: from
/// `ui/*.rs` it would look in `tests/ui/snapshots/` with the module in the name.
fn snapshot(name: &str, value: impl Display) {
    insta::assert_snapshot!(name.to_string(), value.to_string());
}

/// The snapshot of the state drawn at `w`x`h`.
fn snapshot_at(name: &str, s: &AppState, w: u16, h: u16) {
    snapshot(name, render(s, w, h).backend());
}

/// The snapshots `<name>_120x40` and `<name>_80x24`.
fn both(name: &str, s: &AppState) {
    snapshot_at(&format!("{name}_120x40"), s, 120, 40);
    snapshot_at(&format!("{name}_80x24"), s, 80, 24);
}

fn press(s: &mut AppState, keys: &str) {
    for c in keys.chars() {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn press_code(s: &mut AppState, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}
