//! What WhatsApp answered: the operation's outcome and one row per participant, in words.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::centered;
use super::frame::popup;
use crate::domain::person_label;
use crate::ops::{OpReport, Outcome};
use crate::ui::{Theme, fit};

fn outcome_style(o: &Outcome, theme: &Theme) -> ratatui::style::Style {
    match o {
        Outcome::Done => theme.fg(theme.status_online),
        Outcome::Unknown { .. }
        | Outcome::RateLimited { .. }
        | Outcome::NotSent { .. }
        | Outcome::Waiting { .. } => theme.fg(theme.pending_badge),
        Outcome::AlreadyMember => theme.fg(theme.muted),
        _ => theme.fg(theme.alert_error),
    }
}

pub fn draw(frame: &mut Frame, theme: &Theme, report: &OpReport, scroll: usize) {
    let rows = report.targets.len();
    let height = u16::try_from(rows.min(16) + 9).unwrap_or(25);
    let area = centered(frame.area(), 76, height);
    let mut keys = vec![("Esc", "close")];
    if rows > 16 {
        keys.insert(0, ("j/k", "scroll"));
    }
    if report.privacy_invite() {
        keys.insert(0, ("i", "invite link for them"));
    }
    let danger = !report.all_done();
    let subject = if report.group_subject.is_empty() {
        String::new()
    } else {
        format!(" · {}", report.group_subject)
    };
    let inner = popup(
        frame,
        area,
        theme,
        &format!("{}{subject}", report.title),
        &keys,
        danger,
    );
    let mut lines = vec![Line::from(vec![
        Span::raw("WhatsApp: "),
        Span::styled(
            report.summary(),
            if report.all_done() {
                theme.fg(theme.status_online)
            } else {
                theme.fg(theme.pending_badge)
            },
        ),
    ])];
    if let Some(crate::ops::Answer::InviteLink(link)) = &report.answer {
        lines.push(Line::styled(link.clone(), theme.fg(theme.title)));
    }
    lines.push(Line::raw(""));
    let width = usize::from(inner.width);
    for t in report.targets.iter().skip(scroll).take(16) {
        lines.push(Line::from(vec![
            Span::styled(fit(&person_label(t.display()), 18), theme.fg(theme.base)),
            Span::styled(
                fit(&t.outcome.words(), width.saturating_sub(18)),
                outcome_style(&t.outcome, theme),
            ),
        ]));
    }
    if report.privacy_invite() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "WhatsApp does not let you add people whose privacy settings forbid it; press i for \
             the group's invite link (text and QR) to send them.",
            theme.fg(theme.alert_info),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
