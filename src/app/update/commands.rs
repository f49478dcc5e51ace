//! What a key's command does in the focused pane. Moderation and community commands have their
//! own modules; here are the rest, by family: moving the cursor, rows (open, filter, mark),
//! pane focus, sessions, the history view, and the app itself (quit, help, sort).

use super::{Action, Command, Effect, Level, community, history, moderation, nav, pairing, status};
use crate::app::state::{AppState, Confirm, Pane, Popup};
use crate::domain::ConnState;

/// A family of commands: its effects, or `None` if `cmd` is not one of it.
type Family = fn(&mut AppState, Command) -> Option<Vec<Effect>>;

pub(super) fn command(state: &mut AppState, cmd: Command) -> Vec<Effect> {
    if let Some(effects) = moderation::command(state, cmd) {
        return effects;
    }
    if let Some(effects) = community::command(state, cmd) {
        return effects;
    }
    let families: [Family; 6] = [
        movement,
        row_command,
        pane_focus,
        session_command,
        history::command,
        app_command,
    ];
    let mut effects = families
        .iter()
        .find_map(|family| family(state, cmd))
        .unwrap_or_default();
    effects.extend(history::next_page(state));
    effects
}

/// Up, down, a page, top and bottom; the selection follows the cursor.
fn movement(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let cursor = state.list(state.focus).cursor;
    let to = match cmd {
        Command::Down => cursor + 1,
        Command::Up => cursor.saturating_sub(1),
        Command::PageDown => cursor + page(state),
        Command::PageUp => cursor.saturating_sub(page(state)),
        Command::Top => 0,
        Command::Bottom => state.row_count(state.focus).saturating_sub(1),
        _ => return None,
    };
    Some(move_cursor(state, to))
}

/// Roughly the rows a list shows; the view keeps the cursor visible anyway.
fn page(state: &AppState) -> usize {
    usize::from(state.size.1 / 3).max(3)
}

/// Puts the focused list's cursor on row `to`, or its last row.
fn move_cursor(state: &mut AppState, to: usize) -> Vec<Effect> {
    let pane = state.focus;
    let rows = state.row_count(pane);
    let list = state.list_mut(pane);
    list.cursor = to.min(rows.saturating_sub(1));
    nav::follow_cursor(state)
}

/// Open the row, filter the list, go back, mark the row.
fn row_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Open => open(state),
        Command::Filter => {
            let pane = state.focus;
            state.list_mut(pane).filtering = true;
            Vec::new()
        }
        Command::Back => back(state),
        Command::Mark => toggle_mark(state),
        _ => return None,
    };
    Some(out)
}

/// Enter: a session opens its groups, a group its roster (a subgroup we are not in offers to
/// join it instead).
fn open(state: &mut AppState) -> Vec<Effect> {
    match state.focus {
        Pane::Sessions => state.focus = Pane::Groups,
        Pane::Groups => {
            if let Some(effects) = community::open_row(state) {
                return effects;
            }
            state.focus = Pane::Roster
        }
        _ => {}
    }
    Vec::new()
}

/// Esc: clears the filter if there is one, else the marks.
fn back(state: &mut AppState) -> Vec<Effect> {
    let pane = state.focus;
    let list = state.list_mut(pane);
    if !list.filter.is_empty() {
        list.filter.clear();
        list.cursor = 0;
        return nav::follow_cursor(state);
    }
    list.marked.clear();
    Vec::new()
}

/// Marks or unmarks the row under the cursor, then moves down (to mark the next).
fn toggle_mark(state: &mut AppState) -> Vec<Effect> {
    let pane = state.focus;
    let cursor = state.list(pane).cursor;
    if let Some(id) = nav::row_id(state, pane, cursor) {
        let marked = &mut state.list_mut(pane).marked;
        if !marked.remove(&id) {
            marked.insert(id);
        }
    }
    move_cursor(state, cursor + 1)
}

/// Tab and shift-Tab cycle the panes; the number keys go straight to one.
fn pane_focus(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let i = state.focus.index();
    state.focus = match cmd {
        Command::NextPane => Pane::ALL[(i + 1) % Pane::ALL.len()],
        Command::PrevPane => Pane::ALL[(i + Pane::ALL.len() - 1) % Pane::ALL.len()],
        Command::FocusSessions => Pane::Sessions,
        Command::FocusGroups => Pane::Groups,
        Command::FocusRoster => Pane::Roster,
        Command::FocusRequests => Pane::Requests,
        Command::FocusEvents => Pane::Events,
        _ => return None,
    };
    Some(Vec::new())
}

/// Refresh, link a new session (by QR code or phone number), log out (after asking).
fn session_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Refresh => refresh(state),
        Command::CancelUnsent => cancel_unsent(state),
        Command::RereadAll => {
            if let Some(s) = state.current_session {
                state.popup = Some(Popup::Confirm(Confirm::RereadAll(s)));
            }
            Vec::new()
        }
        Command::NewSession => vec![Effect::Send(Action::NewSession)],
        Command::PairPhone => pairing::pair_by_phone(state),
        Command::Logout => {
            if let Some(s) = state.sessions.get(state.list(Pane::Sessions).cursor) {
                state.popup = Some(Popup::Confirm(Confirm::Logout(s.id)));
            }
            Vec::new()
        }
        _ => return None,
    };
    Some(out)
}

/// `r`: a session that is not connected connects again; a connected one re-reads the selected
/// group (WhatsApp keeps the rest current through notifications). Re-reading every group is
/// `reread-all`, which asks first.
fn refresh(state: &mut AppState) -> Vec<Effect> {
    let Some(session) = state.current_session else {
        return Vec::new();
    };
    let connected = state
        .session(session)
        .is_some_and(|s| s.conn == ConnState::Connected);
    match (connected, state.current_group.clone()) {
        (true, Some(group)) => {
            status(state, "Reading the group again…", Level::Info);
            vec![Effect::Send(Action::Reread { session, group })]
        }
        (true, None) => {
            state.popup = Some(Popup::Confirm(Confirm::RereadAll(session)));
            Vec::new()
        }
        (false, _) => vec![Effect::Send(Action::Refresh(session))],
    }
}

/// Every session with operations not answered yet drops what it has not sent; each dropped
/// operation (or the unsent rest of a bulk one) comes back as not sent.
fn cancel_unsent(state: &mut AppState) -> Vec<Effect> {
    let sessions: std::collections::BTreeSet<_> = state.ops.values().map(|o| o.session).collect();
    if sessions.is_empty() {
        status(state, "Nothing is waiting to be sent", Level::Info);
        return Vec::new();
    }
    status(state, "Cancelling what is not sent yet…", Level::Info);
    sessions
        .into_iter()
        .map(|s| Effect::Send(Action::CancelUnsent(s)))
        .collect()
}

/// Quit (asking first while operations wait for answers), help, the groups' sort order.
fn app_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Quit if !state.ops.is_empty() => {
            state.popup = Some(Popup::Confirm(Confirm::Quit));
            Vec::new()
        }
        Command::Quit | Command::ForceQuit => vec![Effect::Quit],
        Command::Help => {
            state.popup = Some(Popup::Help { scroll: 0 });
            Vec::new()
        }
        Command::CycleSort => {
            state.group_sort = state.group_sort.next();
            nav::reselect_group(state);
            Vec::new()
        }
        _ => return None,
    };
    Some(out)
}
