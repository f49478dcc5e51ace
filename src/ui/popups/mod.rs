//! Overlays drawn over the panes.

pub mod audit;
pub mod confirm;
pub mod frame;
pub mod help;
pub mod inbox;
pub mod input;
pub mod invite;
pub mod link;
pub mod pairing;
pub mod preview;
pub mod result;
pub mod settings;

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// A `width` x `height` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    rect
}
