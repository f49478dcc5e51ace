//! One session's view of its groups, kept by the engine and patched by live notifications, so
//! every change reaches the UI as fresh rows without re-asking WhatsApp.

mod confirmed;
mod links;
mod membership;
mod names;
mod notifications;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use whatsapp_rust::types::events::GroupUpdate;

use super::convert::{Me, group_id};
use super::group_list::SyncedGroup;
use super::reconnect_diff;
use crate::domain::{
    CommunityMark, GroupEvent, GroupId, GroupSummary, JoinRequest, Participant, SessionId,
};
use crate::keyed_list::KeyedList;
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
    /// Feed lines of our own confirmed changes, until their echo (see `confirmed`).
    own: VecDeque<GroupEvent>,
    /// The names WhatsApp gave people (see `names`), by phone or JID.
    names: HashMap<String, String>,
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
        m.names = cached.names.into_iter().collect();
        m
    }

    /// Replaces every group and roster with WhatsApp's fresh answer (see `group_list`;
    /// started when the model was at `since`), replaying the notifications that came after.
    /// With `diff` and a previous view (cache or before a disconnect), the changes meanwhile
    /// (groups, then members) come back as feed events stamped `now`.
    pub fn set_synced(
        &mut self,
        synced: Vec<SyncedGroup>,
        since: u64,
        now: i64,
        diff: bool,
    ) -> (Update, Vec<GroupEvent>) {
        let old_groups = std::mem::take(&mut self.groups);
        let old_rosters = std::mem::take(&mut self.rosters);
        for SyncedGroup {
            mut summary,
            roster,
        } in synced
        {
            if let Some(old) = old_groups.get(&summary.id) {
                summary.pending = old.pending;
            }
            self.rosters.insert(summary.id.clone(), Arc::new(roster));
            self.groups.insert(summary.id.clone(), summary);
        }
        self.requests.retain(|id, _| self.groups.contains_key(id));
        self.replay(since, None);
        let mut missed = Vec::new();
        if diff && !old_groups.is_empty() {
            missed = reconnect_diff::groups(self.session, &old_groups, &self.groups, now);
            for (id, g) in &self.groups {
                if let (Some(was), Some(fresh)) = (old_rosters.get(id), self.rosters.get(id)) {
                    missed.extend(reconnect_diff::roster(self.session, g, was, fresh, now));
                }
            }
        }
        (self.groups_update(), missed)
    }

    pub fn groups_update(&self) -> Update {
        Update::Groups {
            session: self.session,
            groups: self.groups.values().cloned().collect(),
        }
    }

    /// One group's fresh metadata and roster (a fetch started at `since`), replaying the
    /// notifications about it that came after.
    pub fn set_group(&mut self, summary: GroupSummary, roster: Vec<Participant>, since: u64) {
        let pending = self.groups.get(&summary.id).map_or(0, |g| g.pending);
        let mut summary = summary;
        summary.pending = pending;
        let id = summary.id.clone();
        self.groups.insert(id.clone(), summary);
        self.rosters.insert(id.clone(), Arc::new(roster));
        self.replay(since, Some(&id));
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

    fn with_group(&mut self, id: &GroupId, f: impl FnOnce(&mut GroupSummary)) {
        if let Some(g) = self.groups.get_mut(id) {
            f(g);
        }
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
