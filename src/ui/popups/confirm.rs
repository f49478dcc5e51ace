//! Destructive actions ask first: `y` confirms, `n`/Esc cancels.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::centered;
use crate::app::state::{AppState, Confirm};
use crate::ui::Theme;

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, confirm: &Confirm) {
    let (title, text) = match confirm {
        Confirm::Logout(s) => {
            let who = state
                .session(*s)
                .and_then(|v| v.phone.clone())
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            (
                "Log out".to_string(),
                format!(
                    "Log out session {s}{who}? The device is unlinked and its keys are deleted; you will need to link it again."
                ),
            )
        }
        Confirm::Quit => (
            "Quit".to_string(),
            "Operations are in flight. Quit anyway?".to_string(),
        ),
    };
    let area = centered(frame.area(), 60, 8);
    let lines = vec![
        Line::raw(text),
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                "y",
                theme.fg(theme.alert_error).add_modifier(Modifier::BOLD),
            ),
            Span::raw(" confirm   "),
            Span::styled("n", theme.fg(theme.title).add_modifier(Modifier::BOLD)),
            Span::raw("/"),
            Span::styled("Esc", theme.fg(theme.title).add_modifier(Modifier::BOLD)),
            Span::raw(" cancel"),
        ]),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.fg(theme.alert_error))
        .title(format!(" {title} "));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
