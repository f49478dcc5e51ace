//! Where the cursors are and what they select: clicks, the selection that follows the cursor
//! (and the loads a newly selected group asks for), and cursors kept on the selected group and
//! in range after a list changes.

use super::{Action, Effect};
use crate::app::layout;
use crate::app::state::{AppState, Pane};
use crate::domain::{GroupId, SessionId};

/// Focus the pane under the pointer and put the cursor on the clicked row. Uses the view's
/// layout function, so clicks land where the rows are drawn.
pub(super) fn click(state: &mut AppState, x: u16, y: u16) -> Vec<Effect> {
    let screen = ratatui::layout::Rect::new(0, 0, state.size.0, state.size.1);
    let areas = layout::areas(screen, state.audit_down.is_some());
    let hit = [
        (Pane::Sessions, areas.sessions),
        (Pane::Groups, areas.groups),
        (Pane::Roster, areas.roster),
        (Pane::Requests, areas.requests),
        (Pane::Events, areas.events),
    ]
    .into_iter()
    .find(|(_, r)| r.contains(ratatui::layout::Position::new(x, y)));
    let Some((pane, area)) = hit else {
        return Vec::new();
    };
    state.focus = pane;
    // Rows start below the border and, in tabular panes, a header line.
    let header = u16::from(matches!(pane, Pane::Groups | Pane::Roster | Pane::Requests));
    let first_row = area.y + 1 + header;
    let height = usize::from(area.height.saturating_sub(2 + header));
    if y < first_row || y >= area.y + area.height.saturating_sub(1) {
        return Vec::new();
    }
    let rows = state.row_count(pane);
    let list = state.list(pane);
    let start = layout::window_start(rows, list.cursor, list.offset, height);
    let row = start + usize::from(y - first_row);
    if row >= rows {
        return Vec::new();
    }
    let list = state.list_mut(pane);
    list.cursor = row;
    list.offset = start;
    follow_cursor(state)
}

/// The id marks are kept by: participant or requester JID.
pub(super) fn row_id(state: &AppState, pane: Pane, cursor: usize) -> Option<String> {
    match pane {
        Pane::Roster => state.visible_roster().get(cursor).map(|p| p.jid.clone()),
        Pane::Requests => state.visible_requests().get(cursor).map(|r| r.jid.clone()),
        _ => None,
    }
}

/// Selection follows the cursor: the sessions cursor picks the session, the groups cursor the
/// group; a newly selected group's roster and requests are loaded.
pub(super) fn follow_cursor(state: &mut AppState) -> Vec<Effect> {
    match state.focus {
        Pane::Sessions => {
            let s = state
                .sessions
                .get(state.list(Pane::Sessions).cursor)
                .map(|s| s.id);
            if s != state.current_session {
                state.current_session = s;
                state.current_group = None;
                state.list_mut(Pane::Groups).cursor = 0;
                return select_group_at_cursor(state);
            }
            Vec::new()
        }
        Pane::Groups => select_group_at_cursor(state),
        _ => Vec::new(),
    }
}

/// The group under the groups cursor becomes the selected one: its roster and requests start
/// unmarked at the top, and are loaded if we are in it.
pub(super) fn select_group_at_cursor(state: &mut AppState) -> Vec<Effect> {
    let cursor = state.list(Pane::Groups).cursor;
    let picked = state.group_rows().get(cursor).map(|r| {
        (
            r.group.id.clone(),
            r.group.my_role.is_some_and(|r| r.is_admin()),
            r.joined,
        )
    });
    let Some((id, admin, joined)) = picked else {
        return Vec::new();
    };
    if state.current_group.as_ref() == Some(&id) {
        return Vec::new();
    }
    state.current_group = Some(id.clone());
    for pane in [Pane::Roster, Pane::Requests] {
        let list = state.list_mut(pane);
        list.marked.clear();
        list.cursor = 0;
        list.offset = 0;
    }
    let Some(session) = state.current_session else {
        return Vec::new();
    };
    // A subgroup we are not in has no roster to load (Enter offers to join it).
    if !joined {
        return Vec::new();
    }
    load_group(session, id, admin)
}

/// What opening a group we are in asks the engine for: its roster, and its join requests if
/// we are an admin (WhatsApp shows them to admins only).
pub(super) fn load_group(session: SessionId, group: GroupId, admin: bool) -> Vec<Effect> {
    let mut out = vec![Effect::Send(Action::LoadRoster {
        session,
        group: group.clone(),
    })];
    if admin {
        out.push(Effect::Send(Action::LoadRequests { session, group }));
    }
    out
}

/// After the group list or its order changed: keep the cursor on the selected group.
pub(super) fn reselect_group(state: &mut AppState) {
    if let Some(f) = state.deferred.as_mut() {
        f.reselect = true;
        return;
    }
    let idx = state
        .current_group
        .as_ref()
        .and_then(|id| state.visible_groups().iter().position(|g| &g.id == id));
    let rows = state.row_count(Pane::Groups);
    let list = state.list_mut(Pane::Groups);
    match idx {
        Some(i) => list.cursor = i,
        None => list.cursor = list.cursor.min(rows.saturating_sub(1)),
    }
}

/// After a list shrank: keep its cursor on a row (deferred to the end of a batch).
pub(super) fn clamp(state: &mut AppState, pane: Pane) {
    if let Some(f) = state.deferred.as_mut() {
        f.clamp[pane.index()] = true;
        return;
    }
    let rows = state.row_count(pane);
    let list = state.list_mut(pane);
    list.cursor = list.cursor.min(rows.saturating_sub(1));
}
