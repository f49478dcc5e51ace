//! Long lists render only their visible window: at 1,024 rows only the ~30 on screen are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::app::layout::window_start;
use crate::app::state::ListState;

/// `37/1024`, for titles.
pub fn position(total: usize, cursor: usize) -> String {
    if total == 0 {
        "0".into()
    } else {
        format!("{}/{}", cursor.min(total - 1) + 1, total)
    }
}

/// Renders `header` (if any) and the visible rows, built by `row(i)` for those only.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    header: Option<Line<'static>>,
    list: &ListState,
    total: usize,
    row: impl Fn(usize) -> Line<'static>,
) {
    let inner = block.inner(area);
    let height = usize::from(inner.height).saturating_sub(usize::from(header.is_some()));
    let start = window_start(total, list.cursor, list.offset, height);
    let mut lines: Vec<Line> = header.into_iter().collect();
    lines.extend((start..total.min(start + height)).map(row));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_from_one() {
        assert_eq!(position(1024, 36), "37/1024");
    }
}
