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

fn roster_changes(old: &[Participant], new: &[Participant]) -> Vec<GroupEventKind> {
    let by_jid: HashMap<&str, &Participant> = old.iter().map(|p| (p.jid.as_str(), p)).collect();
    let now: HashMap<&str, &Participant> = new.iter().map(|p| (p.jid.as_str(), p)).collect();
    let name = |p: &Participant| p.display().to_string();
    let joined: Vec<String> = new
        .iter()
        .filter(|p| !by_jid.contains_key(p.jid.as_str()))
        .map(name)
        .collect();
    let left: Vec<String> = old
        .iter()
        .filter(|p| !now.contains_key(p.jid.as_str()))
        .map(name)
        .collect();
    let mut promoted = Vec::new();
    let mut demoted = Vec::new();
    for p in new {
        if let Some(before) = by_jid.get(p.jid.as_str()) {
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
