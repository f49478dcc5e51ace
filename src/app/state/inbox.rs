//! The inbox's rows (issue 18): every pending join request of every group a session
//! administers, across sessions, with what wamod can tell about each requester from what it
//! holds. A pure selector; the view and its keys build on it.

use std::collections::HashMap;

use super::AppState;
use crate::domain::{GroupSummary, JoinRequest, SessionId};

/// One pending request as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow<'a> {
    pub session: SessionId,
    pub group: &'a GroupSummary,
    pub request: &'a JoinRequest,
    /// In how many of the groups listed (this one included) the same person is pending: someone
    /// asking to join many groups at once.
    pub pending_in: usize,
}

/// How the inbox is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InboxSort {
    /// Oldest request first (unknown times last).
    #[default]
    Age,
    /// By group subject, then age.
    Group,
    /// Most signals first (pending in most groups), then age.
    Signal,
}

/// The person behind a request across groups and sessions: their number when WhatsApp gives
/// it, else their JID.
fn person(r: &JoinRequest) -> &str {
    r.phone.as_deref().unwrap_or(&r.jid)
}

/// Every pending request of every group where a session is an admin, in `sort` order.
pub fn inbox_rows(state: &AppState, sort: InboxSort) -> Vec<InboxRow<'_>> {
    let mut rows: Vec<InboxRow<'_>> = Vec::new();
    for (session, groups) in &state.groups {
        for g in groups
            .iter()
            .filter(|g| g.my_role.is_some_and(|r| r.is_admin()))
        {
            let Some(requests) = state.requests.get(&(*session, g.id.clone())) else {
                continue;
            };
            rows.extend(requests.iter().map(|request| InboxRow {
                session: *session,
                group: g,
                request,
                pending_in: 0,
            }));
        }
    }
    let mut count: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *count.entry(person(r.request)).or_default() += 1;
    }
    for r in &mut rows {
        r.pending_in = count.get(person(r.request)).copied().unwrap_or(1);
    }
    let age = |r: &InboxRow| r.request.requested_at.unwrap_or(i64::MAX);
    match sort {
        InboxSort::Age => rows.sort_by_key(|r| (age(r), r.session, r.request.jid.clone())),
        InboxSort::Group => rows.sort_by(|a, b| {
            (a.group.subject.to_lowercase(), age(a)).cmp(&(b.group.subject.to_lowercase(), age(b)))
        }),
        InboxSort::Signal => rows.sort_by_key(|r| {
            (
                std::cmp::Reverse(r.pending_in),
                age(r),
                r.request.jid.clone(),
            )
        }),
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::domain::{GroupId, Role};
    use crate::keyed_list::KeyedList;

    fn group(n: u32, subject: &str, role: Role) -> GroupSummary {
        GroupSummary {
            id: GroupId(format!("{n}@g.us")),
            subject: subject.into(),
            my_role: Some(role),
            ..Default::default()
        }
    }

    fn asked(phone: &str, at: i64) -> JoinRequest {
        JoinRequest {
            jid: format!("{}@s.whatsapp.net", phone.trim_start_matches('+')),
            phone: Some(phone.into()),
            requested_at: Some(at),
            ..Default::default()
        }
    }

    fn state() -> AppState {
        let mut s = AppState::new(Keymap::default(), 0);
        let one = SessionId(1);
        let two = SessionId(2);
        s.groups.insert(
            one,
            vec![
                group(1, "Parents", Role::Admin),
                group(2, "Book club", Role::Member),
            ],
        );
        s.groups
            .insert(two, vec![group(3, "Runners", Role::SuperAdmin)]);
        let list = |rs: Vec<JoinRequest>| {
            let mut l = KeyedList::default();
            for r in rs {
                l.upsert(r);
            }
            l
        };
        s.requests.insert(
            (one, GroupId("1@g.us".into())),
            list(vec![asked("+15550001", 30), asked("+15550002", 10)]),
        );
        // Not an admin there: WhatsApp would not show them, and the inbox does not either.
        s.requests.insert(
            (one, GroupId("2@g.us".into())),
            list(vec![asked("+15550009", 5)]),
        );
        s.requests.insert(
            (two, GroupId("3@g.us".into())),
            list(vec![asked("+15550001", 20)]),
        );
        s
    }

    #[test]
    fn every_admin_groups_requests_across_sessions_oldest_first() {
        let s = state();
        let rows = inbox_rows(&s, InboxSort::Age);
        let seen: Vec<(&str, &str, usize)> = rows
            .iter()
            .map(|r| (r.group.subject.as_str(), person(r.request), r.pending_in))
            .collect();
        assert_eq!(
            seen,
            [
                ("Parents", "+15550002", 1),
                ("Runners", "+15550001", 2),
                ("Parents", "+15550001", 2),
            ]
        );
    }

    #[test]
    fn sorted_by_group_or_by_signal() {
        let s = state();
        let by_group: Vec<&str> = inbox_rows(&s, InboxSort::Group)
            .iter()
            .map(|r| r.group.subject.as_str())
            .collect();
        assert_eq!(by_group, ["Parents", "Parents", "Runners"]);
        let by_signal: Vec<usize> = inbox_rows(&s, InboxSort::Signal)
            .iter()
            .map(|r| r.pending_in)
            .collect();
        assert_eq!(by_signal, [2, 2, 1]);
    }
}
