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
        let roster = Arc::make_mut(self.rosters.entry(id.clone()).or_default());
        // Dropped, then appended: someone added again moves to the end of the roster.
        apply_delta(roster, added.clone(), &jids(&added));
        c.upsert.extend(added.iter().cloned());
        self.requests_approved(id, &added, c);
        c.roster = true;
        c.group = true;
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

    /// People left or were removed; when we are among them, the group is gone for us.
    pub(super) fn members_removed(
        &mut self,
        id: &GroupId,
        participants: &[GroupParticipantInfo],
        by: Option<&Jid>,
        c: &mut Changes,
    ) -> GroupEventKind {
        let removed: Vec<Participant> = participants.iter().map(notification_participant).collect();
        let gone = jids(&removed);
        if let Some(roster) = self.rosters.get_mut(id).map(Arc::make_mut) {
            apply_delta(roster, Vec::new(), &gone);
        }
        c.removed.extend(gone);
        if removed.iter().any(|p| self.me.is_participant(p)) {
            c.gone = true;
        }
        c.roster = true;
        c.group = true;
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
        if let Some(roster) = self.rosters.get_mut(id).map(Arc::make_mut) {
            for r in roster.iter_mut() {
                if changed.iter().any(|p| p.jid == r.jid) {
                    r.role = new_role;
                    c.upsert.push(r.clone());
                }
            }
        }
        if changed.iter().any(|p| self.me.is_participant(p)) {
            self.with_group(id, |g| g.my_role = Some(new_role));
        }
        c.roster = true;
        c.group = true;
        let who = names(&changed);
        if promote {
            GroupEventKind::Promoted { who }
        } else {
            GroupEventKind::Demoted { who }
        }
    }

    /// Approved requesters became members: their requests are gone.
    fn requests_approved(&mut self, id: &GroupId, added: &[Participant], c: &mut Changes) {
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
        list.apply(Vec::new(), &approved);
        c.requests_removed.extend(approved);
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
