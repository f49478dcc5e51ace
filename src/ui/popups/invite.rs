//! The group's invite link, as text and as a terminal QR code (scan it with a phone camera to
//! open the link), with copy and revoke.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::centered;
use super::frame::popup;
use super::pairing::qr_rows;
use crate::app::state::AppState;
use crate::domain::{GroupId, SessionId};
use crate::ui::Theme;

pub fn draw(
    frame: &mut Frame,
    state: &AppState,
    theme: &Theme,
    session: SessionId,
    group: &GroupId,
    link: Option<&str>,
    note: Option<&str>,
) {
    let subject = state
        .groups
        .get(&session)
        .and_then(|gs| gs.iter().find(|g| &g.id == group))
        .map(|g| g.subject.clone())
        .unwrap_or_default();
    let rows = link.and_then(qr_rows).unwrap_or_default();
    let qr_h = u16::try_from(rows.len()).unwrap_or(0);
    let qr_w = u16::try_from(rows.first().map_or(0, |r| r.chars().count())).unwrap_or(0);
    let screen = frame.area();
    // The QR only when it fits whole: a cut code does not scan.
    let show_qr = qr_h > 0 && qr_h + 7 <= screen.height && qr_w + 4 <= screen.width;
    let height = if show_qr { qr_h + 7 } else { 9 };
    let width = (qr_w + 4).max(64);
    let area = centered(screen, width, height);
    let inner = popup(
        frame,
        area,
        theme,
        &format!("Invite link · {subject}"),
        &[("c", "copy"), ("R", "revoke"), ("Esc", "close")],
        false,
    );
    let [text, qr] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
    let mut lines = Vec::new();
    if let Some(n) = note {
        lines.push(Line::styled(n.to_string(), theme.fg(theme.alert_info)));
    }
    match link {
        Some(l) => lines.push(Line::styled(l.to_string(), theme.fg(theme.title))),
        None => lines.push(Line::styled(
            "Asking WhatsApp for the link…",
            theme.fg(theme.muted),
        )),
    }
    if link.is_some() && !show_qr {
        lines.push(Line::styled(
            "Enlarge the terminal to see the QR code.",
            theme.fg(theme.muted),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text);
    if show_qr {
        let style = Style::default().fg(Color::White).bg(Color::Black);
        let lines: Vec<Line> = rows.into_iter().map(|r| Line::styled(r, style)).collect();
        let [_, centre, _] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(qr_w),
            Constraint::Fill(1),
        ])
        .areas(qr);
        frame.render_widget(Paragraph::new(lines), centre);
    }
}
