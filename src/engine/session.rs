//! One session's task: owns its whatsapp-rust bot and key store, turns protocol events into
//! `Update`s and commands into requests. Slow requests run elsewhere (reads in `fetch` tasks,
//! operations in the session's `write_queue`) and answer through `Internal`, so the task itself
//! never blocks on the network.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use whatsapp_rust::Client;
use whatsapp_rust::pair_code::PairCodeOptions;
use whatsapp_rust::types::events::{Event, GroupUpdate, PictureUpdate};
use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction;

use super::bot::VersionSource;
use super::convert::{self, Me};
use super::endpoint::Endpoint;
use super::fetch::{self, Reads};
use super::group_list::SyncedGroup;
use super::model::SessionModel;
use super::op_audit::{Audit, OpOrder};
use super::read_pace::{READ_WINDOW, READS_PER_WINDOW, ReadGate, ReadPace};
use super::write_queue::WriteQueue;
use crate::domain::{
    CommunityMark, ConnState, GroupEvent, GroupEventKind, GroupId, GroupSummary, Pace, PaceLimits,
    Participant, SessionId,
};
use crate::ops::{Answer, Op, OpId, OpReport};
use crate::protocol::{Update, coalesced};
use lifecycle::{ConnTrack, Flow};

mod lifecycle;

/// The app database, shared by the sessions; writes are short and run off the async threads.
pub use super::session_reports::{Internal, SyncReason};
use super::shared_store::SharedStore;

/// What the engine asks one session to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCmd {
    PairWithPhone(String),
    /// Stop pairing and delete the unlinked session.
    Cancel,
    Logout,
    Refresh,
    LoadRoster(GroupId),
    LoadRequests(GroupId),
    /// Read one group again, whatever we have of it.
    Reread(GroupId),
    /// Drop every operation not sent yet (reported as not sent).
    CancelUnsent,
    /// A moderation operation, on a group of this session (or none: join, create).
    Run {
        id: OpId,
        group: Option<GroupId>,
        op: Op,
    },
    Shutdown,
}

/// The stamp for what a fetch finds missed: only the sync after a connect diffs against what we
/// had (otherwise a change its answer raced with is announced by its own notification).
fn missed_since_connect(sync: Option<SyncReason>) -> Option<i64> {
    (sync == Some(SyncReason::Connected)).then(|| chrono::Utc::now().timestamp())
}

pub struct SessionTask {
    pub id: SessionId,
    pub dir: PathBuf,
    pub endpoint: Endpoint,
    pub version: VersionSource,
    pub updates: mpsc::UnboundedSender<Update>,
    pub commands: mpsc::UnboundedReceiver<SessionCmd>,
    pub store: Option<SharedStore>,
    /// Why `wamod.db` is configured but unusable: every operation is then not sent.
    pub audit_down: Option<Arc<str>>,
    /// How long to wait for WhatsApp's answer before calling an operation's outcome unknown.
    pub op_timeout: Duration,
    /// How fast the session writes.
    pub pace: PaceLimits,
    /// See `EngineConfig::resync_after`.
    pub resync_after: Duration,
    /// The session as the cache last saw it (the first sync reports what changed since).
    pub cached: Option<crate::store::CachedSession>,
}

struct Live {
    id: SessionId,
    dir: PathBuf,
    updates: mpsc::UnboundedSender<Update>,
    internal: mpsc::UnboundedSender<Internal>,
    model: SessionModel,
    linked: bool,
    store: Option<SharedStore>,
    /// Every operation goes out through it, one at a time, at the session's pace.
    writes: WriteQueue,
    /// The group whose roster the UI last asked for: a fresh group list refreshes it.
    watched: Option<GroupId>,
    /// Where the connection stands (see `lifecycle`).
    conn: ConnTrack,
    /// Operations sent and not answered yet: what they were, to apply what WhatsApp confirms.
    in_flight: HashMap<OpId, (Option<GroupId>, Op)>,
    /// Every read of the session goes through it (see `read_pace`); it outlives clients, so a
    /// pause after a 429 holds across a reconnect.
    gate: Arc<ReadGate>,
    /// Groups whose roster was read since the last sync began: opening one reads nothing.
    fresh: HashSet<GroupId>,
    /// The session's pace, as the status bar shows it.
    pace: Pace,
    /// A sync has completed: the model is WhatsApp's view plus the notifications since.
    synced: bool,
    /// Since when the client has been reconnecting by itself (see `on_connected`).
    pub(super) away_since: Option<tokio::time::Instant>,
    resync_after: Duration,
    /// Notifications' updates not sent yet: a burst's go out merged (see `coalesced`) once
    /// the client has no more events waiting.
    outbox: RefCell<Vec<Update>>,
}

/// Most notifications' updates held in the outbox before they go out anyway.
const OUTBOX: usize = 1024;

impl SessionTask {
    pub fn key_store(dir: &std::path::Path) -> PathBuf {
        dir.join("whatsapp.db")
    }
}

impl Live {
    fn new(task: &mut SessionTask, internal: mpsc::UnboundedSender<Internal>) -> Self {
        let paused = internal.clone();
        let gate = ReadGate::new(ReadPace::new(READS_PER_WINDOW, READ_WINDOW), move |until| {
            let _ = paused.send(Internal::ReadsPaused(until));
        });
        let writes = WriteQueue::new(
            Audit {
                store: task.store.clone(),
                unavailable: task.audit_down.clone(),
                updates: task.updates.clone(),
                internal: internal.clone(),
                timeout: task.op_timeout,
            },
            task.pace,
        );
        Live {
            id: task.id,
            dir: task.dir.clone(),
            updates: task.updates.clone(),
            internal,
            model: match task.cached.take() {
                Some(c) => SessionModel::from_cache(task.id, c),
                None => SessionModel::new(task.id),
            },
            linked: false,
            store: task.store.clone(),
            writes,
            watched: None,
            conn: ConnTrack::default(),
            in_flight: HashMap::new(),
            gate: Arc::new(gate),
            fresh: HashSet::new(),
            pace: Pace::default(),
            synced: false,
            away_since: None,
            resync_after: task.resync_after,
            outbox: RefCell::new(Vec::new()),
        }
    }

    /// Sends `u` to the UI, after what the outbox holds.
    fn send(&self, u: Update) {
        self.flush();
        let _ = self.updates.send(u);
    }

    /// Sends what the outbox holds, merged.
    pub(super) fn flush(&self) {
        let held = std::mem::take(&mut *self.outbox.borrow_mut());
        for u in coalesced(held) {
            let _ = self.updates.send(u);
        }
    }

    /// Holds a notification's updates for the next flush; sends them when the outbox is full.
    fn hold(&self, updates: Vec<Update>) {
        let full = {
            let mut outbox = self.outbox.borrow_mut();
            outbox.extend(updates);
            outbox.len() >= OUTBOX
        };
        if full {
            self.flush();
        }
    }

    fn on_event(&mut self, client: &Arc<Client>, ev: &Event) -> Flow {
        if let Some(flow) = self.on_conn_event(client, ev) {
            return flow;
        }
        match ev {
            Event::PairingQrCode(q) => {
                self.send(Update::Conn {
                    session: self.id,
                    state: ConnState::Pairing,
                });
                self.send(Update::Qr {
                    session: self.id,
                    code: q.code.clone(),
                    valid_secs: q.timeout.as_secs(),
                });
            }
            Event::PairSuccess(p) => {
                self.linked = true;
                self.send(Update::Session {
                    id: self.id,
                    phone: convert::phone_of(&p.id),
                    name: (!p.business_name.is_empty()).then(|| p.business_name.clone()),
                });
            }
            Event::PairError(e) => self.send(Update::Error {
                session: Some(self.id),
                message: format!("pairing failed: {}", e.error),
            }),
            Event::GroupUpdate(u) => self.on_group_update(client, u),
            Event::ContactNumberChanged(c) => {
                for u in self
                    .model
                    .number_changed(&c.old_jid, &c.new_jid, c.new_lid.as_ref())
                {
                    self.send(u);
                }
            }
            Event::PictureUpdate(p) if p.jid.server == whatsapp_rust::Server::Group => {
                self.on_picture(p)
            }
            _ => {}
        }
        Flow::Continue
    }

    /// Logged in: who we are, then every group (what changed while away shows as missed),
    /// unless the client is back from a short drop: then WhatsApp's offline queue, delivered at
    /// login, brings what was missed, and nothing is read again.
    pub(super) fn on_connected(&mut self, client: &Arc<Client>) {
        self.linked = true;
        self.model.me = Me {
            pn_user: client.pn().map(|j| j.user.to_string()),
            lid_user: client.lid().map(|j| j.user.to_string()),
        };
        self.send(Update::Session {
            id: self.id,
            phone: client.pn().as_ref().and_then(convert::phone_of),
            name: None,
        });
        self.send(Update::Conn {
            session: self.id,
            state: ConnState::Connected,
        });
        let away = self.away_since.take().map(|t| t.elapsed());
        if let Some(away) = away.filter(|a| self.synced && *a < self.resync_after) {
            tracing::info!(
                session = %self.id,
                "back after {}s: the offline queue brings what was missed",
                away.as_secs()
            );
            return;
        }
        self.load_groups(client, SyncReason::Connected);
    }

    fn on_group_update(&mut self, client: &Arc<Client>, u: &GroupUpdate) {
        let group = convert::group_id(&u.group_jid);
        let known = self.model.groups.contains_key(&group);
        let updates = self.model.apply(u);
        self.hold(updates);
        // Added to a group we did not have (a new subgroup, a join): load it.
        if !known
            && matches!(
                u.action,
                GroupNotificationAction::Create { .. } | GroupNotificationAction::Add { .. }
            )
        {
            self.load_group(client, group);
        }
    }

    /// A group's picture changed: a feed event (the picture itself is not shown).
    fn on_picture(&self, p: &PictureUpdate) {
        let group = convert::group_id(&p.jid);
        let subject = self
            .model
            .groups
            .get(&group)
            .map(|g| g.subject.clone())
            .unwrap_or_else(|| group.to_string());
        self.send(Update::Event(GroupEvent {
            at: p.timestamp.timestamp(),
            session: self.id,
            group,
            group_subject: subject,
            actor: p.author.as_ref().and_then(convert::phone_of),
            kind: GroupEventKind::PictureChanged { removed: p.removed },
            found_on_reconnect: false,
        }));
    }

    async fn on_command(&mut self, client: &Arc<Client>, cmd: SessionCmd) -> Flow {
        match cmd {
            SessionCmd::PairWithPhone(phone) => self.pair_with_phone(client, phone),
            SessionCmd::Cancel if !self.linked => {
                remove_keys(&self.dir);
                self.send(Update::SessionRemoved(self.id));
                return Flow::Stop;
            }
            SessionCmd::Cancel => {}
            SessionCmd::Logout => {
                client.logout().await;
                remove_keys(&self.dir);
                self.send(Update::SessionRemoved(self.id));
                return Flow::Stop;
            }
            // Over (replaced, banned, ...): `r` connects again.
            SessionCmd::Refresh if self.ended() => return Flow::Rebuild,
            SessionCmd::Refresh => self.load_groups(client, SyncReason::Connected),
            SessionCmd::LoadRoster(group) => self.open_group(client, group),
            SessionCmd::LoadRequests(group) => self.load_requests(client, group),
            SessionCmd::Reread(group) => self.reread(client, group),
            SessionCmd::CancelUnsent => self.writes.cancel_unsent(),
            SessionCmd::Run { id, group, op } => self.run_op(client, id, group, op),
            SessionCmd::Shutdown => return Flow::Stop,
        }
        Flow::Continue
    }

    /// Asks for a code to type on the phone instead of scanning a QR code.
    fn pair_with_phone(&self, client: &Arc<Client>, phone: String) {
        let client = client.clone();
        let tx = self.internal.clone();
        tokio::spawn(async move {
            let options = PairCodeOptions {
                phone_number: phone,
                ..Default::default()
            };
            let result = client
                .pair_with_code(options)
                .await
                .map_err(|e| format!("{e}"));
            let _ = tx.send(Internal::PairCode(result));
        });
    }

    /// The UI shows a group's roster: the one we have at once, and WhatsApp's only when ours is
    /// older than the last sync (of a community: also its groups' members, merged).
    fn open_group(&mut self, client: &Arc<Client>, group: GroupId) {
        self.watched = Some(group.clone());
        if self.model.rosters.contains_key(&group) {
            self.send(self.model.roster_update(&group));
        }
        if self
            .model
            .groups
            .get(&group)
            .is_some_and(|g| g.community == CommunityMark::Community)
        {
            self.load_members(client, group.clone());
        }
        if !self.fresh.contains(&group) {
            self.load_group(client, group);
        }
    }

    /// The user asked for a group again (`r`): its metadata and roster, and its requests when
    /// we can see them.
    fn reread(&mut self, client: &Arc<Client>, group: GroupId) {
        let admin_approval = self
            .model
            .groups
            .get(&group)
            .is_some_and(|g| g.settings.approval && g.my_role.is_some_and(|r| r.is_admin()));
        if admin_approval {
            self.load_requests(client, group.clone());
        }
        self.load_group(client, group);
    }

    fn on_internal(&mut self, client: &Arc<Client>, msg: Internal) {
        match msg {
            Internal::OpDone(report) => self.on_op_done(client, report),
            Internal::Synced(Ok(groups), since, sync) => {
                self.on_synced(client, groups, since, sync)
            }
            Internal::Group(Ok((summary, roster)), since) => self.on_group(summary, roster, since),
            Internal::ReadsPaused(until) => {
                self.pace.reads_paused_until = until;
                self.send_pace();
            }
            Internal::WritePace(writes) => self.on_write_pace(writes),
            Internal::Requests(group, Ok(requests), since, sync) => {
                let diff = missed_since_connect(sync);
                for u in self.model.set_requests(&group, requests, since, diff) {
                    self.send(u);
                }
            }
            Internal::PairCode(Ok(code)) => {
                tracing::info!(session = %self.id, "pairing code issued");
                self.send(Update::PairCode {
                    session: self.id,
                    code,
                });
            }
            // An answer about a community that is gone meanwhile (deactivated, left) is stale.
            Internal::Subgroups(community, Ok(subgroups)) => {
                if self
                    .model
                    .groups
                    .get(&community)
                    .is_some_and(|g| g.community == CommunityMark::Community)
                {
                    self.send(Update::Subgroups {
                        session: self.id,
                        community,
                        subgroups,
                    });
                }
            }
            Internal::Members(community, Ok(participants)) => self.send(Update::CommunityMembers {
                session: self.id,
                community,
                participants,
            }),
            Internal::FetchDone(since) => self.model.fetch_done(since),
            Internal::Synced(Err(e), _, _)
            | Internal::Group(Err(e), _)
            | Internal::Requests(_, Err(e), _, _)
            | Internal::Subgroups(_, Err(e))
            | Internal::Members(_, Err(e))
            | Internal::PairCode(Err(e)) => {
                tracing::warn!(session = %self.id, "request failed: {e}");
                self.send(Update::Error {
                    session: Some(self.id),
                    message: e,
                });
            }
        }
    }

    /// An operation was answered (its 429 pause is the write queue's): what it changed that
    /// no notification tells (new memberships, community changes, our leaving) is reloaded or
    /// applied before its report.
    fn on_op_done(&mut self, client: &Arc<Client>, report: OpReport) {
        // What WhatsApp confirmed shows at once, echoed to us or not.
        if let Some((Some(group), op)) = self.in_flight.remove(&report.id) {
            for u in self.model.apply_confirmed(&group, &op, &report) {
                self.send(u);
            }
            // The new description's id (the next edit names it) comes only with the group.
            if matches!(op, Op::SetDescription { .. }) && report.outcome.is_done() {
                self.load_group(client, group);
            }
        }
        // New memberships and community changes show in the group list after a reload.
        let restructured = matches!(
            report.action,
            "link" | "unlink" | "deactivate" | "create-community" | "create-subgroup"
        );
        if report.outcome.is_done()
            && (restructured
                || matches!(report.answer, Some(Answer::Joined(_) | Answer::Created(_))))
        {
            self.load_groups(client, SyncReason::AfterOwnChange);
        }
        // Removing people from a community changes its groups' rosters; without an echo to us
        // nothing says so, so opening one of them reads it again.
        if report.action == "remove-from-community"
            && let Some(community) = &report.group
        {
            self.fresh.retain(|id| {
                !self.model.groups.get(id).is_some_and(|g| {
                    matches!(&g.community,
                        CommunityMark::Subgroup { parent } | CommunityMark::Announcement { parent }
                            if parent == community)
                })
            });
        }
        if report.action == "leave"
            && report.outcome.is_done()
            && let Some(g) = &report.group
        {
            self.model.groups.remove(g);
            self.send(Update::GroupGone {
                session: self.id,
                group: g.clone(),
            });
        }
        self.send(Update::OpDone(Box::new(report)));
    }

    /// Every group with its roster (a fetch begun at `since`): what changed while we were away
    /// shows in the feed, the cache keeps every roster, the watched group's roster is redrawn.
    fn on_synced(
        &mut self,
        client: &Arc<Client>,
        groups: Vec<SyncedGroup>,
        since: u64,
        sync: SyncReason,
    ) {
        let now = chrono::Utc::now().timestamp();
        self.synced = true;
        self.fresh = groups.iter().map(|g| g.summary.id.clone()).collect();
        // Our own change is in the feed already (its notifications): no "missed" diff.
        let diff = sync == SyncReason::Connected;
        let (update, missed) = self.model.set_synced(groups, since, now, diff);
        self.send(update);
        if let Some(watched) = &self.watched
            && self.model.rosters.contains_key(watched)
        {
            self.send(self.model.roster_update(watched));
        }
        // The cache keeps every roster, for the next start's reconnect diff.
        self.persist_rosters();
        // The answer's parse tree is gone; its pages go back to the system now, before the
        // next burst grows the heap on top of them (see `heap`).
        tokio::task::spawn_blocking(|| {
            let released = crate::heap::release_freed();
            tracing::debug!(released, "heap trimmed after the sync");
        });
        // The tree shows every subgroup of our communities, joined or not.
        for community in self.model.communities() {
            self.load_subgroups(client, community);
        }
        for e in missed {
            self.send(Update::Event(e));
        }
    }

    /// One group's fresh metadata and roster, read for itself.
    fn on_group(&mut self, summary: GroupSummary, roster: Vec<Participant>, since: u64) {
        let id = summary.id.clone();
        self.model.set_group(summary, roster, since);
        self.fresh.insert(id.clone());
        self.send(self.model.group_update(&id));
        self.send(self.model.roster_update(&id));
    }

    /// Where the write queue stands; the reads' part of the pace stays.
    pub(super) fn on_write_pace(&mut self, writes: Pace) {
        self.pace = Pace {
            reads_paused_until: self.pace.reads_paused_until,
            ..writes
        };
        self.send_pace();
    }

    fn send_pace(&self) {
        self.send(Update::Pace {
            session: self.id,
            pace: self.pace.clone(),
        });
    }

    /// Queues one operation (see `write_queue`), with what the model knows of its group now.
    fn run_op(&mut self, client: &Arc<Client>, id: OpId, group: Option<GroupId>, op: Op) {
        self.in_flight.insert(id, (group.clone(), op.clone()));
        self.writes.push(client, self.order(id, group, op));
    }

    /// An operation that cannot be sent: reported as not sent, with why.
    fn refuse_op(&self, id: OpId, group: Option<GroupId>, op: Op, why: &str) {
        let report = self.order(id, group, op).not_sent(why);
        self.send(Update::OpDone(Box::new(report)));
    }

    fn order(&self, id: OpId, group: Option<GroupId>, op: Op) -> OpOrder {
        let subject = group
            .as_ref()
            .and_then(|g| self.model.groups.get(g))
            .map(|g| g.subject.clone())
            .unwrap_or_default();
        OpOrder {
            id,
            session: self.id,
            actor: self.model.me.pn_user.as_ref().map(|u| format!("+{u}")),
            phones: self.phones(group.as_ref()),
            group,
            op,
            subject,
        }
    }

    /// Phone numbers of the people in a group's roster and requests, by JID.
    fn phones(&self, group: Option<&GroupId>) -> HashMap<String, String> {
        let mut out = HashMap::new();
        let Some(g) = group else {
            return out;
        };
        for p in self.model.rosters.get(g).into_iter().flat_map(|r| r.iter()) {
            if let Some(ph) = &p.phone {
                out.insert(p.jid.clone(), ph.clone());
            }
        }
        for r in self.model.requests.get(g).into_iter().flatten() {
            if let Some(ph) = &r.phone {
                out.insert(r.jid.clone(), ph.clone());
            }
        }
        // Link and unlink name groups: by subject.
        for (id, summary) in &self.model.groups {
            out.insert(id.to_string(), summary.subject.clone());
        }
        out
    }

    /// Hands every roster to the cache writer, which writes them a slice at a time between
    /// live updates (see `roster_backlog`). Shared with the model, not copied.
    fn persist_rosters(&self) {
        if self.store.is_none() {
            return;
        }
        for (group, participants) in &self.model.rosters {
            self.send(Update::CacheRoster {
                session: self.id,
                group: group.clone(),
                participants: participants.clone(),
            });
        }
    }

    // The fetches (see `fetch`); those whose answers the model replays notifications over
    // begin here, so notifications from now on are journaled for them.

    fn reads(&self, client: &Arc<Client>) -> Reads {
        Reads {
            client: client.clone(),
            tx: self.internal.clone(),
            gate: self.gate.clone(),
        }
    }

    fn load_groups(&mut self, client: &Arc<Client>, sync: SyncReason) {
        let since = self.model.begin_fetch();
        fetch::groups(&self.reads(client), self.model.me.clone(), since, sync);
    }

    fn load_group(&mut self, client: &Arc<Client>, group: GroupId) {
        let since = self.model.begin_fetch();
        fetch::group(&self.reads(client), self.model.me.clone(), since, group);
    }

    fn load_requests(&mut self, client: &Arc<Client>, group: GroupId) {
        let since = self.model.begin_fetch();
        fetch::requests(&self.reads(client), since, group);
    }

    fn load_subgroups(&self, client: &Arc<Client>, community: GroupId) {
        fetch::subgroups(&self.reads(client), community);
    }

    fn load_members(&self, client: &Arc<Client>, community: GroupId) {
        fetch::members(&self.reads(client), community);
    }
}

/// Deletes a session's key store (and the directory): an unlinked device's keys are useless and
/// should not linger.
pub fn remove_keys(dir: &std::path::Path) {
    if let Err(e) = std::fs::remove_dir_all(dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("could not delete {}: {e}", dir.display());
    }
}
