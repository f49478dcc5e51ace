//! One session's view of its groups, kept by the engine and patched by live notifications, so
//! every change reaches the UI as fresh rows without re-asking WhatsApp.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use whatsapp_rust::types::events::GroupUpdate;
use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction as A;

use super::convert::{Me, group_id, notification_participant, phone_of, request_method};
use super::reconnect_diff;
use crate::domain::{
    CommunityMark, GroupEvent, GroupEventKind, GroupId, GroupSummary, JoinRequest, Participant,
    Role, SessionId,
};
use crate::keyed_list::KeyedList;
use crate::ops::disappearing_words;
use crate::protocol::Update;

#[derive(Debug, Default)]
pub struct SessionModel {
    pub session: SessionId,
    pub me: Me,
    pub groups: BTreeMap<GroupId, GroupSummary>,
    /// Shared so that writing them all to the cache takes a snapshot, not a copy; a change to
    /// a roster whose snapshot is still being written copies that one roster.
    pub rosters: HashMap<GroupId, Arc<Vec<Participant>>>,
    /// Only for groups whose requests were fetched (admins) or announced live.
    pub requests: HashMap<GroupId, KeyedList<JoinRequest>>,
    /// Notifications that arrived while a fetch was in flight, numbered: a fetch answered after
    /// some arrived is older than them, so they are replayed over its snapshot (they set
    /// absolute values, so replay is safe). With no fetch in flight nothing is kept, so a burst
    /// after the sync costs no copies.
    journal: VecDeque<(u64, GroupUpdate)>,
    seq: u64,
    /// Fetches in flight, by the notification number they started at (several can share one).
    fetches: BTreeMap<u64, usize>,
}

/// Notifications kept for replay at most; far more than arrive during one fetch.
const JOURNAL: usize = 4096;

impl SessionModel {
    pub fn new(session: SessionId) -> Self {
        Self {
            session,
            ..Default::default()
        }
    }

    /// The number of the last notification applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// A fetch starts: notifications from now on are journaled until [`Self::fetch_done`].
    /// Its answer is applied with the number returned.
    pub fn begin_fetch(&mut self) -> u64 {
        *self.fetches.entry(self.seq).or_default() += 1;
        self.seq
    }

    /// A fetch begun at `since` has delivered all it will (or failed).
    pub fn fetch_done(&mut self, since: u64) {
        if let Some(n) = self.fetches.get_mut(&since) {
            *n -= 1;
            if *n == 0 {
                self.fetches.remove(&since);
            }
        }
        match self.fetches.keys().next() {
            Some(&oldest) => {
                while self.journal.front().is_some_and(|(n, _)| *n <= oldest) {
                    self.journal.pop_front();
                }
            }
            None => {
                self.journal.clear();
                self.journal.shrink_to_fit();
            }
        }
    }

    /// Re-applies the notifications numbered after `since` (of one group, or all), dropping
    /// their feed events: they were shown when they arrived.
    fn replay(&mut self, since: u64, only: Option<&GroupId>) {
        let later: Vec<GroupUpdate> = self
            .journal
            .iter()
            .filter(|(n, u)| *n > since && only.is_none_or(|g| group_id(&u.group_jid) == *g))
            .map(|(_, u)| u.clone())
            .collect();
        for u in &later {
            self.apply_inner(u);
        }
    }

    /// Seeds the model from the cache, so the first sync can tell what changed meanwhile.
    pub fn from_cache(session: SessionId, cached: crate::store::CachedSession) -> Self {
        let mut m = Self::new(session);
        for g in cached.groups {
            m.groups.insert(g.id.clone(), g);
        }
        m.rosters = cached
            .rosters
            .into_iter()
            .map(|(g, r)| (g, Arc::new(r)))
            .collect();
        m.requests = cached
            .requests
            .into_iter()
            .map(|(g, r)| (g, r.into()))
            .collect();
        m
    }

    /// Replaces the group list with a fresh one, without rosters (see `group_list`; started
    /// when the model was at `since`). The rosters we had stay until each group's fresh one
    /// arrives ([`Self::set_group`]), and so does our role in the group, which only a roster
    /// tells. Returns the list and, when there was a previous view (cache or before a
    /// disconnect), the group-level changes meanwhile as feed events stamped `now`.
    pub fn set_groups(
        &mut self,
        groups: Vec<GroupSummary>,
        since: u64,
        now: i64,
    ) -> (Update, Vec<GroupEvent>) {
        let old_groups = std::mem::take(&mut self.groups);
        for mut g in groups {
            if let Some(old) = old_groups.get(&g.id) {
                g.pending = old.pending;
                g.my_role = g.my_role.or(old.my_role);
            }
            self.groups.insert(g.id.clone(), g);
        }
        self.rosters.retain(|id, _| self.groups.contains_key(id));
        self.requests.retain(|id, _| self.groups.contains_key(id));
        self.replay(since, None);
        let missed = if old_groups.is_empty() {
            Vec::new()
        } else {
            reconnect_diff::groups(self.session, &old_groups, &self.groups, now)
        };
        (self.groups_update(), missed)
    }

    pub fn groups_update(&self) -> Update {
        Update::Groups {
            session: self.session,
            groups: self.groups.values().cloned().collect(),
        }
    }

    /// One group's fresh metadata and roster (a fetch started at `since`). With `diff`, the
    /// joins, leaves and role changes since the roster we had are returned as feed events
    /// stamped `now` (the group list's rosters after a reconnect).
    pub fn set_group(
        &mut self,
        summary: GroupSummary,
        roster: Vec<Participant>,
        since: u64,
        diff: Option<i64>,
    ) -> Vec<GroupEvent> {
        let pending = self.groups.get(&summary.id).map_or(0, |g| g.pending);
        let mut summary = summary;
        summary.pending = pending;
        let id = summary.id.clone();
        self.groups.insert(id.clone(), summary);
        let old = self.rosters.insert(id.clone(), Arc::new(roster));
        self.replay(since, Some(&id));
        match (diff, old, self.groups.get(&id), self.rosters.get(&id)) {
            (Some(now), Some(was), Some(g), Some(fresh)) => {
                reconnect_diff::roster(self.session, g, &was, fresh, now)
            }
            _ => Vec::new(),
        }
    }

    /// A fresh list of a group's requests. With `diff` (the sync after a connect), those that
    /// appeared or went since the previous list (cache or before a disconnect) come last as
    /// feed events stamped with it; a list fetched while connected has nothing missed to tell
    /// (a request its answer raced with is announced by its own notification).
    pub fn set_requests(
        &mut self,
        group: &GroupId,
        requests: Vec<JoinRequest>,
        since: u64,
        diff: Option<i64>,
    ) -> Vec<Update> {
        if let Some(g) = self.groups.get_mut(group) {
            g.pending = requests.len();
        }
        let missed = match (diff, self.requests.get(group), self.groups.get(group)) {
            (Some(now), Some(old), Some(g)) => {
                reconnect_diff::requests(self.session, g, old, &requests, now)
            }
            _ => Vec::new(),
        };
        self.requests.insert(group.clone(), requests.into());
        self.replay(since, Some(group));
        if let (Some(g), Some(r)) = (self.groups.get_mut(group), self.requests.get(group)) {
            g.pending = r.len();
        }
        let mut out: Vec<Update> = self
            .groups
            .contains_key(group)
            .then(|| self.group_update(group))
            .into_iter()
            .collect();
        out.push(self.requests_update(group));
        out.extend(missed.into_iter().map(Update::Event));
        out
    }

    pub fn group_update(&self, id: &GroupId) -> Update {
        match self.groups.get(id) {
            Some(g) => Update::Group {
                session: self.session,
                group: g.clone(),
            },
            None => Update::GroupGone {
                session: self.session,
                group: id.clone(),
            },
        }
    }

    /// The communities the session is in.
    pub fn communities(&self) -> Vec<GroupId> {
        self.groups
            .values()
            .filter(|g| g.community == CommunityMark::Community)
            .map(|g| g.id.clone())
            .collect()
    }

    pub fn roster_update(&self, id: &GroupId) -> Update {
        Update::Roster {
            session: self.session,
            group: id.clone(),
            participants: self
                .rosters
                .get(id)
                .map(|r| r.as_ref().clone())
                .unwrap_or_default(),
        }
    }

    fn requests_update(&self, id: &GroupId) -> Update {
        Update::Requests {
            session: self.session,
            group: id.clone(),
            requests: self
                .requests
                .get(id)
                .map(|r| r.to_vec())
                .unwrap_or_default(),
        }
    }

    /// Applies one live group notification; returns what the UI must redraw, the feed event
    /// last (so when it shows, the panes already agree with it).
    pub fn apply(&mut self, u: &GroupUpdate) -> Vec<Update> {
        self.seq += 1;
        if !self.fetches.is_empty() {
            self.journal.push_back((self.seq, u.clone()));
            if self.journal.len() > JOURNAL {
                self.journal.pop_front();
            }
        }
        self.apply_inner(u)
    }

    fn apply_inner(&mut self, u: &GroupUpdate) -> Vec<Update> {
        let id = group_id(&u.group_jid);
        let actor = u
            .participant_pn
            .as_ref()
            .and_then(phone_of)
            .or_else(|| u.participant.as_ref().and_then(phone_of))
            .or_else(|| u.participant.as_ref().map(|j| j.user.to_string()));
        let names = |ps: &[Participant]| ps.iter().map(|p| p.display().to_string()).collect();
        let mut touched_roster = false;
        // What changed, sent as deltas (a burst must not resend whole lists per notification).
        let mut upsert: Vec<Participant> = Vec::new();
        let mut gone_jids: Vec<String> = Vec::new();
        let mut req_added: Vec<JoinRequest> = Vec::new();
        let mut req_removed: Vec<String> = Vec::new();
        let mut touched_group = false;
        let mut gone = false;
        // Other groups this notification changed (subgroups of a community).
        let mut also: Vec<GroupId> = Vec::new();

        let kind = match &u.action {
            A::Add {
                participants,
                reason,
            } => {
                let added: Vec<Participant> =
                    participants.iter().map(notification_participant).collect();
                let roster = Arc::make_mut(self.rosters.entry(id.clone()).or_default());
                for p in &added {
                    roster.retain(|r| r.jid != p.jid);
                    roster.push(p.clone());
                }
                upsert.extend(added.iter().cloned());
                // Approved requesters become members: their requests are gone.
                if let Some(reqs) = self.requests.get_mut(&id) {
                    reqs.retain(|r| {
                        let approved = added
                            .iter()
                            .any(|p| same_person(p, &r.jid, r.phone.as_deref()));
                        if approved {
                            req_removed.push(r.jid.clone());
                        }
                        !approved
                    });
                }
                touched_roster = true;
                touched_group = true;
                let via_link = reason.as_deref() == Some("invite");
                let self_joined = u.participant.as_ref().is_some_and(|a| {
                    added
                        .iter()
                        .any(|p| p.jid.starts_with(&format!("{}@", a.user)))
                });
                if via_link || self_joined {
                    GroupEventKind::Joined {
                        who: names(&added),
                        via_link,
                    }
                } else {
                    GroupEventKind::Added { who: names(&added) }
                }
            }
            A::Remove { participants, .. } => {
                let removed: Vec<Participant> =
                    participants.iter().map(notification_participant).collect();
                if let Some(roster) = self.rosters.get_mut(&id).map(Arc::make_mut) {
                    roster.retain(|r| !removed.iter().any(|p| p.jid == r.jid));
                }
                gone_jids.extend(removed.iter().map(|p| p.jid.clone()));
                if removed.iter().any(|p| self.me.is_participant(p)) {
                    gone = true;
                }
                touched_roster = true;
                touched_group = true;
                let left = u.participant.as_ref().is_some_and(|a| {
                    removed
                        .iter()
                        .any(|p| p.jid.starts_with(&format!("{}@", a.user)))
                });
                if left {
                    GroupEventKind::Left {
                        who: names(&removed),
                    }
                } else {
                    GroupEventKind::Removed {
                        who: names(&removed),
                    }
                }
            }
            A::Promote { participants } | A::Demote { participants } => {
                let promote = matches!(u.action, A::Promote { .. });
                let changed: Vec<Participant> =
                    participants.iter().map(notification_participant).collect();
                let new_role = if promote { Role::Admin } else { Role::Member };
                if let Some(roster) = self.rosters.get_mut(&id).map(Arc::make_mut) {
                    for r in roster.iter_mut() {
                        if changed.iter().any(|p| p.jid == r.jid) {
                            r.role = new_role;
                            upsert.push(r.clone());
                        }
                    }
                }
                if changed.iter().any(|p| self.me.is_participant(p))
                    && let Some(g) = self.groups.get_mut(&id)
                {
                    g.my_role = Some(new_role);
                }
                touched_roster = true;
                touched_group = true;
                if promote {
                    GroupEventKind::Promoted {
                        who: names(&changed),
                    }
                } else {
                    GroupEventKind::Demoted {
                        who: names(&changed),
                    }
                }
            }
            A::Subject { subject, .. } => {
                if let Some(g) = self.groups.get_mut(&id) {
                    g.subject = subject.clone();
                }
                touched_group = true;
                GroupEventKind::SubjectChanged {
                    subject: subject.clone(),
                }
            }
            A::Description {
                description,
                id: description_id,
            } => {
                if let Some(g) = self.groups.get_mut(&id) {
                    g.description = description.clone();
                    // The id is the token the next edit must name as `prev`.
                    g.description_id = description.as_ref().map(|_| description_id.to_string());
                }
                touched_group = true;
                GroupEventKind::DescriptionChanged {
                    deleted: description.is_none(),
                }
            }
            A::Locked { .. } | A::Unlocked => {
                let on = matches!(u.action, A::Locked { .. });
                self.with_group(&id, |g| g.settings.locked = on);
                touched_group = true;
                setting("edit info", if on { "admins only" } else { "all members" })
            }
            A::Announce | A::NotAnnounce => {
                let on = matches!(u.action, A::Announce);
                self.with_group(&id, |g| g.settings.announce = on);
                touched_group = true;
                setting(
                    "send messages",
                    if on { "admins only" } else { "all members" },
                )
            }
            A::Ephemeral { expiration, .. } => {
                let e = *expiration;
                self.with_group(&id, |g| g.settings.ephemeral = e);
                touched_group = true;
                setting("disappearing messages", &disappearing_words(e))
            }
            A::MembershipApprovalMode { enabled } => {
                let on = *enabled;
                self.with_group(&id, |g| g.settings.approval = on);
                touched_group = true;
                setting("approve new members", if on { "on" } else { "off" })
            }
            A::MemberAddMode { mode } => {
                let admin_only = mode == "admin_add";
                self.with_group(&id, |g| g.settings.admin_add_only = Some(admin_only));
                touched_group = true;
                setting(
                    "add members",
                    if admin_only {
                        "admins only"
                    } else {
                        "all members"
                    },
                )
            }
            A::CreatedMembershipRequests {
                request_method: method,
                parent_group_jid,
                requests,
            } => {
                let method = request_method(method);
                let new: Vec<JoinRequest> = requests
                    .iter()
                    .map(|r| {
                        let p = notification_participant(r);
                        JoinRequest {
                            jid: p.jid.clone(),
                            phone: p.phone.clone(),
                            requested_at: Some(u.timestamp.timestamp()),
                            method,
                            via_community: parent_group_jid.as_ref().map(group_id),
                        }
                    })
                    .collect();
                let list = self.requests.entry(id.clone()).or_default();
                for r in &new {
                    list.upsert(r.clone());
                }
                req_added.extend(new.iter().cloned());
                let count = list.len();
                self.with_group(&id, |g| g.pending = count);
                touched_group = true;
                GroupEventKind::RequestCreated {
                    who: new.iter().map(|r| r.display().to_string()).collect(),
                    method,
                }
            }
            A::MembershipApprovalRequest {
                request_method: method,
                ..
            } => GroupEventKind::RequestCreated {
                who: actor.iter().cloned().collect(),
                method: request_method(method),
            },
            A::RevokedMembershipRequests { participants } => {
                let mut who = Vec::new();
                if let Some(list) = self.requests.get_mut(&id) {
                    for j in participants {
                        let jid = format!("{}@{}", j.user, j.server.as_str());
                        if let Some(r) = list.iter().find(|r| r.jid == jid) {
                            who.push(r.display().to_string());
                        } else {
                            who.push(phone_of(j).unwrap_or(jid.clone()));
                        }
                        list.retain(|r| r.jid != jid);
                        req_removed.push(jid);
                    }
                    let count = list.len();
                    self.with_group(&id, |g| g.pending = count);
                } else {
                    who = participants
                        .iter()
                        .map(|j| phone_of(j).unwrap_or_else(|| j.user.to_string()))
                        .collect();
                }
                touched_group = true;
                GroupEventKind::RequestRevoked { who }
            }
            A::Invite { .. } | A::RevokeInvite => GroupEventKind::InviteReset,
            A::Delete { .. } => {
                gone = true;
                // A deactivated community: its subgroups stay, as plain groups.
                for g in self.groups.values_mut() {
                    if matches!(&g.community, CommunityMark::Subgroup { parent } if *parent == id) {
                        g.community = CommunityMark::None;
                        also.push(g.id.clone());
                    }
                }
                GroupEventKind::GroupDeleted
            }
            A::Link { raw, .. } | A::Unlink { raw, .. } => {
                let link = matches!(u.action, A::Link { .. });
                let mut names = Vec::new();
                for n in raw.get_children_by_tag("group") {
                    let Some(jid) = n.attrs.get("jid").map(|v| v.as_str().into_owned()) else {
                        continue;
                    };
                    let sub = GroupId(jid);
                    match self.groups.get_mut(&sub) {
                        Some(g) => {
                            g.community = if link {
                                CommunityMark::Subgroup { parent: id.clone() }
                            } else {
                                CommunityMark::None
                            };
                            names.push(g.subject.clone());
                            also.push(sub);
                        }
                        None => names.push(sub.to_string()),
                    }
                }
                if link {
                    GroupEventKind::Linked { groups: names }
                } else {
                    GroupEventKind::Unlinked { groups: names }
                }
            }
            A::Create { .. } => GroupEventKind::GroupCreated,
            other => GroupEventKind::Other {
                what: format!("{other:?}")
                    .split([' ', '{', '('])
                    .next()
                    .unwrap_or("change")
                    .to_string(),
            },
        };

        // Keep the size in step with the roster we hold.
        if touched_roster && let Some(len) = self.rosters.get(&id).map(|r| r.len()) {
            self.with_group(&id, |g| g.size = len);
        }
        let subject = self
            .groups
            .get(&id)
            .map(|g| g.subject.clone())
            .unwrap_or_else(|| id.to_string());
        let event = Update::Event(GroupEvent {
            at: u.timestamp.timestamp(),
            session: self.session,
            group: id.clone(),
            group_subject: subject,
            actor,
            kind,
            found_on_reconnect: false,
        });
        let mut out: Vec<Update> = also
            .iter()
            .filter(|g| self.groups.contains_key(*g))
            .map(|g| self.group_update(g))
            .collect();
        if gone {
            self.groups.remove(&id);
            self.rosters.remove(&id);
            self.requests.remove(&id);
            out.push(Update::GroupGone {
                session: self.session,
                group: id,
            });
            out.push(event);
            return out;
        }
        if touched_group && self.groups.contains_key(&id) {
            out.push(self.group_update(&id));
        }
        if !upsert.is_empty() || !gone_jids.is_empty() {
            out.push(Update::RosterChanged {
                session: self.session,
                group: id.clone(),
                upsert,
                removed: gone_jids,
            });
        }
        if !req_added.is_empty() || !req_removed.is_empty() {
            out.push(Update::RequestsChanged {
                session: self.session,
                group: id.clone(),
                added: req_added,
                removed: req_removed,
            });
        }
        out.push(event);
        out
    }

    fn with_group(&mut self, id: &GroupId, f: impl FnOnce(&mut GroupSummary)) {
        if let Some(g) = self.groups.get_mut(id) {
            f(g);
        }
    }
}

fn setting(name: &str, value: &str) -> GroupEventKind {
    GroupEventKind::SettingChanged {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn same_person(p: &Participant, jid: &str, phone: Option<&str>) -> bool {
    p.jid == jid
        || p.lid.as_deref() == Some(jid)
        || (phone.is_some() && p.phone.as_deref() == phone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::Jid;
    use whatsapp_rust::wacore::stanza::groups::{GroupParticipantInfo, MembershipRequestMethod};

    fn jid(s: &str) -> Jid {
        s.parse().expect("jid")
    }

    fn info(lid: &str, phone: &str) -> GroupParticipantInfo {
        GroupParticipantInfo {
            jid: jid(&format!("{lid}@lid")),
            phone_number: Some(jid(&format!("{phone}@s.whatsapp.net"))),
            display_name: None,
            r#type: None,
            lid: None,
            username: None,
            join_time: None,
            group_history_sent_state: None,
        }
    }

    fn update(actor: Option<&str>, action: A) -> GroupUpdate {
        GroupUpdate::builder()
            .group_jid(jid("120363000000000001@g.us"))
            .maybe_participant(actor.map(|a| jid(&format!("{a}@lid"))))
            .timestamp(chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time"))
            .is_lid_addressing_mode(true)
            .action(action)
            .build()
    }

    fn model() -> SessionModel {
        let mut m = SessionModel::new(SessionId(1));
        m.me = Me {
            pn_user: Some("15550001111".into()),
            lid_user: Some("91111".into()),
        };
        let id = GroupId("120363000000000001@g.us".into());
        let me = Participant {
            jid: "91111@lid".into(),
            phone: Some("+15550001111".into()),
            lid: Some("91111@lid".into()),
            role: Role::SuperAdmin,
        };
        let club = GroupSummary {
            id,
            subject: "Club".into(),
            size: 1,
            my_role: Some(Role::SuperAdmin),
            ..Default::default()
        };
        m.set_groups(vec![club.clone()], 0, 0);
        m.set_group(club, vec![me], 0, None);
        m
    }

    fn gid() -> GroupId {
        GroupId("120363000000000001@g.us".into())
    }

    #[test]
    fn requests_arrive_and_approval_turns_them_into_members() {
        let mut m = model();
        let out = m.apply(&update(
            Some("93333"),
            A::CreatedMembershipRequests {
                request_method: MembershipRequestMethod::InviteLink,
                parent_group_jid: None,
                requests: vec![info("93333", "15550003333")],
            },
        ));
        assert!(
            matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::RequestCreated { .. }))
        );
        assert_eq!(m.groups[&gid()].pending, 1);
        assert_eq!(m.requests[&gid()][0].phone.as_deref(), Some("+15550003333"));

        // Approved: an add without "invite" reason by an admin.
        let out = m.apply(&update(
            Some("91111"),
            A::Add {
                participants: vec![info("93333", "15550003333")],
                reason: None,
            },
        ));
        assert!(
            out.iter().any(
                |u| matches!(u, Update::RequestsChanged { added, removed, .. }
                if added.is_empty() && removed == &["93333@lid"])
            ),
            "the approved request goes, as a delta: {out:?}"
        );
        assert!(m.requests[&gid()].is_empty());
        assert_eq!(m.groups[&gid()].size, 2);
        assert!(
            matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::Added { .. }))
        );
    }

    #[test]
    fn a_list_without_rosters_keeps_what_we_knew_until_each_roster_arrives() {
        let mut m = model();
        let listed = GroupSummary {
            id: gid(),
            subject: "Club".into(),
            size: 1,
            ..Default::default()
        };
        let (_, missed) = m.set_groups(vec![listed.clone()], m.seq(), 5);
        assert!(missed.is_empty());
        assert_eq!(m.groups[&gid()].my_role, Some(Role::SuperAdmin));
        assert_eq!(m.rosters[&gid()].len(), 1);
        // Its roster: someone joined while we were away.
        let mut roster = m.rosters[&gid()].as_ref().clone();
        roster.push(Participant {
            jid: "93333@lid".into(),
            phone: Some("+15550003333".into()),
            lid: Some("93333@lid".into()),
            role: Role::Member,
        });
        let fresh = GroupSummary {
            my_role: Some(Role::SuperAdmin),
            size: 2,
            ..listed
        };
        let missed = m.set_group(fresh, roster, m.seq(), Some(5));
        assert!(
            matches!(&missed[..], [e] if matches!(&e.kind, GroupEventKind::Joined { who, .. } if who == &["+15550003333"]) && e.found_on_reconnect && e.at == 5),
            "{missed:?}"
        );
        // A group gone from the list takes its roster along.
        m.set_groups(Vec::new(), m.seq(), 6);
        assert!(m.rosters.is_empty());
    }

    #[test]
    fn a_fetch_older_than_a_notification_does_not_undo_it() {
        let mut m = model();
        // Nothing in flight: a notification is not kept.
        m.apply(&update(
            Some("93333"),
            A::Description {
                id: "d1".into(),
                description: Some("rules".into()),
            },
        ));
        assert!(m.journal.is_empty());
        let since = m.begin_fetch();
        let stale = m.groups[&gid()].clone();
        let roster = m.rosters[&gid()].as_ref().clone();
        // While the fetch is in flight, the subject changes and someone joins.
        m.apply(&update(
            Some("93333"),
            A::Subject {
                subject: "Club 2".into(),
                subject_owner: None,
                subject_time: None,
            },
        ));
        m.apply(&update(
            Some("93333"),
            A::Add {
                participants: vec![info("93333", "15550003333")],
                reason: Some("invite".into()),
            },
        ));
        // The answer, read before those changes, arrives last.
        // Diffed as after a reconnect: the join seen live is not found again.
        let missed = m.set_group(stale, roster, since, Some(1_800_000_100));
        assert_eq!(m.groups[&gid()].subject, "Club 2");
        assert_eq!(m.rosters[&gid()].len(), 2);
        assert!(
            missed.is_empty(),
            "replayed changes are not announced twice: {missed:?}"
        );
        assert_eq!(m.journal.len(), 2);
        // A fetch started after them needs no replay; once the older one is done, they go.
        let later = m.begin_fetch();
        let fresh = m.groups[&gid()].clone();
        let roster = m.rosters[&gid()].as_ref().clone();
        m.set_group(fresh, roster, later, None);
        assert_eq!(m.rosters[&gid()].len(), 2);
        m.fetch_done(since);
        assert!(
            m.journal.is_empty(),
            "only what the later fetch may need is kept"
        );
        m.apply(&update(
            Some("93333"),
            A::Description {
                id: "d1".into(),
                description: Some("rules 2".into()),
            },
        ));
        assert_eq!(m.journal.len(), 1);
        m.fetch_done(later);
        assert!(m.journal.is_empty());
    }

    #[test]
    fn revoked_requests_leave_and_promotions() {
        let mut m = model();
        m.set_requests(
            &gid(),
            vec![JoinRequest {
                jid: "94444@lid".into(),
                phone: Some("+15550004444".into()),
                ..Default::default()
            }],
            m.seq(),
            None,
        );
        let out = m.apply(&update(
            Some("94444"),
            A::RevokedMembershipRequests {
                participants: vec![jid("94444@lid")],
            },
        ));
        assert!(
            matches!(out.last(), Some(Update::Event(e)) if e.kind == GroupEventKind::RequestRevoked { who: vec!["+15550004444".into()] })
        );
        assert_eq!(m.groups[&gid()].pending, 0);

        m.apply(&update(
            Some("95555"),
            A::Add {
                participants: vec![info("95555", "15550005555")],
                reason: Some("invite".into()),
            },
        ));
        let out = m.apply(&update(
            Some("91111"),
            A::Promote {
                participants: vec![info("95555", "15550005555")],
            },
        ));
        assert!(
            out.iter()
                .any(|u| matches!(u, Update::RosterChanged { upsert, removed, .. }
            if removed.is_empty() && upsert.iter().any(|p| p.jid == "95555@lid" && p.role == Role::Admin)))
        );
        let out = m.apply(&update(
            Some("95555"),
            A::Remove {
                participants: vec![info("95555", "15550005555")],
                reason: None,
            },
        ));
        assert!(
            matches!(out.last(), Some(Update::Event(e)) if matches!(e.kind, GroupEventKind::Left { .. }))
        );
        assert!(out.iter().any(
            |u| matches!(u, Update::RosterChanged { removed, .. } if removed == &["95555@lid"])
        ));
    }

    #[test]
    fn being_removed_makes_the_group_go_away() {
        let mut m = model();
        let out = m.apply(&update(
            Some("92222"),
            A::Remove {
                participants: vec![info("91111", "15550001111")],
                reason: None,
            },
        ));
        assert!(out.iter().any(|u| matches!(u, Update::GroupGone { .. })));
        assert!(m.groups.is_empty());
    }
}
