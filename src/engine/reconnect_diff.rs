//! "While you were away": what changed between the view a session had (cached, or from before
//! a disconnect) and what the server says now, as feed events marked as found on reconnect.

use std::collections::{BTreeMap, HashMap};

use crate::domain::{
    CommunityMark, GroupEvent, GroupEventKind, GroupId, GroupSummary, JoinRequest, Participant,
    SessionId,
};
use crate::ops::disappearing_words;

fn event(session: SessionId, g: &GroupSummary, now: i64, kind: GroupEventKind) -> GroupEvent {
    GroupEvent {
        at: now,
        session,
        group: g.id.clone(),
        group_subject: g.subject.clone(),
        actor: None,
        kind,
        found_on_reconnect: true,
    }
}

fn setting(name: &str, value: String) -> GroupEventKind {
    GroupEventKind::SettingChanged {
        name: name.into(),
        value,
    }
}

/// Group-level differences (rosters arrive later, one group at a time: [`roster`]).
pub fn groups(
    session: SessionId,
    old: &BTreeMap<GroupId, GroupSummary>,
    new: &BTreeMap<GroupId, GroupSummary>,
    now: i64,
) -> Vec<GroupEvent> {
    let mut out = Vec::new();
    for (id, g) in new {
        let Some(before) = old.get(id) else {
            out.push(event(
                session,
                g,
                now,
                GroupEventKind::Other {
                    what: "you are now in this group".into(),
                },
            ));
            continue;
        };
        let ev = |kind| event(session, g, now, kind);
        if before.subject != g.subject {
            out.push(ev(GroupEventKind::SubjectChanged {
                subject: g.subject.clone(),
            }));
        }
        if before.description != g.description {
            out.push(ev(GroupEventKind::DescriptionChanged {
                deleted: g.description.is_none(),
            }));
        }
        let (a, b) = (before.settings, g.settings);
        let who = |admins: bool| if admins { "admins only" } else { "all members" }.to_string();
        if a.announce != b.announce {
            out.push(ev(setting("send messages", who(b.announce))));
        }
        if a.locked != b.locked {
            out.push(ev(setting("edit group info", who(b.locked))));
        }
        if a.approval != b.approval {
            let v = if b.approval { "on" } else { "off" };
            out.push(ev(setting("approve new members", v.into())));
        }
        if a.ephemeral != b.ephemeral {
            out.push(ev(setting(
                "disappearing messages",
                disappearing_words(b.ephemeral),
            )));
        }
        if let (Some(x), Some(y)) = (a.admin_add_only, b.admin_add_only)
            && x != y
        {
            out.push(ev(setting("add members", who(y))));
        }
        if before.community != g.community {
            let name = |p: &GroupId| {
                new.get(p)
                    .map_or_else(|| p.to_string(), |c| c.subject.clone())
            };
            match (&before.community, &g.community) {
                (_, CommunityMark::Subgroup { parent }) => out.push(ev(GroupEventKind::Other {
                    what: format!("linked to the community {}", name(parent)),
                })),
                (CommunityMark::Subgroup { parent }, CommunityMark::None) => {
                    out.push(ev(GroupEventKind::Other {
                        what: format!("unlinked from the community {}", name(parent)),
                    }))
                }
                _ => {}
            }
        }
    }
    for (id, g) in old {
        if !new.contains_key(id) {
            out.push(event(
                session,
                g,
                now,
                GroupEventKind::Other {
                    what: "you are no longer in this group".into(),
                },
            ));
        }
    }
    out
}

/// Joins, leaves and role changes between two rosters of `g`.
pub fn roster(
    session: SessionId,
    g: &GroupSummary,
    old: &[Participant],
    new: &[Participant],
    now: i64,
) -> Vec<GroupEvent> {
    roster_changes(old, new)
        .into_iter()
        .map(|kind| event(session, g, now, kind))
        .collect()
}

/// People found by any of their identities (JID, LID, number): a group that moved from phone
/// numbers to LIDs, or a member with a new number, is still the same people.
struct People<'a> {
    by_key: HashMap<&'a str, &'a Participant>,
}

impl<'a> People<'a> {
    fn new(list: &'a [Participant]) -> Self {
        let mut by_key = HashMap::with_capacity(list.len() * 2);
        for p in list {
            for key in keys(p) {
                by_key.entry(key).or_insert(p);
            }
        }
        Self { by_key }
    }

    fn find(&self, p: &Participant) -> Option<&'a Participant> {
        keys(p).find_map(|k| self.by_key.get(k).copied())
    }
}

fn keys(p: &Participant) -> impl Iterator<Item = &str> {
    [Some(p.jid.as_str()), p.lid.as_deref(), p.phone.as_deref()]
        .into_iter()
        .flatten()
}

fn roster_changes(old: &[Participant], new: &[Participant]) -> Vec<GroupEventKind> {
    let before = People::new(old);
    let after = People::new(new);
    let name = |p: &Participant| p.display().to_string();
    let joined: Vec<String> = new
        .iter()
        .filter(|p| before.find(p).is_none())
        .map(name)
        .collect();
    let left: Vec<String> = old
        .iter()
        .filter(|p| after.find(p).is_none())
        .map(name)
        .collect();
    let mut promoted = Vec::new();
    let mut demoted = Vec::new();
    for p in new {
        if let Some(before) = before.find(p) {
            match (before.role.is_admin(), p.role.is_admin()) {
                (false, true) => promoted.push(name(p)),
                (true, false) => demoted.push(name(p)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if !joined.is_empty() {
        out.push(GroupEventKind::Joined {
            who: joined,
            via_link: false,
        });
    }
    if !left.is_empty() {
        out.push(GroupEventKind::Left { who: left });
    }
    if !promoted.is_empty() {
        out.push(GroupEventKind::Promoted { who: promoted });
    }
    if !demoted.is_empty() {
        out.push(GroupEventKind::Demoted { who: demoted });
    }
    out
}

/// Requests that appeared or went away.
pub fn requests(
    session: SessionId,
    g: &GroupSummary,
    old: &[JoinRequest],
    new: &[JoinRequest],
    now: i64,
) -> Vec<GroupEvent> {
    let mut out = Vec::new();
    let added: Vec<&JoinRequest> = new
        .iter()
        .filter(|r| !old.iter().any(|o| o.jid == r.jid))
        .collect();
    if let Some(first) = added.first() {
        out.push(event(
            session,
            g,
            now,
            GroupEventKind::RequestCreated {
                who: added.iter().map(|r| r.display().to_string()).collect(),
                method: first.method,
            },
        ));
    }
    let gone: Vec<String> = old
        .iter()
        .filter(|r| !new.iter().any(|n| n.jid == r.jid))
        .map(|r| r.display().to_string())
        .collect();
    if !gone.is_empty() {
        out.push(event(
            session,
            g,
            now,
            GroupEventKind::RequestRevoked { who: gone },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn person(jid: &str, phone: Option<&str>, lid: Option<&str>, role: Role) -> Participant {
        Participant {
            jid: jid.into(),
            phone: phone.map(Into::into),
            lid: lid.map(Into::into),
            role,
        }
    }

    /// A group moved from numbers to LIDs, and a member with a new number: the same people,
    /// so nothing is reported but a real promotion.
    #[test]
    fn people_are_compared_by_identity_not_by_jid() {
        let old = [
            person(
                "1555@s.whatsapp.net",
                Some("+1555"),
                Some("91@lid"),
                Role::Member,
            ),
            person(
                "1666@s.whatsapp.net",
                Some("+1666"),
                Some("92@lid"),
                Role::Member,
            ),
            person("93@lid", Some("+1777"), Some("93@lid"), Role::Member),
        ];
        let new = [
            person("91@lid", Some("+1555"), Some("91@lid"), Role::Member),
            person("92@lid", Some("+1666"), Some("92@lid"), Role::Admin),
            person("93@lid", Some("+1888"), Some("93@lid"), Role::Member),
        ];
        assert_eq!(
            roster_changes(&old, &new),
            vec![GroupEventKind::Promoted {
                who: vec!["+1666".into()]
            }]
        );
        let someone_new = [person(
            "94@lid",
            Some("+1999"),
            Some("94@lid"),
            Role::Member,
        )];
        assert_eq!(
            roster_changes(&old[..1], &someone_new),
            vec![
                GroupEventKind::Joined {
                    who: vec!["+1999".into()],
                    via_link: false
                },
                GroupEventKind::Left {
                    who: vec!["+1555".into()]
                }
            ]
        );
    }
}
