//! One file per pane.

pub mod events;
pub mod groups;
pub mod requests;
pub mod roster;
pub mod sessions;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;

/// The cursor row is highlighted only in the focused pane.
pub fn row_style(focused: bool, selected: bool, theme: &Theme) -> Style {
    if selected && focused {
        theme.selected()
    } else {
        Style::default()
    }
}

pub fn line(spans: Vec<Span<'static>>, style: Style) -> Line<'static> {
    Line::from(spans).style(style)
}
