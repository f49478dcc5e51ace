//! The inbox (`I`): every pending join request of every group a session administers, one row
//! each, with the group, the account, the age, how they asked and the signals wamod has.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::frame::popup;
use crate::app::state::{AppState, InboxSort, inbox_rows};
use crate::domain::person_label_short;
use crate::ui::panes::row_style;
use crate::ui::{Theme, age, cell};

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, cursor: usize, sort: InboxSort) {
    let screen = frame.area();
    let area = Rect::new(
        screen.x + 1,
        screen.y + 1,
        screen.width.saturating_sub(2),
        screen.height.saturating_sub(2),
    );
    let rows = inbox_rows(state, sort);
    let by = match sort {
        InboxSort::Age => "oldest first",
        InboxSort::Group => "by group",
        InboxSort::Signal => "by signal",
    };
    let title = format!("Inbox · {} pending · {by}", rows.len());
    let keys = [
        ("j/k", "move"),
        ("Enter", "go to it"),
        ("s", "sort"),
        ("Esc", "close"),
    ];
    let inner = popup(frame, area, theme, &title, &keys, false);
    let width = usize::from(inner.width);
    let several = state.sessions.len() > 1;
    let account_w = if several { 5 } else { 0 };
    let group_w = (width / 4).clamp(12, 30);
    let via_w = 16;
    let mut lines = vec![Line::styled(
        format!(
            " {}{}{}{}{}signals",
            cell("requester", 22),
            cell("group", group_w),
            cell("acct", account_w),
            cell("age", 5),
            cell("via", via_w),
        ),
        theme.fg(theme.muted).add_modifier(Modifier::UNDERLINED),
    )];
    if rows.is_empty() {
        lines.push(Line::styled(
            " No pending requests in the groups you administer",
            theme.fg(theme.muted),
        ));
    }
    let height = usize::from(inner.height.saturating_sub(1));
    let cursor = cursor.min(rows.len().saturating_sub(1));
    let start = crate::app::layout::window_start(rows.len(), cursor, 0, height);
    for (i, r) in rows.iter().enumerate().skip(start).take(height) {
        let who = state
            .name_of(r.session, r.request.phone.as_deref(), &r.request.jid)
            .map_or_else(|| person_label_short(r.request.display()), str::to_string);
        let when = r
            .request
            .requested_at
            .map(|t| age(state.now, t))
            .unwrap_or_default();
        let signal = if r.pending_in > 1 {
            format!("asks {} groups", r.pending_in)
        } else {
            String::new()
        };
        lines.push(
            Line::from(vec![
                Span::raw(" "),
                Span::styled(cell(&who, 22), theme.fg(theme.base)),
                Span::styled(cell(&r.group.subject, group_w), theme.fg(theme.title)),
                Span::styled(
                    cell(&r.session.to_string(), account_w),
                    theme.fg(theme.muted),
                ),
                Span::styled(cell(&when, 5), theme.fg(theme.muted)),
                Span::styled(
                    cell(r.request.method.label(), via_w),
                    theme.fg(theme.alert_info),
                ),
                Span::styled(signal, theme.fg(theme.pending_badge)),
            ])
            .style(row_style(true, i == cursor, theme)),
        );
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
