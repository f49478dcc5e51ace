//! The bottom line: a message if there is one, else the focused pane's keys; the connection
//! summary on the right. Generated from the keymap, like help.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::{Command, Context};
use crate::app::state::{AppState, Level};
use crate::domain::ConnState;
use crate::ui::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let online = state
        .sessions
        .iter()
        .filter(|s| s.conn == ConnState::Connected)
        .count();
    let summary = format!(
        " {} session{} · {online} online ",
        state.sessions.len(),
        if state.sessions.len() == 1 { "" } else { "s" }
    );
    let [left, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(u16::try_from(summary.chars().count()).unwrap_or(20)),
    ])
    .areas(area);
    let message = state.status.as_ref().filter(|s| s.until >= state.now);
    let line = match message {
        Some(s) => Line::styled(
            format!(" {}", s.text),
            theme.fg(match s.level {
                Level::Info => theme.alert_info,
                Level::Error => theme.alert_error,
            }),
        ),
        None => {
            let ctx = state.focus.context();
            let mut spans = Vec::new();
            let mut push = |keys: String, desc: &str| {
                if keys.is_empty() {
                    return;
                }
                spans.push(Span::styled(
                    format!(" {keys}"),
                    theme.fg(theme.title).add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::styled(format!(" {desc} "), theme.fg(theme.muted)));
            };
            for (keys, cmd) in state.keymap.entries(ctx) {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                push(keys.join("/"), cmd.desc());
            }
            for cmd in [Command::Filter, Command::Help, Command::Quit] {
                push(state.keymap.keys_label(Context::Global, cmd), cmd.desc());
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(
        Paragraph::new(Line::styled(summary, theme.fg(theme.muted))),
        right,
    );
}
