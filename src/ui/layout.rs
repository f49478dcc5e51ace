//! Where the panes go. Wide terminals: sessions over groups on the left, roster and requests
//! side by side, events below. Narrow ones (80 columns) split the screen in half and stack
//! roster over requests. The reducer uses this too (mouse clicks), so it depends on the screen
//! size only.

use ratatui::layout::{Constraint, Layout, Rect};

/// At this width and above, roster and requests sit side by side.
pub const WIDE: u16 = 110;

pub struct Areas {
    pub sessions: Rect,
    pub groups: Rect,
    pub roster: Rect,
    pub requests: Rect,
    pub events: Rect,
    pub status: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [main, status] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
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
        sessions,
        groups,
        roster,
        requests,
        events,
        status,
    }
}
