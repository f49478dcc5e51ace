//! The roster of the selected group: role badges in distinct colours, phone number and LID.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::Role;
use crate::ui::{Theme, cell, fit, list, pane_block, render_empty};

/// Inner width from which the full role words fit next to phone and LID.
const FULL_LABELS: usize = 41;

pub fn role_label(role: Role, full: bool) -> &'static str {
    match (role, full) {
        (Role::SuperAdmin, true) => "superadmin",
        (Role::SuperAdmin, false) => "super",
        (Role::Admin, _) => "admin",
        (Role::Member, _) => "member",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.visible_roster();
    let list_state = state.list(Pane::Roster);
    let group = state.current_group_summary();
    let extra = match group {
        Some(g) => {
            let position = list::position(rows.len(), list_state.cursor);
            // What the frame leaves for the subject after "[3] Roster 12/345 · " and corners.
            let room = usize::from(area.width).saturating_sub(18 + position.len());
            let whole = match state.current_session {
                Some(s) if state.community_members.contains_key(&(s, g.id.clone())) => {
                    " · all its groups"
                }
                _ => "",
            };
            format!(
                "{position} · {}{whole}",
                fit(&g.subject, room.min(32)).trim_end()
            )
        }
        None => String::new(),
    };
    let block = pane_block(state, theme, Pane::Roster, &extra);
    if rows.is_empty() {
        let text = match (group, state.current_session, &state.current_group) {
            (None, _, Some(_)) => "You are not in this group: Enter (in the groups pane) joins it",
            (None, _, _) => "Select a group",
            (Some(_), Some(s), Some(g)) if !state.rosters.contains_key(&(s, g.clone())) => {
                "Loading roster…"
            }
            _ if !list_state.filter.is_empty() => "Nobody matches the filter",
            _ => "No participants",
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let full = usize::from(area.width.saturating_sub(2)) >= FULL_LABELS;
    let session = state.current_session;
    let role_w = if full { 11 } else { 7 };
    let focused = state.focus == Pane::Roster;
    let header = Line::styled(
        format!(
            " {}{}{}",
            fit("role", role_w),
            fit("phone", 14),
            "name or lid"
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
            let p = rows[i];
            let marked = list_state.marked.contains(&p.jid);
            line(
                vec![
                    Span::styled(
                        if marked { "●" } else { " " }.to_string(),
                        theme.fg(theme.marked),
                    ),
                    Span::styled(fit(role_label(p.role, full), role_w), theme.role(p.role)),
                    Span::styled(
                        cell(p.phone.as_deref().unwrap_or("hidden number"), 14),
                        theme.fg(theme.base),
                    ),
                    // The name WhatsApp gave them, else the LID's user part (the server
                    // suffix is the same on every row).
                    match session.and_then(|s| state.name_of(s, p.phone.as_deref(), &p.jid)) {
                        Some(name) => Span::styled(name.to_string(), theme.fg(theme.base)),
                        None => Span::styled(
                            p.lid
                                .as_deref()
                                .unwrap_or(&p.jid)
                                .trim_end_matches("@lid")
                                .to_string(),
                            theme.fg(theme.muted),
                        ),
                    },
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}
