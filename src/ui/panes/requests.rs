//! Pending join requests of the selected group: who, how they asked, how long ago.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{GroupId, JoinRequest, RequestMethod, person_label_short};
use crate::ui::{Theme, age, cell, fit, list, pane_block, render_empty};

/// Requester column: a full international number and a space.
const WHO: usize = 14;
/// Age column: " 59m".
const AGE: usize = 4;

/// How they asked, in words; community requests name the community.
pub fn method(state: &AppState, r: &JoinRequest) -> String {
    let subject = |id: &GroupId| {
        state
            .current_session
            .and_then(|s| state.groups.get(&s))
            .and_then(|gs| gs.iter().find(|g| &g.id == id))
            .map(|g| g.subject.clone())
    };
    match (r.method, r.via_community.as_ref().and_then(subject)) {
        (RequestMethod::Community, Some(c)) => format!("⌂ {c}"),
        (m, _) => m.label().to_string(),
    }
}

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
                "Not an admin: WhatsApp only shows join requests to admins"
            }
            Some(_) if !list_state.filter.is_empty() => "No request matches the filter",
            Some(g) if !g.settings.approval => "No pending requests (approval mode is off)",
            Some(_) => "No pending requests",
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let inner = usize::from(area.width.saturating_sub(2));
    let via_w = inner.saturating_sub(1 + WHO + AGE).max(6);
    let focused = state.focus == Pane::Requests;
    let deciding = match (state.current_session, &state.current_group) {
        (Some(s), Some(g)) => state.deciding(s, g),
        _ => Default::default(),
    };
    let header = Line::styled(
        format!(
            " {}{}{:>AGE$}",
            fit("requester", WHO),
            fit("via", via_w),
            "age"
        ),
        theme.fg(theme.muted).add_modifier(Modifier::UNDERLINED),
    );
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
            // ⟳: a decision is on its way; the row goes when WhatsApp answers.
            let mark = if deciding.contains(r.jid.as_str()) {
                "⟳"
            } else if marked {
                "●"
            } else {
                " "
            };
            let when = r
                .requested_at
                .map(|t| age(state.now, t))
                .unwrap_or_default();
            line(
                vec![
                    Span::styled(mark.to_string(), theme.fg(theme.marked)),
                    Span::styled(cell(&who(state, r), WHO), theme.fg(theme.base)),
                    Span::styled(fit(&method(state, r), via_w), theme.fg(theme.alert_info)),
                    Span::styled(format!("{when:>AGE$}"), theme.fg(theme.muted)),
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}

/// A requester by the name WhatsApp gave them, else their number (or hidden number).
fn who(state: &AppState, r: &JoinRequest) -> String {
    state
        .current_session
        .and_then(|s| state.name_of(s, r.phone.as_deref(), &r.jid))
        .map_or_else(|| person_label_short(r.display()), str::to_string)
}
