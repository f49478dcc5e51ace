//! Notifications about people: joins, leaves and role changes patch the roster; join requests
//! filed, approved or withdrawn patch the request list. Both lists change by the one delta rule
//! (`keyed_list`), and the same deltas go to the UI.

use std::sync::Arc;

use whatsapp_rust::Jid;
use whatsapp_rust::wacore::stanza::groups::{GroupParticipantInfo, MembershipRequestMethod};

use super::SessionModel;
use super::notifications::Changes;
use crate::domain::{GroupEventKind, GroupId, JoinRequest, Participant, Role};
use crate::engine::convert::{notification_participant, phone_of, request_method};
use crate::keyed_list::apply_delta;

impl SessionModel {
    /// People joined or were added (approved requesters among them); `by` made the change.
    pub(super) fn members_added(
        &mut self,
        id: &GroupId,
        participants: &[GroupParticipantInfo],
        reason: Option<&str>,
        by: Option<&Jid>,
        c: &mut Changes,
    ) -> GroupEventKind {
        let added: Vec<Participant> = participants.iter().map(notification_participant).collect();
        self.add_members(id, &added, c);
        let via_link = reason == Some("invite");
        if via_link || by.is_some_and(|a| is_among(a, &added)) {
            GroupEventKind::Joined {
                who: names(&added),
                via_link,
            }
        } else {
            GroupEventKind::Added { who: names(&added) }
        }
    }

    /// People are in the roster now (added, joined, approved). Each replaces any row of the
    /// same person under another JID, keeping what either knew of them.
    pub(super) fn add_members(&mut self, id: &GroupId, added: &[Participant], c: &mut Changes) {
        let roster = Arc::make_mut(self.rosters.entry(id.clone()).or_default());
        let mut rows = Vec::with_capacity(added.len());
        let mut stale = Vec::new();
        for p in added {
            let mut p = p.clone();
            if let Some(old) = roster.iter().find(|r| r.same_person(&p)) {
                p.phone = p.phone.or_else(|| old.phone.clone());
                p.lid = p.lid.or_else(|| old.lid.clone());
                if old.jid != p.jid {
                    stale.push(old.jid.clone());
                }
            }
            rows.push(p);
        }
        // Dropped, then appended: someone added again moves to the end of the roster.
        let dropped: Vec<String> = jids(&rows).into_iter().chain(stale.clone()).collect();
        apply_delta(roster, rows.clone(), &dropped);
        c.removed.extend(stale);
        self.requests_approved(id, &rows, c);
        c.upsert.extend(rows);
        c.roster = true;
        c.group = true;
    }

    /// People are out of the roster (matched as the same person, whatever JID named them).
    pub(super) fn drop_members(&mut self, id: &GroupId, removed: &[Participant], c: &mut Changes) {
        let mut gone = jids(removed);
        if let Some(roster) = self.rosters.get_mut(id).map(Arc::make_mut) {
            gone.extend(
                roster
                    .iter()
                    .filter(|r| removed.iter().any(|p| p.same_person(r)))
                    .map(|r| r.jid.clone()),
            );
            gone.sort();
            gone.dedup();
            apply_delta(roster, Vec::new(), &gone);
        }
        c.removed.extend(gone);
        if removed.iter().any(|p| self.me.is_participant(p)) {
            c.gone = true;
        }
        c.roster = true;
        c.group = true;
    }

    /// People's role is `role` now.
    pub(super) fn set_roles(
        &mut self,
        id: &GroupId,
        changed: &[Participant],
        role: Role,
        c: &mut Changes,
    ) {
        if let Some(roster) = self.rosters.get_mut(id).map(Arc::make_mut) {
            for r in roster.iter_mut() {
                if changed.iter().any(|p| p.same_person(r)) {
                    r.role = role;
                    c.upsert.push(r.clone());
                }
            }
        }
        if changed.iter().any(|p| self.me.is_participant(p)) {
            self.with_group(id, |g| g.my_role = Some(role));
        }
        c.roster = true;
        c.group = true;
    }

    /// Members' numbers changed (`<modify>`: the same person, by LID, with a new number). Their
    /// rows keep their place; the feed names the old and the new number.
    pub(super) fn numbers_changed(
        &mut self,
        id: &GroupId,
        participants: &[GroupParticipantInfo],
        c: &mut Changes,
    ) -> GroupEventKind {
        let changed: Vec<Participant> = participants.iter().map(notification_participant).collect();
        let mut said = None;
        if let Some(roster) = self.rosters.get_mut(id).map(Arc::make_mut) {
            for p in &changed {
                let Some(row) = roster
                    .iter_mut()
                    .find(|r| r.jid == p.jid || (r.lid.is_some() && r.lid == p.lid))
                else {
                    continue;
                };
                let from = row.phone.clone().unwrap_or_else(|| row.jid.clone());
                if p.phone.is_some() {
                    row.phone = p.phone.clone();
                }
                row.lid = row.lid.take().or_else(|| p.lid.clone());
                said.get_or_insert((from, row.display().to_string()));
                c.upsert.push(row.clone());
            }
        }
        c.roster = true;
        match said {
            Some((from, to)) => GroupEventKind::NumberChanged { from, to },
            None => GroupEventKind::Other {
                what: "a member's details changed".into(),
            },
        }
    }

    /// People left or were removed; when we are among them, the group is gone for us.
    pub(super) fn members_removed(
        &mut self,
        id: &GroupId,
        participants: &[GroupParticipantInfo],
        by: Option<&Jid>,
        c: &mut Changes,
    ) -> GroupEventKind {
        let removed: Vec<Participant> = participants.iter().map(notification_participant).collect();
        self.drop_members(id, &removed, c);
        if by.is_some_and(|a| is_among(a, &removed)) {
            GroupEventKind::Left {
                who: names(&removed),
            }
        } else {
            GroupEventKind::Removed {
                who: names(&removed),
            }
        }
    }

    /// People were promoted to admin (`promote`) or demoted to member; ours changes our role.
    pub(super) fn roles_changed(
        &mut self,
        id: &GroupId,
        participants: &[GroupParticipantInfo],
        promote: bool,
        c: &mut Changes,
    ) -> GroupEventKind {
        let changed: Vec<Participant> = participants.iter().map(notification_participant).collect();
        let new_role = if promote { Role::Admin } else { Role::Member };
        self.set_roles(id, &changed, new_role, c);
        let who = names(&changed);
        if promote {
            GroupEventKind::Promoted { who }
        } else {
            GroupEventKind::Demoted { who }
        }
    }

    /// Approved requesters became members (or rejected ones were turned away): their requests
    /// are gone.
    pub(super) fn requests_approved(
        &mut self,
        id: &GroupId,
        added: &[Participant],
        c: &mut Changes,
    ) {
        let Some(list) = self.requests.get_mut(id) else {
            return;
        };
        let approved: Vec<String> = list
            .iter()
            .filter(|r| {
                added
                    .iter()
                    .any(|p| same_person(p, &r.jid, r.phone.as_deref()))
            })
            .map(|r| r.jid.clone())
            .collect();
        if approved.is_empty() {
            return;
        }
        list.apply(Vec::new(), &approved);
        let count = list.len();
        self.with_group(id, |g| g.pending = count);
        c.requests_removed.extend(approved);
        c.group = true;
    }

    /// Join requests filed at `at` (through the community `via`, if any).
    pub(super) fn requests_created(
        &mut self,
        id: &GroupId,
        method: &MembershipRequestMethod,
        via: Option<GroupId>,
        requests: &[GroupParticipantInfo],
        at: i64,
        c: &mut Changes,
    ) -> GroupEventKind {
        let method = request_method(method);
        let new: Vec<JoinRequest> = requests
            .iter()
            .map(|r| {
                let p = notification_participant(r);
                JoinRequest {
                    jid: p.jid,
                    phone: p.phone,
                    requested_at: Some(at),
                    method,
                    via_community: via.clone(),
                }
            })
            .collect();
        let list = self.requests.entry(id.clone()).or_default();
        list.apply(new.clone(), &[]);
        let count = list.len();
        self.with_group(id, |g| g.pending = count);
        c.requests_added.extend(new.iter().cloned());
        c.group = true;
        GroupEventKind::RequestCreated {
            who: new.iter().map(|r| r.display().to_string()).collect(),
            method,
        }
    }

    /// A request announced without its details (the list is fetched when the group is opened).
    pub(super) fn request_announced(
        actor: Option<&str>,
        method: &MembershipRequestMethod,
    ) -> GroupEventKind {
        GroupEventKind::RequestCreated {
            who: actor.iter().map(|a| a.to_string()).collect(),
            method: request_method(method),
        }
    }

    /// Requesters withdrew their requests. Named as the request showed them, if we had it.
    pub(super) fn requests_revoked(
        &mut self,
        id: &GroupId,
        participants: &[Jid],
        c: &mut Changes,
    ) -> GroupEventKind {
        c.group = true;
        let Some(list) = self.requests.get_mut(id) else {
            let who = participants
                .iter()
                .map(|j| phone_of(j).unwrap_or_else(|| j.user.to_string()))
                .collect();
            return GroupEventKind::RequestRevoked { who };
        };
        let mut who = Vec::new();
        for j in participants {
            let jid = format!("{}@{}", j.user, j.server.as_str());
            match list.iter().find(|r| r.jid == jid) {
                Some(r) => who.push(r.display().to_string()),
                None => who.push(phone_of(j).unwrap_or(jid.clone())),
            }
            list.apply(Vec::new(), std::slice::from_ref(&jid));
            c.requests_removed.push(jid);
        }
        let count = list.len();
        self.with_group(id, |g| g.pending = count);
        GroupEventKind::RequestRevoked { who }
    }
}

fn jids(people: &[Participant]) -> Vec<String> {
    people.iter().map(|p| p.jid.clone()).collect()
}

fn names(people: &[Participant]) -> Vec<String> {
    people.iter().map(|p| p.display().to_string()).collect()
}

/// Whether `actor` is one of `people`: they joined or left on their own.
fn is_among(actor: &Jid, people: &[Participant]) -> bool {
    let prefix = format!("{}@", actor.user);
    people.iter().any(|p| p.jid.starts_with(&prefix))
}

fn same_person(p: &Participant, jid: &str, phone: Option<&str>) -> bool {
    p.jid == jid
        || p.lid.as_deref() == Some(jid)
        || (phone.is_some() && p.phone.as_deref() == phone)
}
