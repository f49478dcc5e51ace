//! Pending join requests of the selected group: who, how they asked, how long ago.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::RequestMethod;
use crate::ui::{Theme, age, fit, list, pane_block, render_empty};

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.visible_requests();
    let list_state = state.list(Pane::Requests);
    let group = state.current_group_summary();
    let extra = if group.is_some() {
        list::position(rows.len(), list_state.cursor)
    } else {
        String::new()
    };
    let block = pane_block(state, theme, Pane::Requests, &extra);
    if rows.is_empty() {
        let text = match group {
            None => "Select a group",
            Some(g) if !g.my_role.is_some_and(|r| r.is_admin()) => {
                "Not an admin: WhatsApp shows join requests to admins only"
            }
            Some(_) if !list_state.filter.is_empty() => "No request matches the filter",
            Some(g) if !g.settings.approval => "No pending requests (approval is off)",
            Some(_) => "No pending requests",
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let focused = state.focus == Pane::Requests;
    let header = Line::styled(
        format!("  {:<12} {:<10} {:>4}", "requester", "via", "age"),
        theme.fg(theme.muted).add_modifier(Modifier::UNDERLINED),
    );
    let subject_of = |id: &crate::domain::GroupId| {
        state
            .current_session
            .and_then(|s| state.groups.get(&s))
            .and_then(|gs| gs.iter().find(|g| &g.id == id))
            .map(|g| g.subject.clone())
            .unwrap_or_else(|| "community".into())
    };
    list::render(
        frame,
        area,
        block,
        Some(header),
        list_state,
        rows.len(),
        |i| {
            let r = rows[i];
            let marked = list_state.marked.contains(&r.jid);
            let via = match (r.method, &r.via_community) {
                (RequestMethod::Community, Some(c)) => format!("⌂ {}", subject_of(c)),
                (RequestMethod::Community, None) => "community".to_string(),
                (RequestMethod::InviteLink, _) => "link".to_string(),
                (RequestMethod::AddedByMember, _) => "member add".to_string(),
                (RequestMethod::Unknown, _) => "?".to_string(),
            };
            line(
                vec![
                    Span::styled(
                        if marked { " ●" } else { "  " }.to_string(),
                        theme.fg(theme.marked),
                    ),
                    Span::styled(fit(r.display(), 12), theme.fg(theme.base)),
                    Span::raw(" "),
                    Span::styled(fit(&via, 10), theme.fg(theme.alert_info)),
                    Span::styled(
                        format!(
                            " {:>4}",
                            r.requested_at
                                .map(|t| age(state.now, t))
                                .unwrap_or_default()
                        ),
                        theme.fg(theme.muted),
                    ),
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}
