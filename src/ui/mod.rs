//! The view: a pure function of `AppState` (no I/O, no clock: time is `state.now`).

pub mod conn_words;
pub mod list;
pub mod panes;
pub mod popups;
pub mod scrub;
pub mod status_bar;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

pub use theme::Theme;

use crate::app::state::{AppState, Pane, Popup};

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme) {
    let areas = crate::app::layout::areas(frame.area(), state.audit_down.is_some());
    if let Some(why) = &state.audit_down {
        let text = format!(" ⚠ Audit log unavailable, nothing will be sent: {why}");
        let line = Line::styled(
            fit(&text, areas.banner.width as usize),
            theme.fg(theme.alert_error).add_modifier(Modifier::BOLD),
        );
        frame.render_widget(Paragraph::new(line), areas.banner);
    }
    panes::sessions::draw(frame, areas.sessions, state, theme);
    panes::groups::draw(frame, areas.groups, state, theme);
    panes::roster::draw(frame, areas.roster, state, theme);
    panes::requests::draw(frame, areas.requests, state, theme);
    panes::events::draw(frame, areas.events, state, theme);
    status_bar::draw(frame, areas.status, state, theme);
    match &state.popup {
        Some(Popup::Help { scroll }) => popups::help::draw(frame, state, theme, *scroll),
        Some(Popup::Pairing { session, state: p }) => {
            popups::pairing::draw(frame, state, theme, *session, p)
        }
        Some(Popup::Confirm(c)) => popups::confirm::draw(frame, state, theme, c),
        Some(Popup::Input(d)) => popups::input::draw(frame, state, theme, d),
        Some(Popup::Create(c)) => popups::input::draw_create(frame, theme, c),
        Some(Popup::Link(p)) => popups::link::draw(frame, theme, p),
        Some(Popup::Settings(d)) => popups::settings::draw(frame, state, theme, d),
        Some(Popup::Invite {
            session,
            group,
            link,
            note,
        }) => popups::invite::draw(
            frame,
            state,
            theme,
            *session,
            group,
            link.as_deref(),
            note.as_deref(),
        ),
        Some(Popup::Result { report, scroll }) => {
            popups::result::draw(frame, theme, report, *scroll)
        }
        Some(Popup::Preview { preview, .. }) => popups::preview::draw(frame, theme, preview),
        Some(Popup::DescriptionConflict { session, group, .. }) => {
            let subject = state
                .groups
                .get(session)
                .and_then(|gs| gs.iter().find(|g| &g.id == group))
                .map(|g| g.subject.clone())
                .unwrap_or_default();
            popups::preview::draw_conflict(frame, theme, &subject)
        }
        Some(Popup::Audit {
            filter,
            rows,
            scroll,
        }) => popups::audit::draw(frame, theme, filter, rows.as_deref(), *scroll),
        Some(Popup::Inbox { cursor, sort }) => {
            popups::inbox::draw(frame, state, theme, *cursor, *sort)
        }
        None => {}
    }
    scrub::scrub(frame.buffer_mut());
}

/// A pane's frame: `[n] Title`, highlighted when focused, with the filter and extras.
pub fn pane_block(state: &AppState, theme: &Theme, pane: Pane, extra: &str) -> Block<'static> {
    let focused = state.focus == pane;
    let list = state.list(pane);
    let mut spans = vec![
        Span::styled(format!(" [{}] ", pane.index() + 1), theme.fg(theme.muted)),
        Span::styled(
            pane.title().to_string(),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        ),
    ];
    if !extra.is_empty() {
        spans.push(Span::styled(format!(" {extra}"), theme.fg(theme.muted)));
    }
    if list.filtering || !list.filter.is_empty() {
        let cursor = if list.filtering { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" /{}{cursor}", list.filter),
            theme.fg(theme.alert_info),
        ));
    }
    if !list.marked.is_empty() {
        spans.push(Span::styled(
            format!(" ●{}", list.marked.len()),
            theme.fg(theme.marked),
        ));
    }
    spans.push(Span::raw(" "));
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.fg(border))
        .title(Line::from(spans))
}

/// An empty pane: its frame and a (wrapped) message saying why.
pub fn render_empty(frame: &mut Frame, area: Rect, block: Block, text: &str, theme: &Theme) {
    let line = Line::styled(format!(" {text}"), theme.fg(theme.muted));
    frame.render_widget(
        Paragraph::new(line).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// "3m", "2h", "4d" from `then` to `now`.
pub fn age(now: i64, then: i64) -> String {
    let s = (now - then).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// A table column: `text` cut to leave at least one space before the next column.
pub fn cell(text: &str, width: usize) -> String {
    format!("{} ", fit(text, width.saturating_sub(1)))
}

/// What a text made only of invisible characters is shown as.
pub const INVISIBLE: &str = "(invisible text)";

/// Pads or cuts `text` to exactly `width` columns of the terminal: CJK characters and most
/// emoji take two, combining and hidden ones none (see `scrub`), so columns after a stranger's
/// subject still line up.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let w = |c: char| {
        if scrub::is_hidden(c) {
            0
        } else {
            c.width().unwrap_or(0)
        }
    };
    let total: usize = text.chars().map(w).sum();
    // All of it invisible (a stranger's zero-width "name"): say so rather than show a blank.
    if total == 0 && !text.is_empty() {
        return fit(INVISIBLE, width);
    }
    if total <= width {
        return format!("{text}{}", " ".repeat(width - total));
    }
    // Cut, leaving a column for the ellipsis when there is room for one.
    let room = if width > 1 { width - 1 } else { width };
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + w(c) > room {
            break;
        }
        used += w(c);
        out.push(c);
    }
    if width > 1 {
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}
