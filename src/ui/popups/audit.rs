//! The moderation audit log (`:audit [filter]`): who did what, where, to whom, and what
//! WhatsApp answered, newest first.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::frame::popup;
use crate::app::state::audit_rows;
use crate::protocol::AuditRow;
use crate::ui::{Theme, cell};

fn clock(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub fn draw(
    frame: &mut Frame,
    theme: &Theme,
    filter: &str,
    rows: Option<&[AuditRow]>,
    scroll: usize,
) {
    let screen = frame.area();
    let area = ratatui::layout::Rect::new(
        screen.x + 1,
        screen.y + 1,
        screen.width.saturating_sub(2),
        screen.height.saturating_sub(2),
    );
    let title = if filter.is_empty() {
        "Audit log".to_string()
    } else {
        format!("Audit log · {filter}")
    };
    let inner = popup(
        frame,
        area,
        theme,
        &title,
        &[("j/k", "scroll"), ("r", "reload"), ("Esc", "close")],
        false,
    );
    let Some(rows) = rows else {
        frame.render_widget(
            Paragraph::new("Reading the audit log…").style(theme.fg(theme.muted)),
            inner,
        );
        return;
    };
    let shown = audit_rows(rows, filter);
    // Narrow screens drop the session column and shorten groups, to leave room for outcomes.
    let narrow = inner.width < 100;
    let (session_w, group_w) = if narrow { (0, 14) } else { (8, 22) };
    let mut lines = vec![Line::styled(
        format!(
            "{}{}{}{}{}{}",
            cell("when", 12),
            cell("session", session_w),
            cell("group", group_w),
            cell("action", 12),
            cell("who", 14),
            "outcome"
        ),
        theme.fg(theme.muted).add_modifier(Modifier::UNDERLINED),
    )];
    if shown.is_empty() {
        lines.push(Line::styled(
            if rows.is_empty() {
                "Nothing yet: moderation actions are recorded here"
            } else {
                "No entry matches the filter"
            },
            theme.fg(theme.muted),
        ));
    }
    let visible = usize::from(inner.height.saturating_sub(1));
    for r in shown.iter().skip(scroll).take(visible) {
        let who = r
            .target_phone
            .clone()
            .or_else(|| r.target.clone())
            .unwrap_or_default();
        let style = match r.outcome.as_str() {
            "done" => theme.fg(theme.status_online),
            "unknown" | "sent" | "rate-limited" | "not-sent" => theme.fg(theme.pending_badge),
            "already-member" => theme.fg(theme.muted),
            _ => theme.fg(theme.alert_error),
        };
        let outcome = match &r.detail {
            Some(d) if r.outcome != "done" => d.clone(),
            _ => r.outcome.clone(),
        };
        lines.push(Line::from(vec![
            Span::styled(cell(&clock(r.sent_at), 12), theme.fg(theme.muted)),
            Span::styled(
                cell(&format!("#{}", r.session), session_w),
                theme.fg(theme.muted),
            ),
            Span::styled(cell(&r.group_subject, group_w), theme.fg(theme.title)),
            Span::styled(cell(&r.action, 12), theme.fg(theme.base)),
            Span::styled(cell(&who, 14), theme.fg(theme.base)),
            Span::styled(outcome, style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
