//! The live feed: who did what, in which group, when (newest first).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{GroupEvent, GroupEventKind, person_label};
use crate::ui::{Theme, cell, list, pane_block, render_empty};

fn people(who: &[String]) -> String {
    match who {
        [] => "someone".into(),
        [one] => person_label(one),
        [first, rest @ ..] => format!("{} and {} more", person_label(first), rest.len()),
    }
}

/// What happened, in words, as a phrase after the actor column ("promoted +1555…").
pub fn describe(e: &GroupEvent) -> String {
    match &e.kind {
        GroupEventKind::Joined {
            who,
            via_link: true,
        } => format!("{} joined via link", people(who)),
        GroupEventKind::Joined { who, .. } => format!("{} joined", people(who)),
        GroupEventKind::Added { who } => format!("added {}", people(who)),
        GroupEventKind::Left { who } => format!("{} left", people(who)),
        GroupEventKind::Removed { who } => format!("removed {}", people(who)),
        GroupEventKind::Promoted { who } => format!("promoted {}", people(who)),
        GroupEventKind::Demoted { who } => format!("demoted {}", people(who)),
        GroupEventKind::SubjectChanged { subject } => format!("subject: \"{subject}\""),
        GroupEventKind::DescriptionChanged { deleted: true } => "description deleted".into(),
        GroupEventKind::DescriptionChanged { .. } => "description changed".into(),
        GroupEventKind::SettingChanged { name, value } => format!("{name}: {value}"),
        GroupEventKind::RequestCreated { who, method } => {
            format!("request from {} ({})", people(who), method.label())
        }
        GroupEventKind::RequestRevoked { who } => format!("request withdrawn: {}", people(who)),
        GroupEventKind::InviteReset => "invite link reset".into(),
        GroupEventKind::PictureChanged { removed: true } => "picture removed".into(),
        GroupEventKind::PictureChanged { .. } => "picture changed".into(),
        GroupEventKind::GroupCreated => "group created".into(),
        GroupEventKind::GroupDeleted => "group deleted".into(),
        GroupEventKind::Linked { groups } => format!("linked {}", people(groups)),
        GroupEventKind::Unlinked { groups } => format!("unlinked {}", people(groups)),
        GroupEventKind::NumberChanged { from, to } => {
            format!("{} is now {}", person_label(from), person_label(to))
        }
        GroupEventKind::JoinedCommunity { community } => format!("now in community {community}"),
        GroupEventKind::LeftCommunity { community } => {
            format!("no longer in community {community}")
        }
        GroupEventKind::Connection { what } | GroupEventKind::Other { what } => what.clone(),
    }
}

/// The actor column: blank when unknown or when the phrase already names them (joins, leaves).
fn actor(e: &GroupEvent) -> &str {
    let Some(a) = e.actor.as_deref() else {
        return "";
    };
    match &e.kind {
        GroupEventKind::Joined { who, .. } | GroupEventKind::Left { who }
            if who.iter().any(|w| w == a) =>
        {
            ""
        }
        _ => a,
    }
}

fn clock(at: i64) -> String {
    let s = at.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.visible_events();
    let list_state = state.list(Pane::Events);
    let position = list::position(rows.len(), list_state.cursor);
    let extra = match &state.history {
        None => position,
        Some(h) => {
            let scope = match &h.group {
                None => "all groups".to_string(),
                Some(g) => state
                    .groups
                    .values()
                    .flatten()
                    .find(|x| &x.id == g)
                    .map_or_else(|| g.to_string(), |x| x.subject.clone()),
            };
            let more = if h.loading {
                " · loading…"
            } else if h.exhausted {
                ""
            } else {
                " · more below"
            };
            format!("{position} · history of {scope}{more}")
        }
    };
    let block = pane_block(state, theme, Pane::Events, &extra);
    if rows.is_empty() {
        let text = match (&state.history, list_state.filter.is_empty()) {
            (_, false) => "No event matches the filter",
            (Some(h), true) if h.loading => "Reading the history…",
            (Some(_), true) => "No stored events yet",
            (None, true) => "Group events appear here as they happen",
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let focused = state.focus == Pane::Events;
    let several = state.sessions.len() > 1;
    // Subjects get a fixed column so descriptions line up; less of it on narrow screens.
    let subject_w = if area.width >= crate::app::layout::WIDE {
        26
    } else {
        19
    };
    list::render(frame, area, block, None, list_state, rows.len(), |i| {
        let e = rows[i];
        // ↺: not seen live, found by comparing with the server on reconnect.
        let mark = if e.found_on_reconnect { "↺" } else { " " };
        let mut spans = vec![Span::styled(
            format!("{mark}{} ", clock(e.at)),
            theme.fg(theme.muted),
        )];
        if several {
            spans.push(Span::styled(
                format!("{} ", e.session),
                theme.fg(theme.muted),
            ));
        }
        spans.push(Span::styled(
            cell(&e.group_subject, subject_w),
            theme.fg(theme.title),
        ));
        spans.push(Span::styled(cell(actor(e), 14), theme.fg(theme.muted)));
        spans.push(Span::styled(describe(e), theme.fg(theme.base)));
        line(spans, row_style(focused, i == list_state.cursor, theme))
    });
}
