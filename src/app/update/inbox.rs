//! The inbox (`I`, `:inbox`): every pending join request of every group a session administers,
//! in one list. This first step lists and sorts them; `Enter` goes to the request in its
//! group's requests pane, where `a`/`x` decide it.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::Effect;
use super::nav::{load_group, reselect_group};
use crate::app::state::{AppState, InboxSort, Pane, Popup, inbox_rows};

/// `I` opens the inbox, or closes it.
pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    state.popup = match state.popup {
        Some(Popup::Inbox { .. }) => None,
        _ => Some(Popup::Inbox {
            cursor: 0,
            sort: InboxSort::default(),
        }),
    };
    Vec::new()
}

/// Moves through the inbox; `s` sorts by age, group or signal; `Enter` goes to the request;
/// Esc, `q` or `I` close it.
pub(super) fn inbox_key(
    state: &mut AppState,
    cursor: usize,
    sort: InboxSort,
    key: KeyEvent,
) -> Vec<Effect> {
    let n = inbox_rows(state, sort).len();
    let last = n.saturating_sub(1);
    let (cursor, sort) = match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('I') => {
            state.popup = None;
            return Vec::new();
        }
        KeyCode::Enter => return go_to(state, cursor, sort),
        KeyCode::Down | KeyCode::Char('j') => ((cursor + 1).min(last), sort),
        KeyCode::Up | KeyCode::Char('k') => (cursor.saturating_sub(1), sort),
        KeyCode::PageDown => ((cursor + 10).min(last), sort),
        KeyCode::PageUp => (cursor.saturating_sub(10), sort),
        KeyCode::Char('g') | KeyCode::Home => (0, sort),
        KeyCode::Char('G') | KeyCode::End => (last, sort),
        KeyCode::Char('s') => (0, next_sort(sort)),
        _ => (cursor, sort),
    };
    state.popup = Some(Popup::Inbox { cursor, sort });
    Vec::new()
}

fn next_sort(sort: InboxSort) -> InboxSort {
    match sort {
        InboxSort::Age => InboxSort::Group,
        InboxSort::Group => InboxSort::Signal,
        InboxSort::Signal => InboxSort::Age,
    }
}

/// Closes the inbox on the request under its cursor: its session and group selected (filters
/// cleared so they show), the requests pane focused with the cursor on it.
fn go_to(state: &mut AppState, cursor: usize, sort: InboxSort) -> Vec<Effect> {
    let Some((session, group, jid, admin)) = inbox_rows(state, sort).get(cursor).map(|r| {
        (
            r.session,
            r.group.id.clone(),
            r.request.jid.clone(),
            r.group.my_role.is_some_and(|x| x.is_admin()),
        )
    }) else {
        state.popup = None;
        return Vec::new();
    };
    state.popup = None;
    if let Some(i) = state.sessions.iter().position(|s| s.id == session) {
        state.list_mut(Pane::Sessions).cursor = i;
    }
    let changed =
        state.current_session != Some(session) || state.current_group != Some(group.clone());
    state.current_session = Some(session);
    state.current_group = Some(group.clone());
    for pane in [Pane::Groups, Pane::Requests] {
        state.list_mut(pane).filter.clear();
    }
    reselect_group(state);
    state.focus = Pane::Requests;
    if let Some(i) = state.visible_requests().iter().position(|r| r.jid == jid) {
        state.list_mut(Pane::Requests).cursor = i;
    }
    match changed {
        true => load_group(session, group, admin),
        false => Vec::new(),
    }
}
