//! The audit view (`:audit [filter]`): scrolls through the moderation log once it is loaded.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{Action, Effect};
use crate::app::state::{AppState, Popup, audit_rows};
use crate::protocol::AuditRow;

/// Scrolls within the rows that match the view's filter; `r` reloads, Esc, q or Enter close.
pub fn audit_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Audit {
        filter,
        rows,
        scroll,
    }) = state.popup.clone()
    else {
        return Vec::new();
    };
    let n = rows.as_deref().map_or(0, |r| audit_rows(r, &filter).len());
    let scroll = match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
            state.popup = None;
            return Vec::new();
        }
        KeyCode::Down | KeyCode::Char('j') => (scroll + 1).min(n.saturating_sub(1)),
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::PageDown => (scroll + 10).min(n.saturating_sub(1)),
        KeyCode::PageUp => scroll.saturating_sub(10),
        KeyCode::Char('r') => return vec![Effect::Send(Action::LoadAudit)],
        _ => scroll,
    };
    state.popup = Some(Popup::Audit {
        filter,
        rows,
        scroll,
    });
    Vec::new()
}

/// The audit log arrived: shown if the view is still open.
pub(super) fn on_rows(state: &mut AppState, all: Vec<AuditRow>) -> Vec<Effect> {
    if let Some(Popup::Audit { rows, .. }) = &mut state.popup {
        *rows = Some(all);
    }
    Vec::new()
}
