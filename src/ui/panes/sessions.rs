//! Sessions: one linked device per row, with its connection badge and group count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Span;

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{ConnState, Ending, LogoutReason};
use crate::ui::conn_words::badge_text;
use crate::ui::{Theme, fit, list, pane_block, render_empty};

pub fn badge(conn: &ConnState, theme: &Theme) -> Span<'static> {
    let color = match conn {
        ConnState::Connected => theme.status_online,
        ConnState::Connecting => theme.status_connecting,
        ConnState::Pairing | ConnState::Ended(Ending::QrCodesExpired) => theme.status_pairing,
        ConnState::Disconnected { .. } => theme.status_offline,
        ConnState::Ended(_) => theme.alert_error,
        ConnState::LoggedOut(LogoutReason::Locked { .. }) => theme.alert_error,
        ConnState::LoggedOut(_) => theme.status_logged_out,
    };
    Span::styled(badge_text(conn), theme.fg(color))
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
        let text = format!("No sessions — press {key} to link a device");
        render_empty(frame, area, block, &text, theme);
        return;
    }
    // The badge column is as wide as the longest badge ("○ offline 12s") plus a space.
    let badge_w = state
        .sessions
        .iter()
        .map(|s| badge(&s.conn, theme).content.chars().count() + 1)
        .max()
        .unwrap_or(0);
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
            // The session whose groups are shown: bold id (the cursor row may be elsewhere).
            let id_style = if state.current_session == Some(s.id) {
                theme.fg(theme.title).add_modifier(Modifier::BOLD)
            } else {
                theme.fg(theme.muted)
            };
            let account = s.phone.as_deref().unwrap_or("not linked");
            let mut badge = badge(&s.conn, theme);
            badge.content = fit(&badge.content, badge_w).into();
            line(
                vec![
                    Span::styled(fit(&s.id.to_string(), 3), id_style),
                    Span::styled(fit(account, 13), theme.fg(theme.base)),
                    badge,
                    Span::styled(
                        format!("{groups} group{}", if groups == 1 { "" } else { "s" }),
                        theme.fg(theme.muted),
                    ),
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}
