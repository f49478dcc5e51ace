//! Destructive actions ask first: `y` confirms, `n`/Esc cancels.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Padding, Paragraph, Wrap};

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
                    "Log out session {s}{who}? Its keys are deleted; you will need to link again."
                ),
            )
        }
        Confirm::RereadAll(s) => (
            "Re-read every group".to_string(),
            format!(
                "Read every group of session {s} from WhatsApp again? It is one query, and the \
                 join-request lists at the session's read pace; WhatsApp's notifications \
                 already keep them current."
            ),
        ),
        Confirm::Quit => (
            "Quit".to_string(),
            format!(
                "{} waiting for WhatsApp's answer. Quit anyway? The audit log records them as \
                 sent without an answer.",
                match state.ops.len() {
                    1 => "1 operation is".to_string(),
                    n => format!("{n} operations are"),
                }
            ),
        ),
        Confirm::Op {
            op, group, names, ..
        } => (
            op.title(),
            crate::app::state::question(state, op, group.as_ref(), names),
        ),
    };
    let height = u16::try_from(text.chars().count() / 56 + 6)
        .unwrap_or(8)
        .max(8);
    let area = centered(frame.area(), 60, height);
    let unlink = matches!(
        confirm,
        Confirm::Op {
            op: crate::ops::Op::Unlink { .. },
            ..
        }
    );
    let key =
        |k: &'static str| Span::styled(k, theme.fg(theme.alert_error).add_modifier(Modifier::BOLD));
    let mut choices = vec![key("y"), Span::raw(" confirm   ")];
    if unlink {
        choices = vec![
            key("y"),
            Span::raw(" unlink   "),
            key("r"),
            Span::raw(" unlink, remove those members   "),
        ];
    }
    let lines = vec![
        Line::raw(text),
        Line::raw(""),
        Line::from(
            choices
                .into_iter()
                .chain(vec![
                    Span::styled("n", theme.fg(theme.title).add_modifier(Modifier::BOLD)),
                    Span::raw("/"),
                    Span::styled("Esc", theme.fg(theme.title).add_modifier(Modifier::BOLD)),
                    Span::raw(" cancel"),
                ])
                .collect::<Vec<_>>(),
        ),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.fg(theme.alert_error))
        .padding(Padding::new(1, 1, 1, 0))
        .title(format!(" {title} "));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
