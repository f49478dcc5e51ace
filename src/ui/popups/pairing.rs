//! Linking a device: the QR code (half blocks, two modules per character row, so version 7
//! fits 24 rows), its countdown, or the phone-number flow.

use qrcode::{Color as Module, EcLevel, QrCode};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Padding, Paragraph, Wrap};

use super::centered;
use crate::app::state::{AppState, Pairing};
use crate::domain::SessionId;
use crate::ui::Theme;
use crate::ui::conn_words::sentence;

/// Quiet zone around the code, in modules. One is enough for phone scanners on a screen.
const QUIET: usize = 1;

/// The QR code as text rows of half blocks. Light modules are drawn (foreground) and dark ones
/// left blank, so the code reads correctly on a dark terminal: `█` both light, `▀` top light,
/// `▄` bottom light, space both dark.
pub fn qr_rows(code: &str) -> Option<Vec<String>> {
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::L).ok()?;
    let w = qr.width();
    let n = w + 2 * QUIET;
    let light = |x: usize, y: usize| -> bool {
        if x < QUIET || y < QUIET || x >= w + QUIET || y >= w + QUIET {
            return true;
        }
        qr[(x - QUIET, y - QUIET)] == Module::Light
    };
    Some(
        (0..n.div_ceil(2))
            .map(|r| {
                (0..n)
                    .map(|x| {
                        let top = light(x, 2 * r);
                        // Past the last module row: treat as dark (terminal background).
                        let bottom = 2 * r + 1 < n && light(x, 2 * r + 1);
                        match (top, bottom) {
                            (true, true) => '█',
                            (true, false) => '▀',
                            (false, true) => '▄',
                            (false, false) => ' ',
                        }
                    })
                    .collect()
            })
            .collect(),
    )
}

pub fn draw(
    frame: &mut Frame,
    state: &AppState,
    theme: &Theme,
    session: SessionId,
    pairing: &Pairing,
) {
    match pairing {
        Pairing::Qr { code, expires_at } => {
            draw_qr(frame, state, theme, session, code, *expires_at)
        }
        other => draw_text(frame, state, theme, session, other),
    }
}

fn title(session: SessionId) -> Line<'static> {
    Line::from(Span::styled(
        format!("Link a device · session {session}"),
        Style::default().add_modifier(Modifier::BOLD),
    ))
}

fn draw_qr(
    frame: &mut Frame,
    state: &AppState,
    theme: &Theme,
    session: SessionId,
    code: &str,
    expires_at: i64,
) {
    let area = frame.area();
    frame.render_widget(Clear, area);
    let Some(rows) = qr_rows(code) else {
        let p = Paragraph::new(
            "This QR code cannot be drawn. Press P to pair with a phone number instead.",
        );
        frame.render_widget(p, area);
        return;
    };
    let qr_w = u16::try_from(rows.first().map_or(0, |r| r.chars().count())).unwrap_or(u16::MAX);
    let qr_h = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    let text_min = 26;
    if area.width < qr_w + text_min || area.height < qr_h {
        let msg = vec![
            title(session),
            Line::raw(""),
            Line::raw(format!(
                "The QR code needs a terminal of at least {}x{}; this one is {}x{}.",
                qr_w + text_min,
                qr_h,
                area.width,
                area.height
            )),
            Line::raw("Enlarge the window, or press P to pair with a phone number."),
            Line::raw("Esc: cancel"),
        ];
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    // Centre the pair (QR + text) in the screen.
    let text_w = (area.width - qr_w - 2).min(46);
    let total_w = qr_w + 2 + text_w;
    let left = area.x + (area.width - total_w) / 2;
    let top = area.y + (area.height - qr_h) / 2;
    let qr_area = Rect::new(left, top, qr_w, qr_h);
    let text_area = Rect::new(left + qr_w + 2, top, text_w, qr_h);
    // White on black regardless of theme: scanners need contrast, not style.
    let qr_style = Style::default().fg(Color::White).bg(Color::Black);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::styled(r, qr_style))
        .collect();
    frame.render_widget(Paragraph::new(lines), qr_area);

    let left_secs = (expires_at - state.now).max(0);
    let mut text = vec![
        title(session),
        Line::raw(""),
        Line::raw(
            "On your phone: WhatsApp › Settings › Linked devices › Link a device, and scan this code.",
        ),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Expires in "),
            Span::styled(
                format!("{left_secs}s"),
                theme.fg(theme.pending_badge).add_modifier(Modifier::BOLD),
            ),
            Span::raw("; a new code follows."),
        ]),
        Line::raw(""),
    ];
    if let Some(s) = state.status.as_ref().filter(|s| s.until >= state.now) {
        text.push(Line::styled(s.text.clone(), theme.fg(theme.alert_info)));
        text.push(Line::raw(""));
    }
    let key = |k: &str| {
        Span::styled(
            k.to_string(),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        )
    };
    text.push(Line::from(vec![
        key("P"),
        Span::raw(": use a phone number instead · "),
        key("Esc"),
        Span::raw(": cancel"),
    ]));
    let [body] = Layout::vertical([Constraint::Min(1)]).areas(text_area);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), body);
}

/// `ABCD-EFGH`, letters spaced and boxed so it reads at a glance and cannot be mistyped.
pub fn code_box(code: &str, theme: &Theme) -> Vec<Line<'static>> {
    let chars: Vec<char> = code.chars().collect();
    let spaced = |cs: &[char]| cs.iter().map(char::to_string).collect::<Vec<_>>().join(" ");
    let shown = if chars.len() == 8 {
        format!("{} - {}", spaced(&chars[..4]), spaced(&chars[4..]))
    } else {
        spaced(&chars)
    };
    let inner = shown.chars().count() + 4;
    let style = theme.fg(theme.pending_badge).add_modifier(Modifier::BOLD);
    vec![
        Line::styled(format!("   ┏{}┓", "━".repeat(inner)), style),
        Line::styled(format!("   ┃  {shown}  ┃"), style),
        Line::styled(format!("   ┗{}┛", "━".repeat(inner)), style),
    ]
}

fn draw_text(
    frame: &mut Frame,
    state: &AppState,
    theme: &Theme,
    session: SessionId,
    pairing: &Pairing,
) {
    const WIDTH: u16 = 64;
    let key = |k: &str| {
        Span::styled(
            k.to_string(),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        )
    };
    let mut lines = Vec::new();
    match pairing {
        Pairing::Waiting => {
            // Why no code is showing, when there is a reason.
            let conn = state.session(session).map(|s| &s.conn);
            match conn.and_then(|c| sentence(state, c)) {
                Some(why) => lines.push(Line::styled(
                    format!("No QR code: {why}"),
                    theme.fg(theme.alert_error),
                )),
                None => lines.push(Line::raw("Waiting for a QR code from WhatsApp…")),
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                key("P"),
                Span::raw(" pair with a phone number · "),
                key("Esc"),
                Span::raw(" cancel"),
            ]));
        }
        Pairing::EnterPhone { input, error } => {
            lines.push(Line::raw(
                "Phone number of the WhatsApp account, international format:",
            ));
            lines.push(Line::from(vec![Span::styled(
                format!(" {input}▏"),
                theme.fg(theme.title).add_modifier(Modifier::BOLD),
            )]));
            lines.push(Line::styled("e.g. +1 555 000 1111", theme.fg(theme.muted)));
            if let Some(e) = error {
                lines.push(Line::raw(""));
                lines.push(Line::styled(e.clone(), theme.fg(theme.alert_error)));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                key("Enter"),
                Span::raw(" get a code · "),
                key("Esc"),
                Span::raw(" back to the QR code"),
            ]));
        }
        Pairing::RequestingCode { phone } => {
            lines.push(Line::raw(format!(
                "Asking WhatsApp for a pairing code for +{}…",
                phone.trim_start_matches('+')
            )));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![key("Esc"), Span::raw(" cancel")]));
        }
        Pairing::Code { phone, code } => {
            if !phone.is_empty() {
                lines.push(Line::raw(format!(
                    "Pairing code for +{}:",
                    phone.trim_start_matches('+')
                )));
            }
            lines.push(Line::raw(""));
            lines.extend(code_box(code, theme));
            lines.push(Line::raw(""));
            lines.push(Line::raw(
                "On your phone: WhatsApp › Settings › Linked devices ›",
            ));
            lines.push(Line::raw(
                "Link a device › Link with phone number instead, and type it.",
            ));
            if let Some(s) = state.status.as_ref().filter(|s| s.until >= state.now) {
                lines.push(Line::raw(""));
                lines.push(Line::styled(s.text.clone(), theme.fg(theme.alert_info)));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![key("Esc"), Span::raw(" cancel")]));
        }
        Pairing::Qr { .. } => {}
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.fg(theme.border_focused))
        .title(Line::from(
            [
                vec![Span::raw(" ")],
                title(session).spans,
                vec![Span::raw(" ")],
            ]
            .concat(),
        ))
        .padding(Padding::uniform(1));
    // As tall as the text once wrapped (borders, padding and the wrap width included).
    let text_w = usize::from(WIDTH.min(frame.area().width).saturating_sub(4)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(text_w))
        .sum();
    let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
    let area = centered(frame.area(), WIDTH, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
