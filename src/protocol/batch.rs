//! Batches of updates: what a later update in the same batch makes redundant.

use super::Update;

/// Which whole value an update carries, if it replaces an earlier one of the same kind.
/// `CacheRoster` has a kind of its own: it never reaches the UI, so it must not make a `Roster`
/// the UI asked for redundant (that dropped a just-joined subgroup's roster on its way to the
/// UI when the sync's cache copy came in the same batch).
fn whole_value(u: &Update) -> Option<(u8, u32, &str)> {
    Some(match u {
        Update::Roster { session, group, .. } => (0, session.0, group.as_str()),
        Update::CacheRoster { session, group, .. } => (1, session.0, group.as_str()),
        Update::Requests { session, group, .. } => (2, session.0, group.as_str()),
        Update::Group { session, group } => (3, session.0, group.id.as_str()),
        _ => return None,
    })
}

/// Group rows, rosters and request lists are whole values: in a batch only the last one of
/// each group counts (a burst of join requests into one group brings that group's row with
/// every notification). Marks the others; the cache writer, the forwarder and the reducer skip
/// them (see [`without_superseded`]).
pub fn superseded(updates: &[Update]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![false; updates.len()];
    for (i, u) in updates.iter().enumerate().rev() {
        if let Some(key) = whole_value(u) {
            out[i] = !seen.insert(key);
        }
    }
    out
}

/// The batch without its superseded whole values (see [`superseded`]).
pub fn without_superseded(batch: Vec<Update>) -> Vec<Update> {
    let skip = superseded(&batch);
    batch
        .into_iter()
        .zip(skip)
        .filter_map(|(u, s)| (!s).then_some(u))
        .collect()
}

/// A burst's updates merged into fewer: the names learned, and each group's join requests
/// that only arrive, become one update each, in the place of the first (each notification
/// otherwise brings its own, and a burst queues every one on its way to the UI and the cache).
/// Any other update in between except feed events and group rows ends the merging, so nothing
/// moves past a change it could conflict with.
pub fn coalesced(updates: Vec<Update>) -> Vec<Update> {
    let mut out: Vec<Update> = Vec::with_capacity(updates.len());
    let mut names_at: Option<usize> = None;
    let mut requests_at: std::collections::HashMap<(u32, String), usize> = Default::default();
    for u in updates {
        match u {
            Update::Names { session, names } => match names_at {
                Some(i) if matches!(&out[i], Update::Names { session: s, .. } if *s == session) => {
                    if let Update::Names { names: into, .. } = &mut out[i] {
                        into.extend(names);
                    }
                }
                _ => {
                    names_at = Some(out.len());
                    out.push(Update::Names { session, names });
                }
            },
            Update::RequestsChanged {
                session,
                group,
                added,
                removed,
            } if removed.is_empty() => {
                let key = (session.0, group.to_string());
                match requests_at.get(&key) {
                    Some(&i) => {
                        if let Update::RequestsChanged { added: into, .. } = &mut out[i] {
                            into.extend(added);
                        }
                    }
                    None => {
                        requests_at.insert(key, out.len());
                        out.push(Update::RequestsChanged {
                            session,
                            group,
                            added,
                            removed,
                        });
                    }
                }
            }
            u @ (Update::Event(_) | Update::Group { .. }) => out.push(u),
            other => {
                names_at = None;
                requests_at.clear();
                out.push(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GroupId, GroupSummary, JoinRequest, Participant, SessionId};

    fn asked(group: &str, jid: &str) -> Update {
        Update::RequestsChanged {
            session: SessionId(1),
            group: GroupId(group.into()),
            added: vec![JoinRequest {
                jid: jid.into(),
                ..Default::default()
            }],
            removed: vec![],
        }
    }

    fn named(phone: &str) -> Update {
        Update::Names {
            session: SessionId(1),
            names: vec![(phone.into(), format!("name of {phone}"))],
        }
    }

    /// (group, requesters) of each request delta, and the names, in order.
    fn shape(updates: &[Update]) -> Vec<String> {
        updates
            .iter()
            .map(|u| match u {
                Update::RequestsChanged {
                    group,
                    added,
                    removed,
                    ..
                } => {
                    let jids: Vec<&str> = added.iter().map(|r| r.jid.as_str()).collect();
                    format!("{group}+{}-{}", jids.join(","), removed.join(","))
                }
                Update::Names { names, .. } => {
                    let phones: Vec<&str> = names.iter().map(|(p, _)| p.as_str()).collect();
                    format!("names {}", phones.join(","))
                }
                Update::Event(_) => "event".into(),
                Update::GroupGone { group, .. } => format!("gone {group}"),
                _ => "other".into(),
            })
            .collect()
    }

    fn event() -> Update {
        Update::Event(crate::domain::GroupEvent {
            at: 0,
            session: SessionId(1),
            group: GroupId("g".into()),
            group_subject: String::new(),
            actor: None,
            kind: crate::domain::GroupEventKind::InviteReset,
            found_on_reconnect: false,
        })
    }

    #[test]
    fn a_burst_of_requests_becomes_one_delta_a_group_and_one_list_of_names() {
        let burst = vec![
            named("+1"),
            asked("g", "1"),
            event(),
            named("+2"),
            asked("h", "2"),
            event(),
            named("+3"),
            asked("g", "3"),
            event(),
        ];
        assert_eq!(
            shape(&coalesced(burst)),
            [
                "names +1,+2,+3",
                "g+1,3-",
                "event",
                "h+2-",
                "event",
                "event"
            ]
        );
    }

    #[test]
    fn nothing_is_merged_across_a_withdrawal_or_a_whole_change() {
        let withdrawn = Update::RequestsChanged {
            session: SessionId(1),
            group: GroupId("g".into()),
            added: vec![],
            removed: vec!["1".into()],
        };
        let gone = Update::GroupGone {
            session: SessionId(1),
            group: GroupId("g".into()),
        };
        let updates = vec![
            asked("g", "1"),
            withdrawn,
            asked("g", "1"),
            asked("g", "2"),
            gone,
            asked("g", "3"),
        ];
        assert_eq!(
            shape(&coalesced(updates)),
            ["g+1-", "g+-1", "g+1,2-", "gone g", "g+3-"]
        );
    }

    fn row(session: u32, id: &str, pending: usize) -> Update {
        Update::Group {
            session: SessionId(session),
            group: GroupSummary {
                id: GroupId(id.into()),
                pending,
                ..Default::default()
            },
        }
    }

    fn roster(jids: &[&str]) -> Vec<Participant> {
        jids.iter()
            .map(|j| Participant {
                jid: (*j).into(),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn only_the_last_row_of_a_group_in_a_batch_is_kept() {
        let batch = vec![
            row(1, "a", 1),
            row(1, "b", 1),
            Update::SessionRemoved(SessionId(9)),
            row(1, "a", 2),
            row(2, "a", 1),
            row(1, "a", 3),
        ];
        let kept: Vec<(u32, String, usize)> = without_superseded(batch)
            .into_iter()
            .filter_map(|u| match u {
                Update::Group { session, group } => Some((session.0, group.id.0, group.pending)),
                _ => None,
            })
            .collect();
        assert_eq!(
            kept,
            [(1, "b".into(), 1), (2, "a".into(), 1), (1, "a".into(), 3)]
        );
    }

    #[test]
    fn a_roster_survives_the_cache_copy_that_follows_it() {
        let group = GroupId("sub".into());
        let shown = Update::Roster {
            session: SessionId(1),
            group: group.clone(),
            participants: roster(&["1@s.whatsapp.net"]),
        };
        let cache_copy = Update::CacheRoster {
            session: SessionId(1),
            group: group.clone(),
            participants: std::sync::Arc::new(roster(&["1@s.whatsapp.net"])),
        };
        let newer = Update::Roster {
            session: SessionId(1),
            group,
            participants: roster(&["1@s.whatsapp.net", "2@s.whatsapp.net"]),
        };
        let kept = without_superseded(vec![shown.clone(), cache_copy.clone()]);
        assert_eq!(kept, [shown.clone(), cache_copy.clone()]);
        // A newer whole roster of the same group does replace the older one.
        let kept = without_superseded(vec![shown, cache_copy.clone(), newer.clone()]);
        assert_eq!(kept, [cache_copy, newer]);
    }
}
