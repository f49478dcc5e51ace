//! Engine updates into the state: one small handler per kind of update, grouped by what they
//! change. A batch defers its cursor fix-ups to its end, so a burst of updates pays for them
//! once.

use std::collections::HashSet;

use super::nav::{clamp, load_group, reselect_group, select_group_at_cursor};
use super::{Effect, Level, audit, history, moderation, pairing, status};
use crate::app::state::{
    AppState, EVENTS_CAP, Fixups, InputDialog, InputKind, Pairing, Pane, Popup, SessionView,
};
use crate::domain::{
    ConnState, GroupEvent, GroupId, GroupSummary, JoinRequest, Pace, Participant, SessionId,
};
use crate::protocol::Update;

/// Applies a batch of updates (less what later ones in it supersede), then the list fix-ups
/// they asked for, once.
pub(super) fn on_batch(state: &mut AppState, updates: Vec<Update>) -> Vec<Effect> {
    state.deferred = Some(Fixups::default());
    let mut effects = Vec::new();
    for u in crate::protocol::without_superseded(updates) {
        effects.extend(on_engine(state, u));
    }
    if let Some(f) = state.deferred.take() {
        if f.reselect {
            reselect_group(state);
        }
        for pane in Pane::ALL {
            if f.clamp[pane.index()] {
                clamp(state, pane);
            }
        }
    }
    effects
}

/// Hands each kind of update to its handler.
fn on_engine(state: &mut AppState, u: Update) -> Vec<Effect> {
    match u {
        Update::Session { id, phone, name } => on_session(state, id, phone, name),
        Update::Names { session, names } => {
            state.names.entry(session).or_default().extend(names);
            Vec::new()
        }
        Update::SessionRemoved(id) => on_session_removed(state, id),
        Update::Conn { session, state: c } => on_conn(state, session, c),
        Update::Cached { session, synced_at } => on_cached(state, session, synced_at),
        Update::Qr {
            session,
            code,
            valid_secs,
        } => pairing::on_qr(state, session, code, valid_secs),
        Update::PairCode { session, code } => pairing::on_pair_code(state, session, code),
        Update::Groups { session, groups } => on_groups(state, session, groups),
        Update::Group { session, group } => on_group(state, session, group),
        Update::GroupGone { session, group } => on_group_gone(state, session, group),
        Update::Roster {
            session,
            group,
            participants,
        } => on_roster(state, session, group, participants),
        Update::RosterChanged {
            session,
            group,
            upsert,
            removed,
        } => on_roster_changed(state, session, group, upsert, removed),
        Update::Requests {
            session,
            group,
            requests,
        } => on_requests(state, session, group, requests),
        Update::RequestsChanged {
            session,
            group,
            added,
            removed,
        } => on_requests_changed(state, session, group, added, removed),
        Update::Subgroups {
            session,
            community,
            subgroups,
        } => on_subgroups(state, session, community, subgroups),
        Update::CommunityMembers {
            session,
            community,
            participants,
        } => on_community_members(state, session, community, participants),
        Update::OpProgress {
            id,
            done,
            total,
            answered,
        } => moderation::on_progress(state, id, done, total, answered),
        Update::OpDone(report) => moderation::on_done(state, *report),
        Update::Pace { session, pace } => on_pace(state, session, pace),
        Update::Event(e) => on_event(state, e),
        Update::History { group, rows } => history::on_page(state, group, rows),
        Update::Audit(rows) => audit::on_rows(state, rows),
        // Never forwarded to the UI; nothing to show if it were.
        Update::CacheRoster { .. } => Vec::new(),
        Update::AuditUnavailable { why } => {
            state.audit_down = Some(why);
            Vec::new()
        }
        Update::Unanswered(n) => on_unanswered(state, n),
        Update::Notice { text } => say(state, text, Level::Info),
        Update::Error { message, .. } => say(state, message, Level::Error),
    }
}

/// Operations an earlier run left sent with no answer: WhatsApp may or may not have carried
/// them out, so the moderator is asked to check (the line stays a minute).
fn on_unanswered(state: &mut AppState, n: usize) -> Vec<Effect> {
    let ops = if n == 1 { "operation" } else { "operations" };
    state.status = Some(crate::app::state::StatusLine {
        text: format!(
            "{n} {ops} of an earlier run went out with no answer recorded: check them \
             (:audit unanswered)"
        ),
        level: Level::Error,
        until: state.now + UNANSWERED_SECS,
    });
    Vec::new()
}

const UNANSWERED_SECS: i64 = 60;

/// Whether the roster and requests panes show this group.
fn shown(state: &AppState, session: SessionId, group: &GroupId) -> bool {
    state.current_session == Some(session) && state.current_group.as_ref() == Some(group)
}

// ---- sessions and connection ------------------------------------------------------------

/// A session appeared, or its account became known; the first one is selected.
fn on_session(
    state: &mut AppState,
    id: SessionId,
    phone: Option<String>,
    name: Option<String>,
) -> Vec<Effect> {
    match state.sessions.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            if phone.is_some() {
                s.phone = phone;
            }
            if name.is_some() {
                s.name = name;
            }
        }
        None => {
            // A new unlinked session: its popup says why, until a QR code comes.
            if phone.is_none() && state.popup.is_none() {
                state.popup = Some(Popup::Pairing {
                    session: id,
                    state: Pairing::Waiting,
                });
            }
            state.sessions.push(SessionView {
                id,
                phone,
                name,
                conn: ConnState::Connecting,
                cached_since: None,
            });
            state.sessions.sort_by_key(|s| s.id);
        }
    }
    if state.current_session.is_none() {
        state.current_session = Some(id);
    }
    Vec::new()
}

/// A session is gone with everything it showed; its pairing popup closes.
fn on_session_removed(state: &mut AppState, id: SessionId) -> Vec<Effect> {
    state.sessions.retain(|s| s.id != id);
    state.names.remove(&id);
    state.groups.remove(&id);
    state.rosters.retain(|(s, _), _| *s != id);
    state.requests.retain(|(s, _), _| *s != id);
    if matches!(&state.popup, Some(Popup::Pairing { session, .. }) if *session == id) {
        state.popup = None;
    }
    if state.current_session == Some(id) {
        state.current_session = state.sessions.first().map(|s| s.id);
        state.current_group = None;
    }
    clamp(state, Pane::Sessions);
    clamp(state, Pane::Groups);
    Vec::new()
}

/// Connected or logged out ends pairing; a pairing that cannot go on shows why instead of a
/// stale code; a logout is worth a message.
fn on_conn(state: &mut AppState, session: SessionId, conn: ConnState) -> Vec<Effect> {
    let pairing_here = |state: &AppState| matches!(&state.popup, Some(Popup::Pairing { session: s, .. }) if *s == session);
    if matches!(conn, ConnState::Connected | ConnState::LoggedOut(_)) && pairing_here(state) {
        state.popup = None;
    }
    if matches!(conn, ConnState::Ended(_) | ConnState::Disconnected { .. })
        && matches!(&state.popup, Some(Popup::Pairing { session: s, state: Pairing::Qr { .. } }) if *s == session)
    {
        state.popup = Some(Popup::Pairing {
            session,
            state: Pairing::Waiting,
        });
    }
    if conn.is_logged_out() {
        status(
            state,
            format!("Session {session} was logged out"),
            Level::Error,
        );
    }
    if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
        s.conn = conn;
    }
    Vec::new()
}

fn on_cached(state: &mut AppState, session: SessionId, synced_at: i64) -> Vec<Effect> {
    if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
        s.cached_since = Some(synced_at);
    }
    Vec::new()
}

// ---- the group list ---------------------------------------------------------------------

/// The session's whole group list, from the server (no longer the cache).
fn on_groups(state: &mut AppState, session: SessionId, groups: Vec<GroupSummary>) -> Vec<Effect> {
    if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
        s.cached_since = None;
    }
    let was = selected_joined(state, session).is_some();
    state.groups.insert(session, groups);
    if state.current_session == Some(session) {
        if state.current_group.is_none() {
            return select_group_at_cursor(state);
        }
        reselect_group(state);
    }
    on_joined_selected(state, session, was)
}

/// One group's row changed or appeared.
fn on_group(state: &mut AppState, session: SessionId, group: GroupSummary) -> Vec<Effect> {
    refresh_reloading_description(state, session, &group);
    // Only the selected group's own row can make it one we are in.
    let was = state.current_group.as_ref() != Some(&group.id)
        || selected_joined(state, session).is_some();
    let list = state.groups.entry(session).or_default();
    match list.iter_mut().find(|g| g.id == group.id) {
        Some(g) => *g = group,
        None => list.push(group),
    }
    if state.current_session == Some(session) {
        reselect_group(state);
    }
    on_joined_selected(state, session, was)
}

/// After a conflict, the reloaded group brings the description's newest version token to the
/// reopened editor (only then: otherwise a stale edit must fail).
fn refresh_reloading_description(state: &mut AppState, session: SessionId, group: &GroupSummary) {
    if let Some(Popup::Input(d)) = &mut state.popup
        && let InputDialog {
            kind: InputKind::Description { prev, reloading },
            session: s,
            group: Some(g),
            ..
        } = &mut **d
        && *reloading
        && *s == session
        && *g == group.id
    {
        prev.clone_from(&group.description_id);
        *reloading = false;
    }
}

/// We left the group (or it is gone): its lists go; if it was selected, the row now under the
/// cursor is.
fn on_group_gone(state: &mut AppState, session: SessionId, group: GroupId) -> Vec<Effect> {
    if let Some(list) = state.groups.get_mut(&session) {
        list.retain(|g| g.id != group);
    }
    state.rosters.remove(&(session, group.clone()));
    state.requests.remove(&(session, group.clone()));
    if !shown(state, session, &group) {
        return Vec::new();
    }
    state.current_group = None;
    clamp(state, Pane::Groups);
    let focus = state.focus;
    state.focus = Pane::Groups;
    let out = select_group_at_cursor(state);
    state.focus = focus;
    out
}

/// The selected group of `session`, if we are in it (a community's subgroup we are not in is
/// listed, but has no roster to show).
fn selected_joined(state: &AppState, session: SessionId) -> Option<&GroupSummary> {
    if state.current_session != Some(session) {
        return None;
    }
    let id = state.current_group.as_ref()?;
    state.groups.get(&session)?.iter().find(|g| &g.id == id)
}

/// We just joined the selected group (a subgroup joined from the tree): load it, as selecting
/// a joined group does. The engine only sends the rosters the UI asked for, and the
/// notification of our own join brings just us.
fn on_joined_selected(state: &AppState, session: SessionId, was: bool) -> Vec<Effect> {
    match selected_joined(state, session) {
        Some(g) if !was => load_group(
            session,
            g.id.clone(),
            g.my_role.is_some_and(|r| r.is_admin()),
        ),
        _ => Vec::new(),
    }
}

// ---- rosters and join requests ----------------------------------------------------------

/// A group's whole roster. Marks belong to the shown roster; another group's update leaves
/// them alone.
fn on_roster(
    state: &mut AppState,
    session: SessionId,
    group: GroupId,
    participants: Vec<Participant>,
) -> Vec<Effect> {
    if shown(state, session, &group) {
        let ids: HashSet<&str> = participants.iter().map(|p| p.jid.as_str()).collect();
        keep_marks(state, Pane::Roster, &ids);
    }
    state.rosters.insert((session, group), participants);
    clamp(state, Pane::Roster);
    Vec::new()
}

fn on_roster_changed(
    state: &mut AppState,
    session: SessionId,
    group: GroupId,
    upsert: Vec<Participant>,
    removed: Vec<String>,
) -> Vec<Effect> {
    let shown = unmark_if_shown(state, Pane::Roster, session, &group, &removed);
    let roster = state.rosters.entry((session, group)).or_default();
    crate::keyed_list::apply_delta(roster, upsert, &removed);
    if shown {
        clamp(state, Pane::Roster);
    }
    Vec::new()
}

/// A group's whole list of join requests; marks as for the roster.
fn on_requests(
    state: &mut AppState,
    session: SessionId,
    group: GroupId,
    requests: Vec<JoinRequest>,
) -> Vec<Effect> {
    if shown(state, session, &group) {
        let ids: HashSet<&str> = requests.iter().map(|r| r.jid.as_str()).collect();
        keep_marks(state, Pane::Requests, &ids);
    }
    state.requests.insert((session, group), requests.into());
    clamp(state, Pane::Requests);
    Vec::new()
}

fn on_requests_changed(
    state: &mut AppState,
    session: SessionId,
    group: GroupId,
    added: Vec<JoinRequest>,
    removed: Vec<String>,
) -> Vec<Effect> {
    let shown = unmark_if_shown(state, Pane::Requests, session, &group, &removed);
    // The cursor's row, or the first after it that stays: an answered request leaving the list
    // above the cursor must not move it onto the next person (a key pressed right after would
    // skip one).
    let keep: Option<String> = shown
        .then(|| {
            let cursor = state.list(Pane::Requests).cursor;
            let rows = state.visible_requests();
            rows.iter()
                .skip(cursor)
                .find(|r| !removed.contains(&r.jid))
                .map(|r| r.jid.clone())
        })
        .flatten();
    let list = state.requests.entry((session, group)).or_default();
    list.apply(added, &removed);
    if shown {
        if let Some(i) = keep.and_then(|j| state.visible_requests().iter().position(|r| r.jid == j))
        {
            state.list_mut(Pane::Requests).cursor = i;
        }
        clamp(state, Pane::Requests);
    }
    Vec::new()
}

/// Unmarks the rows of `pane` that are no longer in its list.
fn keep_marks(state: &mut AppState, pane: Pane, ids: &HashSet<&str>) {
    state
        .list_mut(pane)
        .marked
        .retain(|m| ids.contains(m.as_str()));
}

/// A live change to a shown list unmarks the rows it removes; true if the list is shown.
fn unmark_if_shown(
    state: &mut AppState,
    pane: Pane,
    session: SessionId,
    group: &GroupId,
    removed: &[String],
) -> bool {
    let shown = shown(state, session, group);
    if shown && !removed.is_empty() {
        state.list_mut(pane).marked.retain(|m| !removed.contains(m));
    }
    shown
}

// ---- communities ------------------------------------------------------------------------

/// Every subgroup of a community, joined or not: the tree may change under the cursor.
fn on_subgroups(
    state: &mut AppState,
    session: SessionId,
    community: GroupId,
    subgroups: Vec<GroupSummary>,
) -> Vec<Effect> {
    state.subgroups.insert((session, community), subgroups);
    reselect_group(state);
    Vec::new()
}

/// A community's merged participants: its roster when it is selected.
fn on_community_members(
    state: &mut AppState,
    session: SessionId,
    community: GroupId,
    participants: Vec<Participant>,
) -> Vec<Effect> {
    state
        .community_members
        .insert((session, community), participants);
    clamp(state, Pane::Roster);
    Vec::new()
}

// ---- operations, the live feed, messages ------------------------------------------------

/// WhatsApp rate-limited the session: what it sends waits until then.
fn on_pace(state: &mut AppState, session: SessionId, pace: Pace) -> Vec<Effect> {
    state.pace.insert(session, pace);
    Vec::new()
}

/// A notice or an error from the engine, for the status line.
fn say(state: &mut AppState, text: String, level: Level) -> Vec<Effect> {
    status(state, text, level);
    Vec::new()
}

/// A live event joins the feed (at most `EVENTS_CAP`, the oldest dropped).
fn on_event(state: &mut AppState, e: GroupEvent) -> Vec<Effect> {
    state.events.push_back(e);
    if state.events.len() > EVENTS_CAP {
        state.events.pop_front();
    }
    // Newest are shown first: keep a scrolled-away cursor on the same event.
    let live = state.history.is_none();
    let list = state.list_mut(Pane::Events);
    if live && list.cursor > 0 && list.filter.is_empty() {
        list.cursor += 1;
    }
    clamp(state, Pane::Events);
    Vec::new()
}
