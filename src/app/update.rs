//! The reducer: `update(state, msg) -> effects`. Pure: no I/O, no clock (time arrives as
//! `Msg::Tick`). Keys go to the open popup first, then to an active filter line, then through
//! the keymap of the focused pane.

mod audit;
mod commands;
pub mod community;
pub mod dialogs;
mod engine;
mod history;
mod inbox;
mod keys;
pub mod moderation;
mod nav;
mod pairing;
mod palette;
mod parse;

#[cfg(test)]
mod community_tests;
#[cfg(test)]
mod moderation_tests;
#[cfg(test)]
mod tests;

pub use pairing::normalize_phone;
pub use parse::{parse_invite, parse_participants};

use super::keymap::Command;
use super::msg::{Effect, Msg};
use super::state::{AppState, Level, StatusLine};
use crate::protocol::Action;

/// How long a status line stays up, in seconds.
const STATUS_SECS: i64 = 8;

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Paste(text) => {
            keys::on_paste(state, &text);
            Vec::new()
        }
        Msg::Scroll(lines) if state.popup.is_none() => scroll(state, lines),
        Msg::Scroll(_) => Vec::new(),
        Msg::Click(x, y) if state.popup.is_none() => nav::click(state, x, y),
        Msg::Click(..) => Vec::new(),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            tick(state, now);
            Vec::new()
        }
        Msg::EngineBatch(updates) => engine::on_batch(state, updates),
    }
}

/// The wheel moves the focused list's cursor a row per line, as the arrow keys do.
fn scroll(state: &mut AppState, lines: i8) -> Vec<Effect> {
    let cmd = if lines > 0 {
        Command::Down
    } else {
        Command::Up
    };
    (0..lines.unsigned_abs())
        .flat_map(|_| commands::command(state, cmd))
        .collect()
}

/// Time passes: the status line and rate-limit pauses expire.
fn tick(state: &mut AppState, now: i64) {
    state.now = now;
    if state.status.as_ref().is_some_and(|s| s.until < now) {
        state.status = None;
    }
}

fn status(state: &mut AppState, text: impl Into<String>, level: Level) {
    state.status = Some(StatusLine {
        text: text.into(),
        level,
        until: state.now + STATUS_SECS,
    });
}
