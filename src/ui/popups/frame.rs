//! The common frame of moderation popups: a titled double border, cleared background, a key
//! hint line at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Padding};

use crate::ui::Theme;

/// Clears `area` and draws the frame; returns the inner area.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    keys: &[(&str, &str)],
    danger: bool,
) -> Rect {
    let mut hint = vec![Span::raw(" ")];
    for (k, d) in keys {
        hint.push(Span::styled(
            k.to_string(),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        ));
        hint.push(Span::raw(format!(" {d} ")));
    }
    let border = if danger {
        theme.alert_error
    } else {
        theme.border_focused
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.fg(border))
        .padding(Padding::horizontal(1))
        .title(Span::styled(
            format!(" {title} "),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Line::from(hint));
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
