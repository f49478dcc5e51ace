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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GroupId, GroupSummary, Participant, SessionId};

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
