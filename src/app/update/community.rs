//! Community keys in the groups pane: fold the tree, create a community or a subgroup, link
//! and unlink groups, join a subgroup, deactivate. Each acts on the community of the row under
//! the cursor and asks first when it is destructive.

use std::collections::BTreeSet;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::moderation::start;
use super::{Command, Effect, Level, status};
use crate::app::state::{AppState, Confirm, CreateDialog, CreateKind, LinkPicker, Pane, Popup};
use crate::domain::{CommunityMark, GroupId, GroupSummary, SessionId};
use crate::group_tree::{GroupRow, community_of};
use crate::ops::Op;

/// The row under the groups cursor, owned.
struct Row {
    group: GroupSummary,
    joined: bool,
    community: Option<GroupId>,
}

fn cursor_row(state: &AppState) -> Option<Row> {
    let rows = state.group_rows();
    let r: &GroupRow<'_> = rows.get(state.list(Pane::Groups).cursor)?;
    Some(Row {
        group: r.group.clone(),
        joined: r.joined,
        community: community_of(r),
    })
}

fn summary(state: &AppState, session: SessionId, id: &GroupId) -> Option<GroupSummary> {
    state
        .groups
        .get(&session)?
        .iter()
        .find(|g| &g.id == id)
        .cloned()
}

fn is_admin(g: &GroupSummary) -> bool {
    g.my_role.is_some_and(|r| r.is_admin())
}

fn say(state: &mut AppState, text: impl Into<String>) -> Vec<Effect> {
    status(state, text, Level::Error);
    Vec::new()
}

/// The community under the cursor where the session is admin, or a message why not.
fn admin_community(state: &mut AppState, what: &str) -> Result<(SessionId, GroupSummary), ()> {
    let Some(session) = state.current_session else {
        say(state, "Link a session first (n in the sessions pane)");
        return Err(());
    };
    let community = cursor_row(state)
        .and_then(|r| r.community)
        .and_then(|id| summary(state, session, &id));
    let Some(c) = community else {
        say(
            state,
            format!("Select a community (⌂) or one of its groups to {what}"),
        );
        return Err(());
    };
    if !is_admin(&c) {
        say(
            state,
            format!(
                "Not sent: you are not an admin of {}, and only its admins can {what}",
                c.subject
            ),
        );
        return Err(());
    }
    Ok((session, c))
}

/// Handles a community command; `None` if `cmd` is not one.
pub fn command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Fold => fold(state),
        Command::FoldAll => fold_all(state),
        Command::CreateCommunity => match state.current_session {
            Some(session) => {
                state.popup = Some(Popup::Create(Box::new(CreateDialog::new(
                    session,
                    CreateKind::Community,
                ))));
                Vec::new()
            }
            None => say(state, "Link a session first (n in the sessions pane)"),
        },
        Command::CreateSubgroup => match admin_community(state, "create subgroups") {
            Ok((session, c)) => {
                state.popup = Some(Popup::Create(Box::new(CreateDialog::new(
                    session,
                    CreateKind::Subgroup {
                        community: c.id,
                        name: c.subject,
                    },
                ))));
                Vec::new()
            }
            Err(()) => Vec::new(),
        },
        Command::LinkGroups => match admin_community(state, "link groups") {
            Ok((session, c)) => open_picker(state, session, c),
            Err(()) => Vec::new(),
        },
        Command::UnlinkGroup => unlink(state),
        Command::Deactivate => match admin_community(state, "deactivate it") {
            Ok((session, c)) => {
                state.popup = Some(Popup::Confirm(Confirm::Op {
                    session,
                    group: Some(c.id),
                    op: Op::Deactivate,
                    names: Vec::new(),
                }));
                Vec::new()
            }
            Err(()) => Vec::new(),
        },
        _ => return None,
    };
    Some(out)
}

fn fold(state: &mut AppState) -> Vec<Effect> {
    let Some(session) = state.current_session else {
        return Vec::new();
    };
    let Some(community) = cursor_row(state).and_then(|r| r.community) else {
        return say(state, "Not in a community: nothing to fold");
    };
    let key = (session, community.clone());
    if !state.folded.remove(&key) {
        state.folded.insert(key);
    }
    // Folding from a subgroup leaves the cursor on its community.
    if let Some(i) = state
        .group_rows()
        .iter()
        .position(|r| r.group.id == community)
    {
        state.list_mut(Pane::Groups).cursor = i;
    }
    Vec::new()
}

fn fold_all(state: &mut AppState) -> Vec<Effect> {
    let Some(session) = state.current_session else {
        return Vec::new();
    };
    let communities: Vec<GroupId> = state
        .groups
        .get(&session)
        .into_iter()
        .flatten()
        .filter(|g| g.community == CommunityMark::Community)
        .map(|g| g.id.clone())
        .collect();
    let any_open = communities
        .iter()
        .any(|c| !state.folded.contains(&(session, c.clone())));
    for c in communities {
        if any_open {
            state.folded.insert((session, c));
        } else {
            state.folded.remove(&(session, c));
        }
    }
    let rows = state.row_count(Pane::Groups);
    let list = state.list_mut(Pane::Groups);
    list.cursor = list.cursor.min(rows.saturating_sub(1));
    Vec::new()
}

fn open_picker(state: &mut AppState, session: SessionId, c: GroupSummary) -> Vec<Effect> {
    let mut candidates: Vec<(GroupId, String)> = state
        .groups
        .get(&session)
        .into_iter()
        .flatten()
        .filter(|g| g.community == CommunityMark::None && is_admin(g))
        .map(|g| (g.id.clone(), g.subject.clone()))
        .collect();
    candidates.sort_by_key(|c| c.1.to_lowercase());
    if candidates.is_empty() {
        return say(
            state,
            format!(
                "No group to link into {}: you must be an admin of a group that is in no community",
                c.subject
            ),
        );
    }
    state.popup = Some(Popup::Link(LinkPicker {
        session,
        community: c.id,
        community_name: c.subject,
        candidates,
        cursor: 0,
        marked: BTreeSet::new(),
    }));
    Vec::new()
}

/// Keys in the link picker: move, mark with Space, link with Enter (the marked groups, or the
/// one under the cursor).
pub fn picker_key(state: &mut AppState, mut p: LinkPicker, key: KeyEvent) -> Vec<Effect> {
    let n = p.candidates.len();
    match key.code {
        KeyCode::Esc => {
            state.popup = None;
            return Vec::new();
        }
        KeyCode::Down | KeyCode::Char('j') => p.cursor = (p.cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Up | KeyCode::Char('k') => p.cursor = p.cursor.saturating_sub(1),
        KeyCode::Char(' ') => {
            if !p.marked.remove(&p.cursor) {
                p.marked.insert(p.cursor);
            }
            p.cursor = (p.cursor + 1).min(n.saturating_sub(1));
        }
        KeyCode::Enter => {
            let picked: Vec<usize> = if p.marked.is_empty() {
                vec![p.cursor]
            } else {
                p.marked.iter().copied().collect()
            };
            let groups: Vec<String> = picked
                .into_iter()
                .filter_map(|i| p.candidates.get(i))
                .map(|(id, _)| id.to_string())
                .collect();
            state.popup = None;
            return start(state, p.session, Some(p.community), Op::Link(groups));
        }
        _ => {}
    }
    state.popup = Some(Popup::Link(p));
    Vec::new()
}

fn unlink(state: &mut AppState) -> Vec<Effect> {
    let Some(row) = cursor_row(state) else {
        return Vec::new();
    };
    let sub = &row.group;
    match &sub.community {
        CommunityMark::Subgroup { .. } if row.joined => {}
        CommunityMark::Subgroup { .. } => {
            return say(
                state,
                "Join this subgroup first, or unlink it from a member's view",
            );
        }
        CommunityMark::Announcement { .. } => {
            return say(
                state,
                "The announcement group belongs to its community: it cannot be unlinked",
            );
        }
        _ => return say(state, "Select a subgroup (inside a community) to unlink"),
    }
    let Ok((session, c)) = admin_community(state, "unlink groups") else {
        return Vec::new();
    };
    state.popup = Some(Popup::Confirm(Confirm::Op {
        session,
        group: Some(c.id),
        op: Op::Unlink {
            groups: vec![sub.id.to_string()],
            remove_orphans: false,
        },
        names: vec![sub.subject.clone()],
    }));
    Vec::new()
}

/// Enter on a subgroup the session is not in: ask to join it. `None` for any other row.
pub fn open_row(state: &mut AppState) -> Option<Vec<Effect>> {
    let row = cursor_row(state)?;
    if row.joined {
        return None;
    }
    let session = state.current_session?;
    let community = row.community?;
    state.popup = Some(Popup::Confirm(Confirm::Op {
        session,
        group: Some(community),
        op: Op::JoinSubgroup(row.group.id.to_string()),
        names: vec![row.group.subject.clone()],
    }));
    Some(Vec::new())
}

/// `r` in the unlink confirm: unlink and remove the orphaned members.
pub fn unlink_removing_orphans(confirm: &Confirm) -> Option<Confirm> {
    match confirm {
        Confirm::Op {
            session,
            group,
            op: Op::Unlink { groups, .. },
            names,
        } => Some(Confirm::Op {
            session: *session,
            group: group.clone(),
            op: Op::Unlink {
                groups: groups.clone(),
                remove_orphans: true,
            },
            names: names.clone(),
        }),
        _ => None,
    }
}
