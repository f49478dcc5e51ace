//! Where a key or a paste goes: the open popup first, then an active filter line, then the
//! keymap of the focused pane.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Effect, audit, commands, community, dialogs, nav, pairing};
use crate::app::keymap::{Command, Context};
use crate::app::state::{AppState, Popup};

pub(super) fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    // Ctrl-c always quits, whatever has the keyboard.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return vec![Effect::Quit];
    }
    if state.popup.is_some() {
        return popup_key(state, key);
    }
    if state.list(state.focus).filtering {
        return filter_key(state, key);
    }
    match state.keymap.lookup(state.focus.context(), &key) {
        Some(cmd) => commands::command(state, cmd),
        None => Vec::new(),
    }
}

fn popup_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(popup) = state.popup.clone() else {
        return Vec::new();
    };
    match popup {
        Popup::Help { scroll } => help_key(state, scroll, key),
        Popup::Confirm(confirm) => dialogs::confirm_key(state, confirm, key),
        Popup::Pairing {
            session,
            state: pairing,
        } => pairing::pairing_key(state, session, pairing, key),
        Popup::Input(d) => dialogs::input_key(state, *d, key),
        Popup::Settings(d) => dialogs::settings_key(state, d, key),
        Popup::Create(c) => dialogs::create_key(state, *c, key),
        Popup::Link(p) => community::picker_key(state, p, key),
        Popup::Invite { .. } => dialogs::invite_key(state, key),
        Popup::Result { .. } => dialogs::result_key(state, key),
        Popup::Preview { .. } => dialogs::preview_key(state, key),
        Popup::DescriptionConflict { .. } => dialogs::conflict_key(state, key),
        Popup::Audit { .. } => audit::audit_key(state, key),
        Popup::Inbox { cursor, sort } => super::inbox::inbox_key(state, cursor, sort, key),
    }
}

/// The help popup scrolls with the global movement keys and closes with back, help or quit.
fn help_key(state: &mut AppState, scroll: usize, key: KeyEvent) -> Vec<Effect> {
    let cmd = state.keymap.lookup(Context::Global, &key);
    match cmd {
        Some(Command::Down) => state.popup = Some(Popup::Help { scroll: scroll + 1 }),
        Some(Command::Up) => {
            state.popup = Some(Popup::Help {
                scroll: scroll.saturating_sub(1),
            })
        }
        Some(Command::Back | Command::Help | Command::Quit) => state.popup = None,
        _ => {}
    }
    Vec::new()
}

/// A key on the filter line; the selection follows the narrowed list (and loads what it shows).
fn filter_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let pane = state.focus;
    match key.code {
        KeyCode::Esc => {
            let list = state.list_mut(pane);
            list.filter.clear();
            list.filtering = false;
        }
        KeyCode::Enter => state.list_mut(pane).filtering = false,
        KeyCode::Backspace => {
            state.list_mut(pane).filter.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            state.list_mut(pane).filter.push(c);
        }
        _ => return Vec::new(),
    }
    let list = state.list_mut(pane);
    list.cursor = 0;
    list.offset = 0;
    nav::follow_cursor(state)
}

/// Pasted text goes to the open dialog, the phone-number entry, or an active filter line.
pub(super) fn on_paste(state: &mut AppState, text: &str) {
    if dialogs::paste(state, text) || pairing::paste(state, text) {
        return;
    }
    let pane = state.focus;
    if state.list(pane).filtering {
        state
            .list_mut(pane)
            .filter
            .extend(text.chars().filter(|c| !c.is_control()));
    }
}
