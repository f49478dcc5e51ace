//! Moderation keys: what each one asks (a dialog, a confirm, or straight away), the admin check
//! that explains instead of sending, and what happens when WhatsApp answers.

use super::{Action, Command, Effect, Level, palette, status};
use crate::app::editor::Editor;
use crate::app::state::{
    AppState, Confirm, CreateDialog, CreateKind, InputDialog, InputKind, Pane, PendingOp, Popup,
    REPORTS_CAP, SettingsDialog, running_report,
};
use crate::domain::{GroupId, GroupSummary, SessionId};
use crate::ops::{
    Answer, DESCRIPTION_MAX, Op, OpId, OpReport, Outcome, SUBJECT_MAX, TargetOutcome,
};

/// Handles a moderation command; `None` if `cmd` is not one.
pub fn command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    [
        participant_command,
        request_command,
        group_info_command,
        membership_command,
        view_command,
    ]
    .into_iter()
    .find_map(|family| family(state, cmd))
}

/// Add, remove, promote and demote participants (the marked ones, else the cursor's).
fn participant_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::AddParticipants => with_group(state, |state, s, g| {
            if !is_admin(g) && g.settings.admin_add_only == Some(true) {
                return explain(
                    state,
                    g,
                    "add participants (the group lets only admins add)",
                );
            }
            open_input(state, InputKind::AddParticipants, s, g, Editor::multi(""));
            Vec::new()
        }),
        Command::RemoveParticipants => on_rows(state, Pane::Roster, |state, s, g, rows| {
            // A community's roster is everyone in it: they leave the community and its groups.
            let op = if g.community == crate::domain::CommunityMark::Community {
                Op::RemoveFromCommunity(ids(&rows))
            } else {
                Op::Remove(ids(&rows))
            };
            confirm(state, s, g, op, rows)
        }),
        Command::Promote => on_rows(state, Pane::Roster, |state, s, g, rows| {
            start(state, s, Some(g.id.clone()), Op::Promote(ids(&rows)))
        }),
        Command::Demote => on_rows(state, Pane::Roster, |state, s, g, rows| {
            start(state, s, Some(g.id.clone()), Op::Demote(ids(&rows)))
        }),
        _ => return None,
    };
    Some(out)
}

/// Approve or reject join requests; approving all of them asks first.
fn request_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Approve => on_rows(state, Pane::Requests, |state, s, g, rows| {
            let Some(rows) = undecided(state, s, g, rows) else {
                return Vec::new();
            };
            let sent = start(state, s, Some(g.id.clone()), Op::Approve(ids(&rows)));
            next_undecided(state, s, &g.id);
            sent
        }),
        Command::Reject => on_rows(state, Pane::Requests, |state, s, g, rows| {
            let Some(rows) = undecided(state, s, g, rows) else {
                return Vec::new();
            };
            confirm(state, s, g, Op::Reject(ids(&rows)), rows)
        }),
        Command::ApproveAll => with_group(state, approve_all),
        _ => return None,
    };
    Some(out)
}

/// The rows without a decision on the way: one key press is one decision, however fast the
/// key repeats (the decided row stays until WhatsApp answers). `None`, said in the status bar
/// with the cursor moved on, when every row already has one.
fn undecided(
    state: &mut AppState,
    s: SessionId,
    g: &GroupSummary,
    rows: Vec<(String, String)>,
) -> Option<Vec<(String, String)>> {
    let deciding = state.deciding(s, &g.id);
    let rows: Vec<(String, String)> = rows
        .into_iter()
        .filter(|(jid, _)| !deciding.contains(jid.as_str()))
        .collect();
    if rows.is_empty() {
        status(
            state,
            "Already sent: waiting for WhatsApp's answer",
            Level::Info,
        );
        next_undecided(state, s, &g.id);
        return None;
    }
    Some(rows)
}

/// Moves the requests cursor (unless rows are marked) to the next row after it with no
/// decision on the way, so the next key press decides the next person.
fn next_undecided(state: &mut AppState, s: SessionId, g: &GroupId) {
    if !state.list(Pane::Requests).marked.is_empty() {
        return;
    }
    let cursor = state.list(Pane::Requests).cursor;
    let next = {
        let deciding = state.deciding(s, g);
        let rows = state.visible_requests();
        (cursor + 1..rows.len()).find(|&i| !deciding.contains(rows[i].jid.as_str()))
    };
    if let Some(i) = next {
        state.list_mut(Pane::Requests).cursor = i;
    }
}

fn approve_all(state: &mut AppState, s: SessionId, g: &GroupSummary) -> Vec<Effect> {
    if !is_admin(g) {
        return explain(state, g, "approve join requests");
    }
    let rows: Vec<(String, String)> = state
        .requests
        .get(&(s, g.id.clone()))
        .into_iter()
        .flatten()
        .map(|r| (r.jid.clone(), r.display().to_string()))
        .collect();
    if rows.is_empty() {
        status(
            state,
            format!("{} has no pending requests", g.subject),
            Level::Info,
        );
        return Vec::new();
    }
    confirm(state, s, g, Op::Approve(ids(&rows)), rows)
}

/// The group's subject, description, picture and settings.
fn group_info_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::EditSubject => with_group(state, |state, s, g| {
            if g.settings.locked && !is_admin(g) {
                return explain(state, g, "edit the subject (group info is admins-only)");
            }
            let editor = Editor::single(&g.subject).limit(SUBJECT_MAX);
            open_input(state, InputKind::Subject, s, g, editor);
            Vec::new()
        }),
        Command::EditDescription => with_group(state, edit_description),
        Command::SetPicture => with_group(state, |state, s, g| {
            if g.settings.locked && !is_admin(g) {
                return explain(state, g, "change the picture (group info is admins-only)");
            }
            open_input(
                state,
                InputKind::Picture,
                s,
                g,
                Editor::single("").limit(4096),
            );
            Vec::new()
        }),
        Command::RemovePicture => with_group(state, |state, s, g| {
            confirm(state, s, g, Op::RemovePicture, Vec::new())
        }),
        Command::Settings => with_group(state, open_settings),
        _ => return None,
    };
    Some(out)
}

/// The description editor names the version it edits, so a concurrent change is caught.
fn edit_description(state: &mut AppState, s: SessionId, g: &GroupSummary) -> Vec<Effect> {
    if g.settings.locked && !is_admin(g) {
        return explain(state, g, "edit the description (group info is admins-only)");
    }
    let text = g.description.clone().unwrap_or_default();
    let editor = Editor::multi(&text).limit(DESCRIPTION_MAX);
    let kind = InputKind::Description {
        prev: g.description_id.clone(),
        reloading: false,
    };
    open_input(state, kind, s, g, editor);
    Vec::new()
}

fn open_settings(state: &mut AppState, s: SessionId, g: &GroupSummary) -> Vec<Effect> {
    if !is_admin(g) {
        return explain(state, g, "change group settings");
    }
    state.popup = Some(Popup::Settings(SettingsDialog {
        session: s,
        group: g.id.clone(),
        original: g.settings,
        draft: g.settings,
        cursor: 0,
    }));
    Vec::new()
}

/// Invite links, joining, leaving and creating groups.
fn membership_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::InviteLink => with_group(state, |state, s, g| {
            if !is_admin(g) {
                return explain(state, g, "see the invite link");
            }
            open_invite(state, s, g.id.clone(), None)
        }),
        Command::RevokeInvite => with_group(state, |state, s, g| {
            confirm(state, s, g, Op::RevokeInvite, Vec::new())
        }),
        Command::JoinGroup => match state.current_session {
            Some(s) => {
                state.popup = Some(Popup::Input(Box::new(InputDialog {
                    kind: InputKind::JoinCode,
                    session: s,
                    group: None,
                    editor: Editor::single("").limit(200),
                    error: None,
                })));
                Vec::new()
            }
            None => no_session(state),
        },
        Command::LeaveGroup => with_group(state, |state, s, g| {
            confirm(state, s, g, Op::Leave, Vec::new())
        }),
        Command::CreateGroup => match state.current_session {
            Some(session) => {
                state.popup = Some(Popup::Create(Box::new(CreateDialog::new(
                    session,
                    CreateKind::Group,
                ))));
                Vec::new()
            }
            None => no_session(state),
        },
        _ => return None,
    };
    Some(out)
}

/// The command palette, and the last operation's result view.
fn view_command(state: &mut AppState, cmd: Command) -> Option<Vec<Effect>> {
    let out = match cmd {
        Command::Palette => palette::open(state),
        Command::Inbox => super::inbox::open(state),
        Command::LastResult => {
            // A bulk operation still going shows first: what is answered, what waits.
            let running = state
                .ops
                .iter()
                .rev()
                .find(|(_, o)| o.progress.is_some())
                .and_then(|(id, _)| running_report(state, *id));
            match running.or_else(|| state.reports.back().cloned()) {
                Some(report) => state.popup = Some(Popup::Result { report, scroll: 0 }),
                None => status(state, "No results yet", Level::Info),
            }
            Vec::new()
        }
        _ => return None,
    };
    Some(out)
}

fn is_admin(g: &GroupSummary) -> bool {
    g.my_role.is_some_and(|r| r.is_admin())
}

/// Says why an admin action is not sent.
fn explain(state: &mut AppState, g: &GroupSummary, what: &str) -> Vec<Effect> {
    status(
        state,
        format!(
            "Not sent: you are not an admin of {}, and only admins can {what}",
            g.subject
        ),
        Level::Error,
    );
    Vec::new()
}

fn no_session(state: &mut AppState) -> Vec<Effect> {
    status(
        state,
        "Link a session first (n in the sessions pane)",
        Level::Error,
    );
    Vec::new()
}

fn with_group(
    state: &mut AppState,
    f: impl FnOnce(&mut AppState, SessionId, &GroupSummary) -> Vec<Effect>,
) -> Vec<Effect> {
    let Some(s) = state.current_session else {
        return no_session(state);
    };
    let Some(g) = state.current_group_summary().cloned() else {
        status(state, "Select a group first", Level::Error);
        return Vec::new();
    };
    f(state, s, &g)
}

/// The marked rows of `pane`, else the cursor row: (jid, shown name).
pub fn selected(state: &AppState, pane: Pane) -> Vec<(String, String)> {
    let marked = &state.list(pane).marked;
    let cursor = state.list(pane).cursor;
    match pane {
        Pane::Roster => {
            let rows = state.visible_roster();
            if marked.is_empty() {
                rows.get(cursor)
                    .map(|p| vec![(p.jid.clone(), p.display().to_string())])
                    .unwrap_or_default()
            } else {
                rows.iter()
                    .filter(|p| marked.contains(&p.jid))
                    .map(|p| (p.jid.clone(), p.display().to_string()))
                    .collect()
            }
        }
        Pane::Requests => {
            let rows = state.visible_requests();
            if marked.is_empty() {
                rows.get(cursor)
                    .map(|r| vec![(r.jid.clone(), r.display().to_string())])
                    .unwrap_or_default()
            } else {
                rows.iter()
                    .filter(|r| marked.contains(&r.jid))
                    .map(|r| (r.jid.clone(), r.display().to_string()))
                    .collect()
            }
        }
        _ => Vec::new(),
    }
}

fn ids(rows: &[(String, String)]) -> Vec<String> {
    rows.iter().map(|(j, _)| j.clone()).collect()
}

/// An admin action on the selected rows of `pane`.
fn on_rows(
    state: &mut AppState,
    pane: Pane,
    f: impl FnOnce(&mut AppState, SessionId, &GroupSummary, Vec<(String, String)>) -> Vec<Effect>,
) -> Vec<Effect> {
    with_group(state, |state, s, g| {
        if !is_admin(g) {
            let what = match pane {
                Pane::Requests => "act on join requests",
                _ => "change who is in the group and their roles",
            };
            return explain(state, g, what);
        }
        let rows = selected(state, pane);
        if rows.is_empty() {
            let text = match pane {
                Pane::Requests => "No request selected",
                _ => "No participant selected",
            };
            status(state, text, Level::Error);
            return Vec::new();
        }
        f(state, s, g, rows)
    })
}

fn open_input(
    state: &mut AppState,
    kind: InputKind,
    session: SessionId,
    g: &GroupSummary,
    editor: Editor,
) {
    state.popup = Some(Popup::Input(Box::new(InputDialog {
        kind,
        session,
        group: Some(g.id.clone()),
        editor,
        error: None,
    })));
}

fn confirm(
    state: &mut AppState,
    session: SessionId,
    g: &GroupSummary,
    op: Op,
    rows: Vec<(String, String)>,
) -> Vec<Effect> {
    if op.needs_admin() && !is_admin(g) {
        let what = match op {
            Op::RevokeInvite => "revoke the invite link",
            Op::RemovePicture => "remove the picture",
            _ => "do this",
        };
        return explain(state, g, what);
    }
    state.popup = Some(Popup::Confirm(Confirm::Op {
        session,
        group: Some(g.id.clone()),
        op,
        names: rows.into_iter().map(|(_, n)| n).collect(),
    }));
    Vec::new()
}

/// The invite popup; asks WhatsApp for the link unless it is known.
pub fn open_invite(
    state: &mut AppState,
    session: SessionId,
    group: GroupId,
    note: Option<String>,
) -> Vec<Effect> {
    let link = state.invite_links.get(&(session, group.clone())).cloned();
    let known = link.is_some();
    state.popup = Some(Popup::Invite {
        session,
        group: group.clone(),
        link,
        note,
    });
    if known {
        return Vec::new();
    }
    start(state, session, Some(group), Op::InviteLink)
}

/// Sends an operation: it shows as pending until its report arrives.
pub fn start(
    state: &mut AppState,
    session: SessionId,
    group: Option<GroupId>,
    op: Op,
) -> Vec<Effect> {
    state.next_op += 1;
    let id = OpId(state.next_op);
    let title = op.title();
    let paused = state.writes_paused_for(session);
    let total = op.targets().len();
    state.ops.insert(
        id,
        PendingOp {
            session,
            group: group.clone(),
            title: title.clone(),
            started: state.now,
            progress: (total > 1).then_some((0, total)),
            answered: Vec::new(),
            op: op.clone(),
        },
    );
    match paused {
        Some(secs) => status(
            state,
            format!("{title}: waits {secs}s (WhatsApp rate limit), then sends"),
            Level::Info,
        ),
        None => status(
            state,
            format!("{title}: sent, waiting for WhatsApp…"),
            Level::Info,
        ),
    }
    // Marks were used up by this action.
    if !op.targets().is_empty() {
        state.list_mut(Pane::Roster).marked.clear();
        state.list_mut(Pane::Requests).marked.clear();
    }
    vec![Effect::Send(Action::Run {
        id,
        session,
        group,
        op,
    })]
}

/// A bulk operation's progress, for the activity indicator and its result view while it runs
/// (redrawn if it is open).
pub fn on_progress(
    state: &mut AppState,
    id: OpId,
    done: usize,
    total: usize,
    answered: Vec<TargetOutcome>,
) -> Vec<Effect> {
    if let Some(p) = state.ops.get_mut(&id) {
        p.progress = Some((done, total));
        p.answered.extend(answered);
    }
    if let Some(Popup::Result { report, scroll }) = &state.popup
        && report.id == id
        && let Some(fresh) = running_report(state, id)
    {
        let scroll = *scroll;
        state.popup = Some(Popup::Result {
            report: fresh,
            scroll,
        });
    }
    Vec::new()
}

/// WhatsApp answered: the result view (or a status line for a plain success), and the popups
/// that wait on answers (invite link, preview, description conflict).
pub fn on_done(state: &mut AppState, report: OpReport) -> Vec<Effect> {
    let pending = state.ops.remove(&report.id);
    state.reports.push_back(report.clone());
    if state.reports.len() > REPORTS_CAP {
        state.reports.pop_front();
    }
    let awaited = show_invite_link(state, &report)
        || offer_description_retry(state, &report, pending)
        || show_preview(state, &report);
    if !awaited {
        show_outcome(state, report);
    }
    Vec::new()
}

/// A new invite link is remembered, and shown if its popup waits for it; true if it was.
fn show_invite_link(state: &mut AppState, report: &OpReport) -> bool {
    let (Some(Answer::InviteLink(link)), Some(group)) = (&report.answer, &report.group) else {
        return false;
    };
    let key = (report.session, group.clone());
    state.invite_links.insert(key.clone(), link.clone());
    let Some(Popup::Invite {
        session,
        group,
        link: shown,
        ..
    }) = &mut state.popup
    else {
        return false;
    };
    if (*session, group.clone()) != key {
        return false;
    }
    *shown = Some(link.clone());
    if report.action == "revoke-invite" {
        status(
            state,
            "Invite link revoked: the old link no longer works",
            Level::Info,
        );
    }
    true
}

/// Someone changed the description while we edited it: offer to reload and retry ours (unless
/// another popup is up); true if offered.
fn offer_description_retry(
    state: &mut AppState,
    report: &OpReport,
    pending: Option<PendingOp>,
) -> bool {
    if report.outcome == Outcome::Conflict
        && let Some(PendingOp {
            op: Op::SetDescription { text, .. },
            ..
        }) = pending
        && let Some(group) = report.group.clone()
        && state.popup.is_none()
    {
        state.popup = Some(Popup::DescriptionConflict {
            session: report.session,
            group,
            text,
        });
        return true;
    }
    false
}

/// The group behind an invite code, to join or not (unless another popup is up); true if shown.
fn show_preview(state: &mut AppState, report: &OpReport) -> bool {
    if let Some(preview @ Answer::Preview { .. }) = &report.answer
        && state.popup.is_none()
    {
        state.popup = Some(Popup::Preview {
            session: report.session,
            preview: preview.clone(),
        });
        return true;
    }
    false
}

/// A plain success, or any answer while a popup is up, is a status line; the rest open the
/// result view.
fn show_outcome(state: &mut AppState, report: OpReport) {
    let level = if report.all_done() {
        Level::Info
    } else {
        Level::Error
    };
    let plain = report.all_done() && report.targets.len() <= 1;
    if plain || state.popup.is_some() {
        let more = if plain { "" } else { " (o: details)" };
        status(state, outcome_line(&report, more), level);
        return;
    }
    status(
        state,
        format!("{}: {}", report.title, report.summary()),
        level,
    );
    state.popup = Some(Popup::Result { report, scroll: 0 });
}

/// The status line for an answer; `more` says whether details are behind `o`.
fn outcome_line(report: &OpReport, more: &str) -> String {
    match (&report.answer, report.targets.as_slice()) {
        (Some(Answer::Joined(_)), _) => format!("Joined the group{more}"),
        (Some(Answer::RequestFiled(_)), _) => {
            "Join request sent: an admin has to approve it".to_string()
        }
        (_, [one]) => format!(
            "{}: {}: {}{more}",
            report.title,
            crate::domain::person_label(one.display()),
            one.outcome.words()
        ),
        _ => format!("{}: {}{more}", report.title, report.summary()),
    }
}
