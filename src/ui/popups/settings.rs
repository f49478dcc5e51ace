//! Group settings: five rows, each with its choices; changes are drafts until Enter.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::centered;
use super::frame::popup;
use crate::app::state::{AppState, SettingsDialog};
use crate::app::state::{settings_change_count, settings_rows};
use crate::ui::{Theme, fit};

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, d: &SettingsDialog) {
    let area = centered(frame.area(), 60, 12);
    let subject = state
        .groups
        .get(&d.session)
        .and_then(|gs| gs.iter().find(|g| g.id == d.group))
        .map(|g| g.subject.clone())
        .unwrap_or_default();
    let inner = popup(
        frame,
        area,
        theme,
        &format!("Settings · {subject}"),
        &[
            ("←/→/Space", "change"),
            ("Enter", "apply"),
            ("Esc", "cancel"),
        ],
        false,
    );
    let mut lines = Vec::new();
    for (i, (name, value, changed)) in settings_rows(d).into_iter().enumerate() {
        let style = if i == d.cursor {
            theme.selected()
        } else {
            theme.fg(theme.base)
        };
        let mark = if changed { "•" } else { " " };
        lines.push(Line::from(vec![
            Span::styled(mark.to_string(), theme.fg(theme.marked)),
            Span::styled(fit(name, 24), style),
            Span::styled(format!("‹ {value} ›"), style.add_modifier(Modifier::BOLD)),
        ]));
    }
    lines.push(Line::raw(""));
    let changes = settings_change_count(d);
    lines.push(Line::styled(
        match changes {
            0 => "No changes yet".to_string(),
            1 => "1 change to send (•)".to_string(),
            n => format!("{n} changes to send (•)"),
        },
        theme.fg(theme.muted),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
