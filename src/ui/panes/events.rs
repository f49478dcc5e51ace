//! The live feed: who did what, in which group, when (newest first).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::{line, row_style};
use crate::app::state::{AppState, Pane};
use crate::domain::{GroupEvent, GroupEventKind};
use crate::ui::{Theme, fit, list, pane_block, render_empty};

fn people(who: &[String]) -> String {
    match who {
        [] => "someone".into(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}

/// The event in words.
pub fn describe(e: &GroupEvent) -> String {
    let by = |verb: &str, who: &[String]| match &e.actor {
        Some(a) => format!("{} {verb} by {a}", people(who)),
        None => format!("{} {verb}", people(who)),
    };
    match &e.kind {
        GroupEventKind::Joined {
            who,
            via_link: true,
        } => format!("{} joined via link", people(who)),
        GroupEventKind::Joined { who, .. } => format!("{} joined", people(who)),
        GroupEventKind::Added { who } => by("added", who),
        GroupEventKind::Left { who } => format!("{} left", people(who)),
        GroupEventKind::Removed { who } => by("removed", who),
        GroupEventKind::Promoted { who } => by("promoted to admin", who),
        GroupEventKind::Demoted { who } => by("demoted to member", who),
        GroupEventKind::SubjectChanged { subject } => format!("subject changed to \"{subject}\""),
        GroupEventKind::DescriptionChanged { deleted: true } => "description deleted".into(),
        GroupEventKind::DescriptionChanged { .. } => "description changed".into(),
        GroupEventKind::SettingChanged { name, value } => format!("{name}: {value}"),
        GroupEventKind::RequestCreated { who, method } => {
            format!("join request from {} ({})", people(who), method.label())
        }
        GroupEventKind::RequestRevoked { who } => {
            format!("join request withdrawn: {}", people(who))
        }
        GroupEventKind::InviteReset => "invite link reset".into(),
        GroupEventKind::PictureChanged { removed: true } => "picture removed".into(),
        GroupEventKind::PictureChanged { .. } => "picture changed".into(),
        GroupEventKind::GroupCreated => "group created".into(),
        GroupEventKind::GroupDeleted => "group deleted".into(),
        GroupEventKind::Other { what } => what.clone(),
    }
}

fn clock(at: i64) -> String {
    let s = at.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let rows = state.visible_events();
    let list_state = state.list(Pane::Events);
    let block = pane_block(
        state,
        theme,
        Pane::Events,
        &list::position(rows.len(), list_state.cursor),
    );
    if rows.is_empty() {
        let text = if list_state.filter.is_empty() {
            "Group events appear here as they happen"
        } else {
            "No event matches the filter"
        };
        render_empty(frame, area, block, text, theme);
        return;
    }
    let focused = state.focus == Pane::Events;
    let several = state.sessions.len() > 1;
    list::render(frame, area, block, None, list_state, rows.len(), |i| {
        let e = rows[i];
        let mut spans = vec![Span::styled(
            format!(" {} ", clock(e.at)),
            theme.fg(theme.muted),
        )];
        if several {
            spans.push(Span::styled(
                format!("{} ", e.session),
                theme.fg(theme.muted),
            ));
        }
        spans.push(Span::styled(
            fit(&e.group_subject, 24),
            theme.fg(theme.title),
        ));
        spans.push(Span::styled(
            format!(" {}", describe(e)),
            theme.fg(theme.base),
        ));
        line(spans, row_style(focused, i == list_state.cursor, theme))
    });
}
