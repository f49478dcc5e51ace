//! Groups of the current session as a community tree: subject, size, my role, approval mode,
//! pending requests.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{CommunityMark, Role};
use crate::ui::conn_words::sentence;
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
    let rows = state.group_rows();
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
        let session = state.current_session.and_then(|s| state.session(s));
        let trouble = session.and_then(|s| sentence(state, &s.conn));
        let text = match (state.current_session, trouble) {
            (None, _) => "No session selected".to_string(),
            // Why no groups come (unreachable, replaced, banned, ...), and what to do.
            (Some(s), Some(why)) if !state.groups.contains_key(&s) => format!("No groups: {why}"),
            (Some(s), None) if !state.groups.contains_key(&s) => "Loading groups…".to_string(),
            (Some(_), _) if !list_state.filter.is_empty() => "No group matches the filter".into(),
            (Some(_), _) => "This account is in no group".to_string(),
        };
        render_empty(frame, area, block, &text, theme);
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
            let row = rows[i];
            let g = row.group;
            // Tree: a community folds (▾/▸); its groups hang below it (├ └), the announcement
            // group marked », subgroups we are not in marked ○ and dimmed.
            let (marker, prefix) = match (&g.community, row.depth, row.fold) {
                (CommunityMark::Community, _, Some((true, _))) => ("▸", "⌂ ".to_string()),
                (CommunityMark::Community, _, _) => ("▾", "⌂ ".to_string()),
                (mark, 1, _) => {
                    let branch = if row.last { "└" } else { "├" };
                    let kind = match mark {
                        CommunityMark::Announcement { .. } => "» ",
                        _ if !row.joined => "○ ",
                        _ => "",
                    };
                    (" ", format!("{branch} {kind}"))
                }
                // A subgroup of a community we are not in.
                (CommunityMark::Subgroup { .. } | CommunityMark::Announcement { .. }, _, _) => {
                    ("↳", String::new())
                }
                _ => (" ", String::new()),
            };
            let folded_count = match row.fold {
                Some((true, n)) if n > 0 => format!(" (+{n})"),
                _ => String::new(),
            };
            let selected = state.current_group.as_ref() == Some(&g.id);
            let subject = format!("{prefix}{}{folded_count}", g.subject);
            let subject_style = if selected {
                theme.fg(theme.title).add_modifier(Modifier::BOLD)
            } else if !row.joined {
                theme.fg(theme.muted)
            } else {
                theme.fg(theme.base)
            };
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
                    Span::styled(fit(&subject, subject_width), subject_style),
                    Span::styled(format!("{:>6} ", g.size), theme.fg(theme.muted)),
                    if row.joined {
                        role_badge(g.my_role, theme)
                    } else {
                        Span::styled("not in  ", theme.fg(theme.muted))
                    },
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
