//! Link groups into a community: the groups where the session is admin and that are in no
//! community, to mark and link.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::centered;
use super::frame::popup;
use crate::app::state::LinkPicker;
use crate::ui::{Theme, fit};

pub fn draw(frame: &mut Frame, theme: &Theme, p: &LinkPicker) {
    let rows = u16::try_from(p.candidates.len()).unwrap_or(u16::MAX);
    let area = centered(frame.area(), 60, rows.saturating_add(6).clamp(8, 24));
    let inner = popup(
        frame,
        area,
        theme,
        &format!("Link into {}", p.community_name),
        &[("Space", "mark"), ("Enter", "link"), ("Esc", "cancel")],
        false,
    );
    let height = usize::from(inner.height.saturating_sub(2)).max(1);
    let start = crate::app::layout::window_start(p.candidates.len(), p.cursor, 0, height);
    let width = usize::from(inner.width.saturating_sub(4));
    let mut lines: Vec<Line> = p
        .candidates
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, (_, subject))| {
            let style = if i == p.cursor {
                theme.selected()
            } else {
                theme.fg(theme.base)
            };
            let mark = if p.marked.contains(&i) {
                "[x] "
            } else {
                "[ ] "
            };
            Line::from(vec![
                Span::styled(mark, style),
                Span::styled(fit(subject, width), style),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        match p.marked.len() {
            0 => "Enter links the group under the cursor".to_string(),
            1 => "Enter links the marked group".to_string(),
            n => format!("Enter links the {n} marked groups"),
        },
        theme.fg(theme.muted),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
