//! View selectors: what the view derives from the state (rows of a popup, the question a
//! confirm asks). Pure functions of the state; the reducer uses them too, so what a key acts on
//! is what the screen shows.

use std::collections::HashSet;

use crate::app::keymap::{Command, Context};
use crate::domain::{GroupId, GroupSettings, Pace, SessionId};
use crate::ops::{Op, OpId, OpReport, Outcome, Setting, TargetOutcome};
use crate::protocol::AuditRow;

use super::{AppState, SettingsDialog};

/// Rows of the settings popup, one per setting.
pub const SETTINGS_ROWS: usize = 5;

/// The setting a row shows, with its value in `s`.
pub fn setting_at(row: usize, s: &GroupSettings) -> Setting {
    match row {
        0 => Setting::AdminsOnlySend(s.announce),
        1 => Setting::AdminsOnlyEdit(s.locked),
        2 => Setting::Approval(s.approval),
        3 => Setting::AdminsOnlyAdd(s.admin_add_only.unwrap_or(false)),
        _ => Setting::Disappearing(s.ephemeral),
    }
}

/// The settings that differ between the original and the draft, as operations.
pub fn settings_changes(d: &SettingsDialog) -> Vec<Op> {
    (0..SETTINGS_ROWS)
        .filter(|row| {
            let changed = setting_at(*row, &d.original) != setting_at(*row, &d.draft);
            // "Who can add" is often unknown (None): sending it is only a change if touched.
            changed || (*row == 3 && d.original.admin_add_only != d.draft.admin_add_only)
        })
        .map(|row| Op::Setting(setting_at(row, &d.draft)))
        .collect()
}

/// The popup's rows: name, value in words, changed from the original.
pub fn settings_rows(d: &SettingsDialog) -> Vec<(&'static str, String, bool)> {
    let changes = settings_changes(d);
    (0..SETTINGS_ROWS)
        .map(|row| {
            let s = setting_at(row, &d.draft);
            let value = if row == 3 && d.draft.admin_add_only.is_none() {
                "not known yet".to_string()
            } else {
                s.value_words()
            };
            (s.name(), value, changes.contains(&Op::Setting(s)))
        })
        .collect()
}

pub fn settings_change_count(d: &SettingsDialog) -> usize {
    settings_changes(d).len()
}

/// The audit view's rows that match `filter` (subject, action, outcome, people, `#session`).
pub fn audit_rows<'a>(rows: &'a [AuditRow], filter: &str) -> Vec<&'a AuditRow> {
    let f = filter.to_lowercase();
    // `:audit unanswered`: operations recorded as sent that never had an answer recorded.
    if f.trim() == "unanswered" {
        return rows.iter().filter(|r| r.answered_at.is_none()).collect();
    }
    rows.iter()
        .filter(|r| {
            f.is_empty()
                || [
                    r.group_subject.to_lowercase(),
                    r.action.clone(),
                    r.outcome.clone(),
                    r.target_phone.clone().unwrap_or_default(),
                    r.target.clone().unwrap_or_default(),
                    r.actor.clone().unwrap_or_default(),
                    format!("#{}", r.session),
                ]
                .iter()
                .any(|x| x.contains(&f))
        })
        .collect()
}

/// The text of a confirm popup for an operation.
pub fn question(state: &AppState, op: &Op, group: Option<&GroupId>, names: &[String]) -> String {
    let subject = group
        .and_then(|g| {
            state
                .groups
                .values()
                .flatten()
                .find(|s| &s.id == g)
                .map(|s| s.subject.clone())
        })
        .unwrap_or_else(|| "this group".into());
    if let Some(q) = community_question(op, &subject, names) {
        return q;
    }
    let who = match names {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    };
    match op {
        Op::Remove(_) => format!("Remove {who} from {subject}?"),
        Op::RemoveFromCommunity(_) => {
            format!("Remove {who} from {subject} and from every group in it?")
        }
        Op::Reject(_) => format!("Reject the join request of {who} in {subject}?"),
        Op::Approve(_) => format!("Approve all {} pending requests in {subject}?", names.len()),
        Op::RevokeInvite => format!(
            "Revoke the invite link of {subject}? The current link stops working; a new one is made."
        ),
        Op::Leave => {
            format!("Leave {subject}? You stop receiving its messages and lose admin rights.")
        }
        Op::RemovePicture => format!("Remove the picture of {subject}?"),
        other => format!("{}?", other.title()),
    }
}

/// The confirm question for community operations; `None` for others.
fn community_question(op: &Op, community: &str, names: &[String]) -> Option<String> {
    let name = names.first().cloned().unwrap_or_default();
    Some(match op {
        Op::Unlink { .. } => format!(
            "Unlink {name} from {community}? It stays a group, with its members. With r, those \
             of them in no other group of {community} also leave {community}."
        ),
        Op::Deactivate => format!(
            "Deactivate {community}? The community and its announcement group are deleted; \
             its subgroups remain, as plain groups with their members."
        ),
        Op::JoinSubgroup(_) => format!("Join {name}, a group of {community}?"),
        _ => return None,
    })
}

/// "14:05" today, "Dec 03 14:05" further away (UTC, as the events feed shows times).
pub fn clock(now: i64, at: i64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp(at, 0) else {
        return at.to_string();
    };
    if at.div_euclid(86_400) == now.div_euclid(86_400) {
        t.format("%H:%M").to_string()
    } else {
        t.format("%b %d %H:%M").to_string()
    }
}

/// Operations in flight, the pace and rate-limit pauses: "⏸ reads paused 40s",
/// "⏸ rate limited 23s", "⟳ 256/600", "⟳ 2 waiting", "next in 24s", "adds 40/50 h".
pub fn activity(state: &AppState) -> Option<String> {
    let left = |until: Option<i64>| until.map(|u| u - state.now).filter(|l| *l > 0);
    let longest =
        |of: fn(&Pace) -> Option<i64>| state.pace.values().filter_map(|p| left(of(p))).max();
    let mut parts = Vec::new();
    if let Some(left) = longest(|p| p.reads_paused_until) {
        parts.push(format!("⏸ reads paused {left}s"));
    }
    if let Some(left) = longest(|p| p.writes_paused_until) {
        parts.push(format!("⏸ rate limited {left}s"));
    }
    parts.extend(writes_pace(state));
    let bulk = state.ops.values().find_map(|o| o.progress);
    match (state.ops.len(), bulk) {
        (0, _) => {}
        (1, Some((done, total))) => parts.push(format!("⟳ {done}/{total}")),
        (1, None) => parts.push("⟳ 1 waiting".into()),
        (n, _) => parts.push(format!("⟳ {n} waiting")),
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A bulk operation still going, as a result view: who WhatsApp answered so far, and who is
/// not sent yet, waiting for the session's pace (until when, and for which cap).
pub fn running_report(state: &AppState, id: OpId) -> Option<OpReport> {
    let op = state.ops.get(&id)?;
    let pace = state.pace.get(&op.session);
    let why = match pace.and_then(|p| p.next_send.map(|at| (at, &p.cap_reached))) {
        Some((at, Some(cap))) => format!(
            "waiting for the pace ({cap}), next at {}",
            clock(state.now, at)
        ),
        Some((at, None)) if at > state.now => {
            format!("waiting for the pace, next in {}s", at - state.now)
        }
        _ => "waiting for the pace".to_string(),
    };
    let answered: HashSet<&str> = op.answered.iter().map(|t| t.jid.as_str()).collect();
    let waiting = op
        .op
        .targets()
        .iter()
        .filter(|t| !answered.contains(t.as_str()))
        .map(|t| TargetOutcome {
            jid: t.clone(),
            phone: op
                .group
                .as_ref()
                .and_then(|g| phone_of(state, op.session, g, t)),
            outcome: Outcome::Waiting { why: why.clone() },
        });
    Some(OpReport {
        id,
        session: op.session,
        group: op.group.clone(),
        group_subject: op
            .group
            .as_ref()
            .and_then(|g| state.groups.get(&op.session)?.iter().find(|s| &s.id == g))
            .map(|g| g.subject.clone())
            .unwrap_or_default(),
        action: op.op.name(),
        title: format!("{} (in progress)", op.title),
        outcome: Outcome::Done,
        targets: op.answered.iter().cloned().chain(waiting).collect(),
        answer: None,
        at: state.now,
    })
}

/// A person's phone number, from the group's roster or requests as the UI has them.
fn phone_of(state: &AppState, session: SessionId, group: &GroupId, jid: &str) -> Option<String> {
    let key = (session, group.clone());
    let in_roster = state.rosters.get(&key).into_iter().flatten();
    let members = in_roster.map(|p| (&p.jid, &p.phone));
    let requests = state.requests.get(&key).into_iter().flat_map(|r| r.iter());
    members
        .chain(requests.map(|r| (&r.jid, &r.phone)))
        .find(|(j, _)| j.as_str() == jid)
        .and_then(|(_, phone)| phone.clone())
}

/// The write pace of the session with work waiting: when the next write goes out (and the cap
/// it waits for), how many operations are queued, the adds of the last hour against the cap.
fn writes_pace(state: &AppState) -> Vec<String> {
    let busy = state
        .pace
        .iter()
        .filter(|(s, _)| state.ops.values().any(|o| o.session == **s))
        .map(|(_, p)| p)
        .max_by_key(|p| p.next_send);
    let Some(p) = busy else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    if let Some(at) = p.next_send.filter(|at| *at > state.now) {
        parts.push(match &p.cap_reached {
            Some(cap) => format!("⏳ {cap}: next at {}", clock(state.now, at)),
            None => format!("⏳ next in {}s", at - state.now),
        });
    }
    if p.queued > 0 {
        parts.push(format!("{} queued", p.queued));
    }
    let (adds, cap) = p.adds_hour;
    if adds > 0 {
        parts.push(format!("adds {adds}/{cap} h"));
    }
    let cancel = state
        .keymap
        .keys_label(Context::Global, Command::CancelUnsent);
    if !parts.is_empty() && !cancel.is_empty() {
        parts.push(format!("{cancel} cancels"));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn a_far_deadline_names_the_day() {
        assert_eq!(clock(0, 60), "00:01");
        assert_eq!(clock(0, 2 * 86_400 + 60), "Jan 03 00:01");
    }
}
