//! Before joining by link: the group behind the code. And the description conflict question.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::centered;
use super::frame::popup;
use crate::ops::Answer;
use crate::ui::Theme;

pub fn draw(frame: &mut Frame, theme: &Theme, preview: &Answer) {
    let Answer::Preview {
        subject,
        size,
        description,
        approval,
        ..
    } = preview
    else {
        return;
    };
    let area = centered(frame.area(), 64, 12);
    let inner = popup(
        frame,
        area,
        theme,
        "Join this group?",
        &[("y/Enter", "join"), ("n/Esc", "cancel")],
        false,
    );
    let mut lines = vec![
        Line::styled(subject.clone(), theme.fg(theme.title)),
        Line::raw(format!("{size} members")),
    ];
    if *approval {
        lines.push(Line::styled(
            "Admins approve new members: joining files a request.",
            theme.fg(theme.alert_info),
        ));
    }
    if let Some(d) = description.as_deref().filter(|d| !d.is_empty()) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(d.to_string(), theme.fg(theme.muted)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

pub fn draw_conflict(frame: &mut Frame, theme: &Theme, subject: &str) {
    let area = centered(frame.area(), 64, 9);
    let inner = popup(
        frame,
        area,
        theme,
        "Description changed meanwhile",
        &[("r", "reload and retry"), ("Esc", "discard mine")],
        true,
    );
    let lines = vec![
        Line::raw(format!(
            "Someone else changed the description of {subject} after you opened it, so WhatsApp \
             refused yours (409). Nothing was changed."
        )),
        Line::raw(""),
        Line::raw("r reloads the group and reopens your text, ready to save over theirs."),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
