//! The bottom line: a message if there is one, else the focused pane's keys; the connection
//! summary on the right. Generated from the keymap, like help.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::{Command, Context};
use crate::app::state::{AppState, Level, activity};
use crate::domain::ConnState;
use crate::ui::conn_words::{is_alarm, sentence};
use crate::ui::{Theme, fit};

/// "2 sessions · 1 online" (plus "1 offline" etc. only when there are some).
pub fn summary(state: &AppState) -> String {
    let n = state.sessions.len();
    let count = |f: fn(&ConnState) -> bool| state.sessions.iter().filter(|s| f(&s.conn)).count();
    let mut parts = vec![
        format!("{n} session{}", if n == 1 { "" } else { "s" }),
        format!("{} online", count(|c| *c == ConnState::Connected)),
    ];
    let pairing = count(|c| *c == ConnState::Pairing);
    if pairing > 0 {
        parts.push(format!("{pairing} pairing"));
    }
    if let Some(a) = activity(state) {
        parts.insert(0, a);
    }
    parts.join(" · ")
}

/// The keys hint: help and quit always, then as many of the focused pane's keys (and the
/// filter key) as fit in `width`.
fn hints(state: &AppState, theme: &Theme, width: usize) -> Line<'static> {
    let label = |cmd: Command| state.keymap.keys_label(Context::Global, cmd);
    let fixed: Vec<(String, &str)> = [Command::Help, Command::Quit]
        .into_iter()
        .map(|c| (label(c), c.desc()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let mut optional: Vec<(String, &str)> = state
        .keymap
        .entries(state.focus.context())
        .into_iter()
        .map(|(keys, cmd)| {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            (keys.join("/"), cmd.desc())
        })
        .collect();
    let filter = label(Command::Filter);
    if !filter.is_empty() {
        optional.push((filter, Command::Filter.desc()));
    }
    let cost = |(k, d): &(String, &str)| k.chars().count() + d.chars().count() + 3;
    let mut budget = width.saturating_sub(fixed.iter().map(cost).sum());
    let mut shown = Vec::new();
    for item in optional {
        // Skip what does not fit; a shorter one further on may.
        if cost(&item) > budget {
            continue;
        }
        budget -= cost(&item);
        shown.push(item);
    }
    shown.extend(fixed);
    let mut spans = Vec::new();
    for (keys, desc) in shown {
        spans.push(Span::styled(
            format!(" {keys}"),
            theme.fg(theme.title).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(format!(" {desc} "), theme.fg(theme.muted)));
    }
    Line::from(spans)
}

/// The current session's trouble, when it has some: "#1 replaced: … · r reconnects".
fn trouble(state: &AppState) -> Option<(String, bool)> {
    let session = state.current_session.and_then(|id| state.session(id))?;
    let text = sentence(state, &session.conn)?;
    Some((format!("{} {text}", session.id), is_alarm(&session.conn)))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let message = state.status.as_ref().filter(|s| s.until >= state.now);
    // A session in trouble takes the whole line (until a message comes): it says what to do.
    if let (None, Some((text, alarm))) = (message, trouble(state)) {
        let color = if alarm {
            theme.alert_error
        } else {
            theme.status_offline
        };
        let width = usize::from(area.width.saturating_sub(1));
        let line = Line::styled(format!(" {}", fit(&text, width)), theme.fg(color));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let summary = format!(" {} ", summary(state));
    let [left, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(u16::try_from(summary.chars().count()).unwrap_or(20)),
    ])
    .areas(area);
    // A live message takes the left side; the keys come back when it expires.
    let line = match message {
        Some(s) => Line::styled(
            format!(" {}", s.text),
            theme.fg(match s.level {
                Level::Info => theme.alert_info,
                Level::Error => theme.alert_error,
            }),
        ),
        None => hints(state, theme, usize::from(left.width)),
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(
        Paragraph::new(Line::styled(summary, theme.fg(theme.muted))),
        right,
    );
}
