//! Sessions: one linked device per row, with its connection badge and group count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::ConnState;
use crate::ui::{Theme, fit, list, pane_block, render_empty};

pub fn badge(conn: &ConnState, theme: &Theme) -> Span<'static> {
    let (text, color) = match conn {
        ConnState::Connected => ("● online".to_string(), theme.status_online),
        ConnState::Connecting => ("◌ connecting".to_string(), theme.status_connecting),
        ConnState::Pairing => ("◇ pairing".to_string(), theme.status_pairing),
        ConnState::LoggedOut => ("○ logged out".to_string(), theme.status_logged_out),
        ConnState::Disconnected { retry_in_secs, .. } => (
            match retry_in_secs {
                Some(s) => format!("○ offline {s}s"),
                None => "○ offline".to_string(),
            },
            theme.status_offline,
        ),
    };
    Span::styled(text, theme.fg(color))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let block = pane_block(state, theme, Pane::Sessions, "");
    let focused = state.focus == Pane::Sessions;
    let list_state = state.list(Pane::Sessions);
    if state.sessions.is_empty() {
        let key = state.keymap.keys_label(
            crate::app::keymap::Context::Sessions,
            crate::app::keymap::Command::NewSession,
        );
        let text = format!("No sessions: press {key} to link a device");
        render_empty(frame, area, block, &text, theme);
        return;
    }
    list::render(
        frame,
        area,
        block,
        None,
        list_state,
        state.sessions.len(),
        |i| {
            let s = &state.sessions[i];
            let groups = state.groups.get(&s.id).map_or(0, Vec::len);
            let current = state.current_session == Some(s.id);
            let account = s.phone.clone().unwrap_or_else(|| "not linked".into());
            line(
                vec![
                    Span::styled(
                        if current { "▸" } else { " " }.to_string(),
                        theme.fg(theme.title),
                    ),
                    Span::styled(fit(&s.id.to_string(), 3), theme.fg(theme.muted)),
                    Span::styled(fit(&account, 13), theme.fg(theme.base)),
                    badge(&s.conn, theme),
                    Span::styled(format!(" · {groups} groups"), theme.fg(theme.muted)),
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}
