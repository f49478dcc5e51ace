//! What the reducer tests share: the names they use, keys to press, sample ids and people, and
//! a state fed with engine updates.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use crate::app::keymap::Keymap;
pub use crate::app::msg::{Effect, Msg};
pub use crate::app::state::{AppState, Confirm, Level, Pairing, Pane, Popup};
pub use crate::app::update::update;
pub use crate::domain::*;
pub use crate::protocol::{Action, Update};

/// The session the fixtures are linked with.
pub const S1: SessionId = SessionId(1);

/// When the fixtures' clock stands (unix seconds).
pub const NOW: i64 = 1_800_000_000;

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(k: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types `keys` one character at a time; the effects of them all.
pub fn press(s: &mut AppState, keys: &str) -> Vec<Effect> {
    keys.chars().flat_map(|c| update(s, key(c))).collect()
}

pub fn gid(n: u32) -> GroupId {
    GroupId(format!("1203630000000000{n:02}@g.us"))
}

/// Participant `n`, known by LID and phone.
pub fn person(n: u32, role: Role) -> Participant {
    Participant {
        jid: format!("9{n:04}@lid"),
        phone: Some(format!("+1555000{n:04}")),
        lid: Some(format!("9{n:04}@lid")),
        role,
    }
}

/// `S1` appearing, with its phone number.
pub fn session_s1() -> Update {
    Update::Session {
        id: S1,
        phone: Some("+15550001111".into()),
        name: None,
    }
}

/// A state with the default keymap at `NOW`, fed `updates` one batch each.
pub fn state_after(updates: impl IntoIterator<Item = Update>) -> AppState {
    let mut s = AppState::new(Keymap::default(), NOW);
    for u in updates {
        update(&mut s, Msg::EngineBatch(vec![u]));
    }
    s
}
