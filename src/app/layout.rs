//! Where the panes go. Wide terminals: sessions over groups on the left, roster and requests
//! side by side, events below. Narrow ones (80 columns) split the screen in half and stack
//! roster over requests. Geometry only: the view draws into these areas and the reducer maps
//! mouse clicks with them, so both agree on where a row is.

use ratatui::layout::{Constraint, Layout, Rect};

/// At this width and above, roster and requests sit side by side.
pub const WIDE: u16 = 110;

pub struct Areas {
    /// A line across the top for what must not be missed (the audit log unavailable); empty
    /// when there is none.
    pub banner: Rect,
    pub sessions: Rect,
    pub groups: Rect,
    pub roster: Rect,
    pub requests: Rect,
    pub events: Rect,
    pub status: Rect,
}

pub fn areas(area: Rect, banner: bool) -> Areas {
    let [banner, main, status] = Layout::vertical([
        Constraint::Length(u16::from(banner)),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let tall = area.height >= 36;
    let events_height = if tall { 10 } else { 6 };
    let [top, events] =
        Layout::vertical([Constraint::Min(6), Constraint::Length(events_height)]).areas(main);
    let wide = area.width >= WIDE;
    // Groups need room for subjects; at 80 columns half the screen gives them 14 characters.
    let left_width = if wide {
        42
    } else {
        (area.width / 2).clamp(30, 44)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(20)]).areas(top);
    // Room for a few sessions; most people link one or two devices.
    let sessions_height = if tall { 6 } else { 4 };
    let [sessions, groups] =
        Layout::vertical([Constraint::Length(sessions_height), Constraint::Min(3)]).areas(left);
    let [roster, requests] = if wide {
        // Requests have short rows (who, how, when); the roster gets the rest.
        Layout::horizontal([Constraint::Min(20), Constraint::Length(35)]).areas(right)
    } else {
        Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(right)
    };
    Areas {
        banner,
        sessions,
        groups,
        roster,
        requests,
        events,
        status,
    }
}

/// The first row to show so that `cursor` is visible in `height` rows, starting from the
/// stored `offset` (the reducer's guess) and moving only as much as needed.
pub fn window_start(total: usize, cursor: usize, offset: usize, height: usize) -> usize {
    if height == 0 || total == 0 {
        return 0;
    }
    let cursor = cursor.min(total - 1);
    let start = if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    };
    start.min(total.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_the_cursor_visible() {
        assert_eq!(window_start(1024, 700, 0, 30), 671);
        assert_eq!(window_start(1024, 700, 690, 30), 690);
        assert_eq!(window_start(1024, 5, 690, 30), 5);
        assert_eq!(window_start(10, 9, 0, 30), 0);
        assert_eq!(window_start(0, 0, 0, 30), 0);
    }
}
