//! Where the panes go. Wide terminals: sessions over groups on the left, roster and requests
//! side by side, events below. Narrow ones stack roster over requests.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

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
    let events_height = if area.height >= 36 { 10 } else { 6 };
    let [top, events] =
        Layout::vertical([Constraint::Min(6), Constraint::Length(events_height)]).areas(main);
    let left_width = if area.width >= 110 { 42 } else { 34 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(20)]).areas(top);
    let sessions_height = if area.height >= 36 { 6 } else { 5 };
    let [sessions, groups] =
        Layout::vertical([Constraint::Length(sessions_height), Constraint::Min(3)]).areas(left);
    let direction = if area.width >= 110 {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let [roster, requests] = Layout::default()
        .direction(direction)
        .constraints([Constraint::Percentage(58), Constraint::Percentage(42)])
        .areas(right);
    Areas {
        sessions,
        groups,
        roster,
        requests,
        events,
        status,
    }
}
