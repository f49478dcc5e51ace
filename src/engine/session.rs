//! One session's task: owns its whatsapp-rust bot and key store, turns protocol events into
//! `Update`s and commands into requests. Slow requests run in spawned tasks whose results come
//! back through `Internal`, so the task itself never blocks on the network.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use whatsapp_rust::Client;
use whatsapp_rust::pair_code::PairCodeOptions;
use whatsapp_rust::types::events::Event;

use super::bot::{BuiltBot, build_bot};
use super::convert::{self, Me};
use super::endpoint::Endpoint;
use super::group_list;
use super::model::SessionModel;
use super::moderate;
use super::requests::fetch_requests;
use crate::domain::{ConnState, GroupId, GroupSummary, JoinRequest, Participant, SessionId};
use crate::ops::{Answer, Op, OpId, OpReport, Outcome};
use crate::protocol::Update;
use crate::store::OpRecord;

/// The app database, shared by the sessions; writes are short and run off the async threads.
pub use super::shared_store::SharedStore;
use super::shared_store::{with_store, with_store_in_place};

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
    /// A moderation operation, on a group of this session (or none: join, create).
    Run {
        id: OpId,
        group: Option<GroupId>,
        op: Op,
    },
    Shutdown,
}

enum Internal {
    OpDone(OpReport, Option<Duration>),
    // Each fetch carries the model's notification number from when it started.
    Groups(Result<Vec<GroupSummary>, String>, u64, SyncReason),
    /// One group's roster: of a group-list load (`Some`), or of a group being opened.
    Group(
        Result<(GroupSummary, Vec<Participant>), String>,
        u64,
        Option<SyncReason>,
    ),
    /// A group-list load has all its rosters, but `failed` of them.
    Synced {
        failed: usize,
    },
    /// A group's join requests: of a group-list load (`Some`), or of a group being opened.
    Requests(
        GroupId,
        Result<Vec<JoinRequest>, String>,
        u64,
        Option<SyncReason>,
    ),
    PairCode(Result<String, String>),
    Subgroups(GroupId, Result<Vec<GroupSummary>, String>),
    Members(GroupId, Result<Vec<Participant>, String>),
    /// The fetch begun at this notification number has sent all it will.
    FetchDone(u64),
}

/// Held by a fetch's task: when the task ends (after its last answer, or early), the session
/// hears that the fetch is done, so the model stops keeping notifications for it.
struct FetchGuard {
    tx: mpsc::UnboundedSender<Internal>,
    since: u64,
}

impl Drop for FetchGuard {
    fn drop(&mut self) {
        let _ = self.tx.send(Internal::FetchDone(self.since));
    }
}

/// The stamp for what a fetch finds missed: only the sync after a connect diffs against what we
/// had (otherwise a change its answer raced with is announced by its own notification).
fn missed_since_connect(sync: Option<SyncReason>) -> Option<i64> {
    (sync == Some(SyncReason::Connected)).then(|| chrono::Utc::now().timestamp())
}

/// Why the group list is loaded: on (re)connect (or `r`) the differences with what we had are
/// what was missed; after our own community change they are its known effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncReason {
    Connected,
    AfterOwnChange,
}

enum Flow {
    Continue,
    /// Build a fresh bot (the client is single-use after its QR codes ran out).
    Rebuild,
    Stop,
}

pub struct SessionTask {
    pub id: SessionId,
    pub dir: PathBuf,
    pub endpoint: Endpoint,
    pub updates: mpsc::UnboundedSender<Update>,
    pub commands: mpsc::UnboundedReceiver<SessionCmd>,
    pub store: Option<SharedStore>,
    /// How long to wait for WhatsApp's answer before calling an operation's outcome unknown.
    pub op_timeout: Duration,
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
    op_timeout: Duration,
    /// After a 429, operations wait until this instant before they are sent.
    paused_until: Arc<Mutex<Option<tokio::time::Instant>>>,
    /// The group whose roster the UI last asked for: a fresh group list refreshes it.
    watched: Option<GroupId>,
}

impl SessionTask {
    pub fn key_store(dir: &std::path::Path) -> PathBuf {
        dir.join("whatsapp.db")
    }

    pub async fn run(mut self) {
        let (internal_tx, mut internal_rx) = mpsc::unbounded_channel();
        let store = Self::key_store(&self.dir);
        let mut live = Live {
            id: self.id,
            dir: self.dir.clone(),
            updates: self.updates.clone(),
            internal: internal_tx,
            model: match self.cached.take() {
                Some(c) => SessionModel::from_cache(self.id, c),
                None => SessionModel::new(self.id),
            },
            linked: false,
            store: self.store.clone(),
            op_timeout: self.op_timeout,
            paused_until: Arc::new(Mutex::new(None)),
            watched: None,
        };
        let mut retry = Duration::from_secs(1);
        'bots: loop {
            live.send(Update::Conn {
                session: self.id,
                state: ConnState::Connecting,
            });
            let BuiltBot { handle, events } = match build_bot(&self.endpoint, &store).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(session = %self.id, "cannot start the client: {e:#}");
                    live.send(Update::Conn {
                        session: self.id,
                        state: ConnState::Disconnected {
                            reason: format!("{e:#}"),
                            retry_in_secs: Some(retry.as_secs()),
                        },
                    });
                    tokio::select! {
                        _ = tokio::time::sleep(retry) => {}
                        cmd = self.commands.recv() => if matches!(cmd, None | Some(SessionCmd::Shutdown)) { return; },
                    }
                    retry = (retry * 2).min(Duration::from_secs(60));
                    continue 'bots;
                }
            };
            let client = handle.client();
            loop {
                let flow = tokio::select! {
                    ev = events.recv() => match ev {
                        Ok(ev) => live.on_event(&client, &ev),
                        // The bot stopped on its own: start it again.
                        Err(_) => Flow::Rebuild,
                    },
                    cmd = self.commands.recv() => match cmd {
                        Some(cmd) => live.on_command(&client, cmd).await,
                        None => Flow::Stop,
                    },
                    Some(msg) = internal_rx.recv() => {
                        live.on_internal(&client, msg);
                        Flow::Continue
                    }
                };
                match flow {
                    Flow::Continue => {}
                    Flow::Rebuild => {
                        client.disconnect().await;
                        handle.shutdown().await;
                        continue 'bots;
                    }
                    Flow::Stop => {
                        client.disconnect().await;
                        handle.shutdown().await;
                        break 'bots;
                    }
                }
            }
        }
    }
}

impl Live {
    fn send(&self, u: Update) {
        let _ = self.updates.send(u);
    }

    fn on_event(&mut self, client: &Arc<Client>, ev: &Event) -> Flow {
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
            Event::PairingQrCodesExhausted(_) => {
                // Keep offering fresh codes while the pairing popup is open.
                return Flow::Rebuild;
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
            Event::Connected(_) => {
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
                self.load_groups(client, SyncReason::Connected);
            }
            Event::Disconnected(d) => self.send(Update::Conn {
                session: self.id,
                state: ConnState::Disconnected {
                    reason: format!("{:?}", d.reason),
                    retry_in_secs: None,
                },
            }),
            Event::LoggedOut(_) => {
                // Unlinked (here or from the phone): the keys are useless now, remove them.
                remove_keys(&self.dir);
                self.send(Update::Conn {
                    session: self.id,
                    state: ConnState::LoggedOut,
                });
                return Flow::Stop;
            }
            Event::GroupUpdate(u) => {
                let group = convert::group_id(&u.group_jid);
                let known = self.model.groups.contains_key(&group);
                for update in self.model.apply(u) {
                    self.send(update);
                }
                // Added to a group we did not have (a new subgroup, a join): load it.
                if !known
                    && matches!(
                        u.action,
                        whatsapp_rust::wacore::stanza::groups::GroupNotificationAction::Create { .. }
                            | whatsapp_rust::wacore::stanza::groups::GroupNotificationAction::Add { .. }
                    )
                {
                    self.load_group(client, group);
                }
            }
            Event::PictureUpdate(p) if p.jid.server == whatsapp_rust::Server::Group => {
                let group = convert::group_id(&p.jid);
                let subject = self
                    .model
                    .groups
                    .get(&group)
                    .map(|g| g.subject.clone())
                    .unwrap_or_else(|| group.to_string());
                self.send(Update::Event(crate::domain::GroupEvent {
                    at: p.timestamp.timestamp(),
                    session: self.id,
                    group,
                    group_subject: subject,
                    actor: p.author.as_ref().and_then(convert::phone_of),
                    kind: crate::domain::GroupEventKind::PictureChanged { removed: p.removed },
                    found_on_reconnect: false,
                }));
            }
            _ => {}
        }
        Flow::Continue
    }

    async fn on_command(&mut self, client: &Arc<Client>, cmd: SessionCmd) -> Flow {
        match cmd {
            SessionCmd::PairWithPhone(phone) => {
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
                Flow::Continue
            }
            SessionCmd::Cancel if !self.linked => {
                remove_keys(&self.dir);
                self.send(Update::SessionRemoved(self.id));
                Flow::Stop
            }
            SessionCmd::Cancel => Flow::Continue,
            SessionCmd::Logout => {
                client.logout().await;
                remove_keys(&self.dir);
                self.send(Update::SessionRemoved(self.id));
                Flow::Stop
            }
            SessionCmd::Refresh => {
                self.load_groups(client, SyncReason::Connected);
                Flow::Continue
            }
            SessionCmd::LoadRoster(group) => {
                self.watched = Some(group.clone());
                // The roster from the last group list shows at once; the fresh one follows.
                if self.model.rosters.contains_key(&group) {
                    self.send(self.model.roster_update(&group));
                }
                if self
                    .model
                    .groups
                    .get(&group)
                    .is_some_and(|g| g.community == crate::domain::CommunityMark::Community)
                {
                    self.load_members(client, group.clone());
                }
                self.load_group(client, group);
                Flow::Continue
            }
            SessionCmd::LoadRequests(group) => {
                self.load_requests(client, group);
                Flow::Continue
            }
            SessionCmd::Run { id, group, op } => {
                self.run_op(client, id, group, op);
                Flow::Continue
            }
            SessionCmd::Shutdown => Flow::Stop,
        }
    }

    fn on_internal(&mut self, client: &Arc<Client>, msg: Internal) {
        match msg {
            Internal::OpDone(report, pause) => {
                if let Some(pause) = pause {
                    let until = tokio::time::Instant::now() + pause;
                    if let Ok(mut p) = self.paused_until.lock() {
                        *p = Some(until);
                    }
                    self.send(Update::Paused {
                        session: self.id,
                        until: report.at + i64::try_from(pause.as_secs()).unwrap_or(60),
                    });
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
            Internal::Groups(Ok(groups), since, sync) => {
                let now = chrono::Utc::now().timestamp();
                let (update, missed) = self.model.set_groups(groups, since, now);
                // Our own change is in the feed already (its notifications): no "missed" diff.
                let missed = if sync == SyncReason::AfterOwnChange {
                    Vec::new()
                } else {
                    missed
                };
                self.send(update);
                // The tree shows every subgroup of our communities, joined or not.
                for community in self.model.communities() {
                    self.load_subgroups(client, community);
                }
                for e in missed {
                    self.send(Update::Event(e));
                }
            }
            Internal::Group(Ok((summary, roster)), since, sync) => {
                let id = summary.id.clone();
                let diff = missed_since_connect(sync);
                let missed = self.model.set_group(summary, roster, since, diff);
                self.send(self.model.group_update(&id));
                // Of the group list's rosters, the UI gets the one it shows, and any other
                // when it opens it (from the model, at once).
                if sync.is_none() || self.watched.as_ref() == Some(&id) {
                    self.send(self.model.roster_update(&id));
                }
                for e in missed {
                    self.send(Update::Event(e));
                }
            }
            Internal::Synced { failed } => {
                // The cache keeps every roster, for the next start's reconnect diff.
                self.persist_rosters();
                if failed > 0 {
                    self.send(Update::Error {
                        session: Some(self.id),
                        message: format!(
                            "{failed} group rosters could not be loaded; press r to retry"
                        ),
                    });
                }
            }
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
            Internal::Subgroups(community, Ok(subgroups)) => self.send(Update::Subgroups {
                session: self.id,
                community,
                subgroups,
            }),
            Internal::Members(community, Ok(participants)) => self.send(Update::CommunityMembers {
                session: self.id,
                community,
                participants,
            }),
            Internal::FetchDone(since) => self.model.fetch_done(since),
            Internal::Groups(Err(e), _, _)
            | Internal::Group(Err(e), _, _)
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

    /// Sends one operation in its own task: recorded as sent, run (after any 429 pause), then
    /// its answer recorded and reported.
    fn run_op(&self, client: &Arc<Client>, id: OpId, group: Option<GroupId>, op: Op) {
        let client = client.clone();
        let tx = self.internal.clone();
        let updates = self.updates.clone();
        let store = self.store.clone();
        let timeout = self.op_timeout;
        let paused = self.paused_until.clone();
        let session = self.id;
        let subject = group
            .as_ref()
            .and_then(|g| self.model.groups.get(g))
            .map(|g| g.subject.clone())
            .unwrap_or_default();
        let actor = self.model.me.pn_user.as_ref().map(|u| format!("+{u}"));
        let phones = self.phones(group.as_ref());
        tokio::spawn(async move {
            let wait = paused.lock().ok().and_then(|p| *p);
            if let Some(until) = wait {
                tokio::time::sleep_until(until).await;
            }
            let record = OpRecord {
                session: session.0,
                group: group.as_ref().map(|g| g.to_string()),
                group_subject: subject.clone(),
                action: op.name().to_string(),
                title: op.title(),
                actor,
                at: chrono::Utc::now().timestamp(),
            };
            let row = match &store {
                Some(store) => match with_store(store, move |s| s.record_sent(&record)).await {
                    Ok(row) => Some(row),
                    Err(why) => {
                        // Not auditable means not sent: the log must not miss an action.
                        let report = OpReport {
                            id,
                            session,
                            group: group.clone(),
                            group_subject: subject,
                            action: op.name(),
                            title: op.title(),
                            outcome: Outcome::NotSent {
                                why: format!("the audit log cannot be written: {why}"),
                            },
                            targets: Vec::new(),
                            answer: None,
                            at: chrono::Utc::now().timestamp(),
                        };
                        let _ = tx.send(Internal::OpDone(report, None));
                        return;
                    }
                },
                None => None,
            };
            // Bulk work: each answered batch goes into the audit log before the next is sent,
            // so a crash mid-way loses no confirmed outcome.
            let recorded = std::sync::atomic::AtomicUsize::new(0);
            let progress = |so_far: &[crate::ops::TargetOutcome], total: usize| {
                if total <= moderate::BATCH {
                    return;
                }
                if let (Some(store), Some(row)) = (&store, row) {
                    let from = recorded.load(std::sync::atomic::Ordering::Relaxed);
                    let new = &so_far[from.min(so_far.len())..];
                    let written = with_store_in_place(store, |s| s.record_targets(row, new));
                    if let Err(e) = written {
                        tracing::error!(%session, "cannot record outcomes: {e}");
                    }
                    recorded.store(so_far.len(), std::sync::atomic::Ordering::Relaxed);
                }
                let _ = updates.send(Update::OpProgress {
                    id,
                    done: so_far.len(),
                    total,
                });
            };
            let answered = moderate::run(
                &client,
                &op,
                group.as_ref().map(GroupId::as_str),
                &phones,
                timeout,
                progress,
            )
            .await;
            let report = OpReport {
                id,
                session,
                group,
                group_subject: subject,
                action: op.name(),
                title: op.title(),
                outcome: answered.outcome,
                targets: answered.targets,
                answer: answered.answer,
                at: chrono::Utc::now().timestamp(),
            };
            if let (Some(store), Some(row)) = (store, row) {
                let r = report.clone();
                if let Err(e) = with_store(&store, move |s| s.record_answer(row, &r)).await {
                    tracing::error!(%session, "cannot record an answer in the audit log: {e}");
                }
            }
            let _ = tx.send(Internal::OpDone(report, answered.pause));
        });
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

    /// The group list (the pane fills at once), then every roster a few at a time, then the
    /// join requests of the groups where we are admin and approval is on (the only ones that
    /// can have any).
    fn load_groups(&mut self, client: &Arc<Client>, sync: SyncReason) {
        let client = client.clone();
        let tx = self.internal.clone();
        let me = self.model.me.clone();
        let since = self.model.begin_fetch();
        tokio::spawn(async move {
            let _done = FetchGuard {
                tx: tx.clone(),
                since,
            };
            let list = group_list::list(&client, &me).await;
            let ids: Vec<GroupId> = list
                .as_ref()
                .map(|l| l.iter().map(|g| g.id.clone()).collect())
                .unwrap_or_default();
            let listed = list.is_ok();
            if tx.send(Internal::Groups(list, since, sync)).is_err() || !listed {
                return;
            }
            let mut admin_approval = Vec::new();
            let mut failed = 0;
            let mut rosters = std::pin::pin!(group_list::rosters(client.clone(), ids, me));
            while let Some((group, r)) = rosters.next().await {
                match r {
                    Ok(loaded) => {
                        let g = &loaded.0;
                        if g.settings.approval && g.my_role.is_some_and(|r| r.is_admin()) {
                            admin_approval.push(group);
                        }
                        if tx
                            .send(Internal::Group(Ok(loaded), since, Some(sync)))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("{e}");
                        failed += 1;
                    }
                }
            }
            if tx.send(Internal::Synced { failed }).is_err() {
                return;
            }
            for group in admin_approval {
                let r = fetch_requests(&client, &group).await;
                if tx
                    .send(Internal::Requests(group, r, since, Some(sync)))
                    .is_err()
                {
                    return;
                }
            }
        });
    }

    fn load_group(&mut self, client: &Arc<Client>, group: GroupId) {
        let client = client.clone();
        let tx = self.internal.clone();
        let me = self.model.me.clone();
        let since = self.model.begin_fetch();
        tokio::spawn(async move {
            let _done = FetchGuard {
                tx: tx.clone(),
                since,
            };
            let result = group_list::roster(&client, &group, &me).await;
            let _ = tx.send(Internal::Group(result, since, None));
        });
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

    fn load_subgroups(&self, client: &Arc<Client>, community: GroupId) {
        let client = client.clone();
        let tx = self.internal.clone();
        tokio::spawn(async move {
            let r = super::community::subgroups(&client, &community).await;
            let _ = tx.send(Internal::Subgroups(community, r));
        });
    }

    fn load_members(&self, client: &Arc<Client>, community: GroupId) {
        let client = client.clone();
        let tx = self.internal.clone();
        tokio::spawn(async move {
            let r = super::community::merged_participants(&client, &community).await;
            let _ = tx.send(Internal::Members(community, r));
        });
    }

    fn load_requests(&mut self, client: &Arc<Client>, group: GroupId) {
        let client = client.clone();
        let tx = self.internal.clone();
        let since = self.model.begin_fetch();
        tokio::spawn(async move {
            let _done = FetchGuard {
                tx: tx.clone(),
                since,
            };
            let r = fetch_requests(&client, &group).await;
            let _ = tx.send(Internal::Requests(group, r, since, None));
        });
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
