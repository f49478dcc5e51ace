//! The events pane's history view: `h` and `H` swap the live feed for stored events (of every
//! group, or of the selected one), and older pages load as the cursor nears the end.

use super::{Action, Command, Effect};
use crate::app::state::{AppState, HistoryView, Pane};
use crate::domain::{GroupEvent, GroupId};

/// How close to the end of the loaded history the next page is fetched.
const NEXT_PAGE_WITHIN: usize = 50;

/// `h` (every group) and `H` (the selected group) in the events pane.
pub(super) fn command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    match cmd {
        Command::History | Command::GroupHistory if state.focus == Pane::Events => {
            Some(toggle(state, cmd == Command::GroupHistory))
        }
        _ => None,
    }
}

/// Opens the history (asking for its first page), or goes back to live if that one is shown.
fn toggle(state: &mut AppState, one_group: bool) -> Vec<Effect> {
    let group = if one_group {
        state.current_group.clone()
    } else {
        None
    };
    let list = state.list_mut(Pane::Events);
    list.cursor = 0;
    list.offset = 0;
    if state.history.as_ref().is_some_and(|h| h.group == group) {
        state.history = None;
        return Vec::new();
    }
    state.history = Some(HistoryView {
        group: group.clone(),
        loading: true,
        ..Default::default()
    });
    vec![Effect::Send(Action::LoadHistory {
        group,
        before: None,
    })]
}

/// Near the end of the loaded history, the next page is asked for (once at a time).
pub(super) fn next_page(state: &mut AppState) -> Vec<Effect> {
    if state.focus != Pane::Events {
        return Vec::new();
    }
    let cursor = state.list(Pane::Events).cursor;
    let rows = state.row_count(Pane::Events);
    let Some(h) = &mut state.history else {
        return Vec::new();
    };
    if h.loading || h.exhausted || cursor + NEXT_PAGE_WITHIN < rows {
        return Vec::new();
    }
    h.loading = true;
    vec![Effect::Send(Action::LoadHistory {
        group: h.group.clone(),
        before: h.rows.last().map(|(id, _)| *id),
    })]
}

/// A page of stored events arrived: appended if it is for the history shown. A short page is
/// the last one.
pub(super) fn on_page(
    state: &mut AppState,
    group: Option<GroupId>,
    rows: Vec<(i64, GroupEvent)>,
) -> Vec<Effect> {
    if let Some(h) = &mut state.history
        && h.group == group
    {
        h.exhausted = rows.len() < crate::protocol::HISTORY_PAGE;
        h.loading = false;
        h.rows.extend(rows);
    }
    Vec::new()
}
