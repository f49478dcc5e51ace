//! View selectors: what the view derives from the state (rows of a popup, the question a
//! confirm asks). Pure functions of the state; the reducer uses them too, so what a key acts on
//! is what the screen shows.

use crate::domain::{GroupId, GroupSettings};
use crate::ops::{Op, Setting};
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

/// Operations in flight and rate-limit pauses: "⏸ rate limited 23s", "⟳ 256/600",
/// "⟳ 2 waiting".
pub fn activity(state: &AppState) -> Option<String> {
    let paused = state
        .paused
        .values()
        .map(|until| until - state.now)
        .filter(|left| *left > 0)
        .max();
    let mut parts = Vec::new();
    if let Some(left) = paused {
        parts.push(format!("⏸ rate limited {left}s"));
    }
    let bulk = state.ops.values().find_map(|o| o.progress);
    match (state.ops.len(), bulk) {
        (0, _) => {}
        (1, Some((done, total))) => parts.push(format!("⟳ {done}/{total}")),
        (1, None) => parts.push("⟳ 1 waiting".into()),
        (n, _) => parts.push(format!("⟳ {n} waiting")),
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
