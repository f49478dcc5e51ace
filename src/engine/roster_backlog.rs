//! The rosters a sync found (`Update::CacheRoster`), waiting for the cache writer. A first sync
//! of 1,000 groups brings 100,000 members; written in one transaction they would hold every
//! live update behind them for a third of a second, so the writer takes a slice per
//! transaction, between live updates.
//!
//! A slice may go out after live updates that came later, so the writer keeps one rule: an
//! update that touches a waiting roster (a roster change, a whole roster, a group or session
//! gone, a new group list) has that roster written first, in the same transaction. Roster
//! deltas are per member and the last one wins, so a snapshot followed by the deltas since any
//! older state is the current roster.

use std::collections::{HashSet, VecDeque};

use crate::protocol::Update;

/// Members of waiting rosters written per transaction (~12 ms of SQLite work)...
pub const SLICE_ROWS: usize = 5_000;
/// ...or, when live updates are being written too, this many: they come first, and the
/// backlog finishes once the burst is over.
pub const BUSY_SLICE_ROWS: usize = 1_000;

#[derive(Default)]
pub struct RosterBacklog {
    waiting: VecDeque<Update>,
}

/// What an update touches among the waiting rosters.
enum Touch<'a> {
    Nothing,
    Group(u32, &'a str),
    Session(u32),
}

fn touch(u: &Update) -> Touch<'_> {
    match u {
        Update::Roster { session, group, .. }
        | Update::RosterChanged { session, group, .. }
        | Update::GroupGone { session, group } => Touch::Group(session.0, group.as_str()),
        Update::Groups { session, .. } => Touch::Session(session.0),
        Update::SessionRemoved(session) => Touch::Session(session.0),
        _ => Touch::Nothing,
    }
}

fn key(u: &Update) -> Option<(u32, &str)> {
    match u {
        Update::CacheRoster { session, group, .. } => Some((session.0, group.as_str())),
        _ => None,
    }
}

fn rows(u: &Update) -> usize {
    match u {
        Update::CacheRoster { participants, .. } => participants.len().max(1),
        _ => 0,
    }
}

impl RosterBacklog {
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The next transaction: the rosters `updates` touch, a slice of the others (all of them
    /// when `all`, as when wamod stops), then `updates` without their own waiting rosters,
    /// which join the backlog (a newer roster of a group replaces its waiting one).
    pub fn next_transaction(&mut self, updates: Vec<Update>, all: bool) -> Vec<Update> {
        let (arrived, updates): (Vec<Update>, Vec<Update>) = updates
            .into_iter()
            .partition(|u| matches!(u, Update::CacheRoster { .. }));
        for roster in arrived {
            let k = key(&roster);
            self.waiting.retain(|w| key(w) != k);
            self.waiting.push_back(roster);
        }
        let mut groups = HashSet::new();
        let mut sessions = HashSet::new();
        for u in &updates {
            match touch(u) {
                Touch::Group(s, g) => {
                    groups.insert((s, g.to_string()));
                }
                Touch::Session(s) => {
                    sessions.insert(s);
                }
                Touch::Nothing => {}
            }
        }
        let mut out = Vec::with_capacity(updates.len() + 16);
        let budget = if updates.is_empty() {
            SLICE_ROWS
        } else {
            BUSY_SLICE_ROWS
        };
        let mut slice = 0;
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        for w in self.waiting.drain(..) {
            let due = key(&w).is_some_and(|(s, g)| {
                sessions.contains(&s) || groups.contains(&(s, g.to_string()))
            });
            if all || due || slice < budget {
                if !due {
                    slice += rows(&w);
                }
                out.push(w);
            } else {
                keep.push_back(w);
            }
        }
        self.waiting = keep;
        out.extend(updates);
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::{GroupId, Participant, Role, SessionId};

    fn roster(session: u32, group: &str, members: usize) -> Update {
        Update::CacheRoster {
            session: SessionId(session),
            group: GroupId(group.into()),
            participants: Arc::new(
                (0..members)
                    .map(|i| Participant {
                        jid: format!("{i}@lid"),
                        phone: None,
                        lid: None,
                        role: Role::Member,
                    })
                    .collect(),
            ),
        }
    }

    fn event() -> Update {
        Update::Notice {
            text: "live".into(),
        }
    }

    /// (group, members) of the rosters in a transaction, and how many other updates.
    fn shape(txn: &[Update]) -> (Vec<(String, usize)>, usize) {
        let rosters = txn
            .iter()
            .filter_map(|u| match u {
                Update::CacheRoster {
                    group,
                    participants,
                    ..
                } => Some((group.0.clone(), participants.len())),
                _ => None,
            })
            .collect();
        let others = txn
            .iter()
            .filter(|u| !matches!(u, Update::CacheRoster { .. }))
            .count();
        (rosters, others)
    }

    #[test]
    fn a_sync_goes_out_in_slices_between_live_updates() {
        let mut b = RosterBacklog::default();
        let sync: Vec<Update> = (0..10)
            .map(|i| roster(1, &format!("g{i}"), 2_000))
            .collect();
        // Three rosters reach the slice's size; the live update rides along.
        let first = b.next_transaction(sync, false);
        assert_eq!(
            shape(&first)
                .0
                .iter()
                .map(|r| r.0.as_str())
                .collect::<Vec<_>>(),
            ["g0", "g1", "g2"]
        );
        // With live updates to write, a smaller slice.
        let second = b.next_transaction(vec![event()], false);
        assert_eq!(shape(&second).0.len(), 1);
        assert_eq!(shape(&second).1, 1);
        assert!(matches!(second.last(), Some(Update::Notice { .. })));
        let rest = b.next_transaction(Vec::new(), true);
        assert_eq!(shape(&rest).0.len(), 6);
        assert!(b.is_empty());
    }

    #[test]
    fn a_live_change_has_its_waiting_roster_written_first() {
        let mut b = RosterBacklog::default();
        let sync: Vec<Update> = (0..10)
            .map(|i| roster(1, &format!("g{i}"), 6_000))
            .collect();
        let _ = b.next_transaction(sync, false);
        let change = Update::RosterChanged {
            session: SessionId(1),
            group: GroupId("g7".into()),
            upsert: Vec::new(),
            removed: vec!["1@lid".into()],
        };
        let txn = b.next_transaction(vec![change], false);
        let (rosters, others) = shape(&txn);
        assert_eq!(
            rosters.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["g1", "g7"],
            "the slice, and g7 before its change"
        );
        assert_eq!(others, 1);
        assert!(matches!(txn.last(), Some(Update::RosterChanged { .. })));
    }

    #[test]
    fn a_removed_session_has_only_its_own_rosters_written_first() {
        let mut b = RosterBacklog::default();
        let waiting = vec![
            roster(2, "a", 6_000),
            roster(2, "b", 6_000),
            roster(2, "c", 6_000),
            roster(1, "x", 6_000),
            roster(1, "y", 6_000),
        ];
        let _ = b.next_transaction(waiting, false);
        let txn = b.next_transaction(vec![Update::SessionRemoved(SessionId(1))], false);
        assert_eq!(
            shape(&txn)
                .0
                .iter()
                .map(|r| r.0.as_str())
                .collect::<Vec<_>>(),
            ["b", "x", "y"],
            "a slice of session 2, and all of session 1 before it goes"
        );
        assert!(matches!(txn.last(), Some(Update::SessionRemoved(_))));
        assert!(!b.is_empty(), "c still waits");
    }

    #[test]
    fn a_newer_roster_replaces_the_waiting_one() {
        let mut b = RosterBacklog::default();
        let big: Vec<Update> = (0..3).map(|i| roster(1, &format!("g{i}"), 6_000)).collect();
        let _ = b.next_transaction(big, false);
        let txn = b.next_transaction(vec![roster(1, "g2", 5)], true);
        assert_eq!(
            shape(&txn).0,
            [("g1".to_string(), 6_000), ("g2".to_string(), 5)]
        );
    }
}
