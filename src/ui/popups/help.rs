//! Help, generated from the live keymap: user overrides show here automatically.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::centered;
use crate::app::keymap::Context;
use crate::app::state::AppState;
use crate::ui::{Theme, fit};

pub fn lines(state: &AppState, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        let entries = state.keymap.entries(ctx);
        if entries.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(
            ctx.title().to_string(),
            theme
                .fg(theme.title)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ));
        for (keys, cmd) in entries {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {}", fit(&keys.join(" / "), 18)),
                    theme.fg(theme.alert_info),
                ),
                Span::styled(cmd.desc().to_string(), theme.fg(theme.base)),
            ]));
        }
    }
    out
}

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, scroll: usize) {
    let lines = lines(state, theme);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let area = centered(
        frame.area(),
        56,
        height.min(frame.area().height.saturating_sub(2)),
    );
    let visible = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    // Where we are, when it does not all fit: "1-21/45".
    let position = if lines.len() > visible {
        format!(
            " {}-{}/{} · j/k scroll · Esc close ",
            scroll + 1,
            (scroll + visible).min(lines.len()),
            lines.len()
        )
    } else {
        " Esc close ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.fg(theme.border_focused))
        .title(" Help — keys ")
        .title_bottom(position);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}
