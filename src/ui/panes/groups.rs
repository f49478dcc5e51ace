//! Groups of the current session: subject, size, my role, approval mode, pending requests,
//! community marker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{CommunityMark, Role};
use crate::ui::{Theme, fit, list, pane_block, render_empty};

/// My role in a group, in the roster's role colours; 8 columns wide.
pub fn role_badge(role: Option<Role>, theme: &Theme) -> Span<'static> {
    match role {
        Some(r @ Role::SuperAdmin) => Span::styled("★ super ", theme.role(r)),
        Some(r @ Role::Admin) => Span::styled("◆ admin ", theme.role(r)),
        Some(r @ Role::Member) => Span::styled("· member", theme.role(r)),
        None => Span::styled("  —     ", theme.fg(theme.muted)),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.visible_groups();
    let list_state = state.list(Pane::Groups);
    // While the list is the cache's, that says more than the sort order.
    let cached = state
        .current_session
        .and_then(|s| state.session(s))
        .and_then(|s| s.cached_since);
    let position = list::position(rows.len(), list_state.cursor);
    let extra = match cached {
        Some(at) => format!("{position} · cached {}", crate::ui::age(state.now, at)),
        None => format!("{position} · sort: {}", state.group_sort.label()),
    };
    let block = pane_block(state, theme, Pane::Groups, &extra);
    if rows.is_empty() {
        let text = match state.current_session {
            None => "No session selected",
            Some(s) if !state.groups.contains_key(&s) => "Loading groups…",
            Some(_) if !list_state.filter.is_empty() => "No group matches the filter",
            Some(_) => "This account is in no group",
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let inner_width = usize::from(area.width.saturating_sub(2));
    // Marker, size, role badge, pending count and approval mark take 23 columns.
    let subject_width = inner_width.saturating_sub(23).max(8);
    let focused = state.focus == Pane::Groups;
    let header = Line::styled(
        format!(
            " {}{:>6} {:<8} {:>4} ✓",
            fit("group", subject_width),
            "size",
            "role",
            "req"
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
            let g = rows[i];
            let (marker, indent) = match &g.community {
                CommunityMark::None => (" ", ""),
                CommunityMark::Community => ("⌂", ""),
                CommunityMark::Announcement { .. } => ("↳", "» "),
                CommunityMark::Subgroup { .. } => ("↳", ""),
            };
            let selected = state.current_group.as_ref() == Some(&g.id);
            let subject = format!("{indent}{}", g.subject);
            let pending = if g.pending > 0 {
                Span::styled(
                    format!("{:>4}", g.pending),
                    theme.fg(theme.pending_badge).add_modifier(Modifier::BOLD),
                )
            } else if g.settings.approval {
                Span::styled(format!("{:>4}", "0"), theme.fg(theme.muted))
            } else {
                Span::raw("    ")
            };
            line(
                vec![
                    Span::styled(marker.to_string(), theme.fg(theme.community)),
                    Span::styled(
                        fit(&subject, subject_width),
                        if selected {
                            theme.fg(theme.title).add_modifier(Modifier::BOLD)
                        } else {
                            theme.fg(theme.base)
                        },
                    ),
                    Span::styled(format!("{:>6} ", g.size), theme.fg(theme.muted)),
                    role_badge(g.my_role, theme),
                    Span::raw(" "),
                    pending,
                    Span::styled(
                        if g.settings.approval { " ✓" } else { "  " }.to_string(),
                        theme.fg(theme.alert_info),
                    ),
                ],
                row_style(focused, i == list_state.cursor, theme),
            )
        },
    );
}
