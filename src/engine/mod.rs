//! The engine: the only part of wamod that touches the network and the disk. One task per
//! session (each with its own whatsapp-rust key store under `<data>/sessions/<n>/`); the UI talks
//! to it with `Action`s and hears back `Update`s.

mod backoff;
pub mod bot;
pub mod cache_writer;
pub mod conn_watch;
pub mod convert;
pub mod endings;
pub mod endpoint;
mod fetch;
pub mod first_frame;
pub mod group_list;
pub mod model;
pub mod moderate;
mod op_audit;
pub mod queries;
pub mod read_pace;
pub mod reconnect_diff;
pub mod requests;
pub mod roster_backlog;
pub mod session;
mod session_reports;
pub mod shared_store;
pub mod write_pace;
mod write_queue;

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use bot::VersionSource;
pub use endpoint::Endpoint;
pub use first_frame::first_frame;
use session::{SessionCmd, SessionTask};
use shared_store::{SharedStore, with_store};

use crate::domain::PaceLimits;
use crate::domain::SessionId;
use crate::paths::private_dir;
use crate::protocol::{Action, Filter, Format, Table, Update};
use crate::store::{CachedSession, Store};

pub struct EngineConfig {
    /// `<data>/sessions/<n>/whatsapp.db` per session.
    pub sessions_dir: PathBuf,
    pub endpoint: Endpoint,
    /// The WhatsApp Web version the clients announce.
    pub version: VersionSource,
    /// `wamod.db` (audit log); `None` runs without one (moderation is then not audited).
    pub database: Option<PathBuf>,
    /// How long an operation waits for WhatsApp's answer before its outcome is unknown.
    pub op_timeout: Duration,
    /// How fast each session writes (the config's `[pace]`).
    pub pace: PaceLimits,
    /// A session back online after less time away than this reads nothing again: WhatsApp's
    /// offline queue brings what it missed. After longer, or with a new client, it reads
    /// every group (one query).
    pub resync_after: Duration,
}

impl EngineConfig {
    pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(30);
    /// WhatsApp keeps a device's notifications for far longer; ten minutes keeps a flapping
    /// connection from re-reading while a long absence is still checked.
    pub const RESYNC_AFTER: Duration = Duration::from_secs(10 * 60);
}

/// The UI's ends of the engine's channels.
pub struct EngineHandle {
    pub actions: mpsc::UnboundedSender<Action>,
    pub updates: mpsc::UnboundedReceiver<Update>,
    pub task: JoinHandle<Drained>,
}

impl EngineHandle {
    /// Most updates in one batch, so a flood cannot delay a keypress for long.
    pub const BATCH: usize = 512;

    /// Waits for the next update, then takes what else is already waiting, up to a batch: how
    /// the UI loop (and every test that plays the UI) reads the engine. `None` once the engine
    /// is gone. Cancel-safe: nothing is taken until the first update has arrived.
    pub async fn next_batch(&mut self) -> Option<Vec<Update>> {
        let first = self.updates.recv().await?;
        let mut batch = vec![first];
        while batch.len() < Self::BATCH {
            match self.updates.try_recv() {
                Ok(u) => batch.push(u),
                Err(_) => break,
            }
        }
        Some(batch)
    }
}

/// Starts the engine: resumes every session found on disk (they log in without a QR code).
pub fn spawn(config: EngineConfig) -> EngineHandle {
    let (actions, actions_rx) = mpsc::unbounded_channel();
    let (updates_tx, updates) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(config, actions_rx, updates_tx));
    EngineHandle {
        actions,
        updates,
        task,
    }
}

struct Running {
    commands: mpsc::UnboundedSender<SessionCmd>,
    task: JoinHandle<()>,
}

/// Session numbers present on disk, ascending.
pub fn existing_sessions(dir: &Path) -> Vec<SessionId> {
    let mut ids: Vec<SessionId> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| SessionTask::key_store(&e.path()).exists())
        .filter_map(|e| e.file_name().to_str()?.parse().ok().map(SessionId))
        .collect();
    ids.sort();
    ids
}

async fn run(
    config: EngineConfig,
    mut actions: mpsc::UnboundedReceiver<Action>,
    ui: mpsc::UnboundedSender<Update>,
) -> Drained {
    if let Err(e) = private_dir(&config.sessions_dir) {
        let _ = ui.send(Update::Error {
            session: None,
            message: format!("cannot create {}: {e}", config.sessions_dir.display()),
        });
    }
    let (store, audit_down) = match open_store(config.database.as_deref(), &ui) {
        Ok(store) => (store, None),
        Err(why) => (None, Some(why)),
    };
    // Off the start's path: the sessions do not wait for the count.
    if let Some(store) = store.clone() {
        let ui = ui.clone();
        tokio::spawn(async move { report_unanswered(&store, &ui).await });
    }
    let mut cache = read_cache(store.as_ref()).await;
    // With a database, updates pass through the cache writer on their way to the UI.
    let (updates, writer) = match &store {
        Some(store) => {
            let (tx, rx) = mpsc::unbounded_channel();
            let writer = tokio::spawn(cache_writer::forward(rx, ui.clone(), store.clone()));
            (tx, Some(writer))
        }
        None => (ui, None),
    };
    let mut engine = Engine {
        config,
        store,
        audit_down,
        updates,
        sessions: BTreeMap::new(),
    };
    for id in existing_sessions(&engine.config.sessions_dir) {
        engine.start(id, cache.remove(&id));
    }
    while let Some(action) = actions.recv().await {
        if engine.route(action).is_break() {
            break;
        }
    }
    engine.shutdown(writer).await
}

/// Each session starts from the cache as it last saw it, and reports what changed since on its
/// first sync. Read here, off the first frame's path (the UI drew it from `first_frame`).
async fn read_cache(store: Option<&SharedStore>) -> BTreeMap<SessionId, CachedSession> {
    let Some(store) = store else {
        return BTreeMap::new();
    };
    let given = with_store(store, |s| s.load_cache())
        .await
        .unwrap_or_default();
    given.into_iter().map(|c| (c.id, c)).collect()
}

/// The app database the sessions share: `Ok(None)` without one; why not, when it is
/// configured and cannot be opened (corrupt, newer, read-only, locked). The UI hears why, and
/// every operation is then refused (the audit log would miss it).
fn open_store(
    database: Option<&Path>,
    ui: &mpsc::UnboundedSender<Update>,
) -> Result<Option<SharedStore>, Arc<str>> {
    let Some(path) = database else {
        return Ok(None);
    };
    match Store::open(path) {
        Ok(s) => Ok(Some(Arc::new(Mutex::new(s)))),
        Err(e) => {
            let why = format!("cannot open {}: {e}", path.display());
            tracing::error!("{why}");
            let _ = ui.send(Update::AuditUnavailable { why: why.clone() });
            Err(why.into())
        }
    }
}

/// Operations an earlier run sent and never recorded an answer for: the UI lists them.
async fn report_unanswered(store: &SharedStore, ui: &mpsc::UnboundedSender<Update>) {
    match with_store(store, |s| s.unanswered()).await {
        Ok(0) => {}
        Ok(n) => {
            let _ = ui.send(Update::Unanswered(usize::try_from(n).unwrap_or(usize::MAX)));
        }
        Err(e) => tracing::error!("cannot read the audit log: {e}"),
    }
}

/// The engine task's state: the running sessions and what they share.
struct Engine {
    config: EngineConfig,
    store: Option<SharedStore>,
    /// Why the configured `wamod.db` could not be opened.
    audit_down: Option<Arc<str>>,
    /// Toward the UI (through the cache writer, with a database).
    updates: mpsc::UnboundedSender<Update>,
    sessions: BTreeMap<SessionId, Running>,
}

impl Engine {
    /// Starts session `id` in its own task, from what the cache had of it.
    fn start(&mut self, id: SessionId, cached: Option<CachedSession>) {
        let dir = self.config.sessions_dir.join(id.0.to_string());
        if let Err(e) = private_dir(&dir) {
            let _ = self.updates.send(Update::Error {
                session: Some(id),
                message: format!("cannot create {}: {e}", dir.display()),
            });
            return;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = self.updates.send(Update::Session {
            id,
            phone: None,
            name: None,
        });
        let task = tokio::spawn(
            SessionTask {
                id,
                dir,
                endpoint: self.config.endpoint.clone(),
                version: self.config.version.clone(),
                updates: self.updates.clone(),
                commands: rx,
                store: self.store.clone(),
                audit_down: self.audit_down.clone(),
                op_timeout: self.config.op_timeout,
                pace: self.config.pace,
                resync_after: self.config.resync_after,
                cached,
            }
            .run(),
        );
        self.sessions.insert(id, Running { commands: tx, task });
    }

    /// A new session, numbered after every one running or on disk.
    fn new_session(&mut self) {
        let used = existing_sessions(&self.config.sessions_dir);
        let next = self
            .sessions
            .keys()
            .chain(used.iter())
            .map(|s| s.0)
            .max()
            .unwrap_or(0)
            + 1;
        self.start(SessionId(next), None);
    }

    /// Carries out one action of the UI, or hands it to its session; `Break` on shutdown.
    fn route(&mut self, action: Action) -> ControlFlow<()> {
        self.sessions.retain(|_, s| !s.task.is_finished());
        let (id, cmd) = match action {
            Action::NewSession => {
                self.new_session();
                return ControlFlow::Continue(());
            }
            Action::Shutdown => return ControlFlow::Break(()),
            Action::LoadHistory { group, before } => {
                let updates = self.updates.clone();
                self.query(|store| queries::history(store, group, before, updates));
                return ControlFlow::Continue(());
            }
            Action::LoadAudit => {
                let updates = self.updates.clone();
                self.query(|store| queries::audit(store, updates));
                return ControlFlow::Continue(());
            }
            Action::Export {
                table,
                format,
                filter,
            } => {
                self.export((table, format, filter));
                return ControlFlow::Continue(());
            }
            Action::PairWithPhone { session, phone } => (session, SessionCmd::PairWithPhone(phone)),
            Action::CancelPairing(s) => (s, SessionCmd::Cancel),
            Action::Logout(s) => (s, SessionCmd::Logout),
            Action::Refresh(s) => (s, SessionCmd::Refresh),
            Action::LoadRoster { session, group } => (session, SessionCmd::LoadRoster(group)),
            Action::Reread { session, group } => (session, SessionCmd::Reread(group)),
            Action::CancelUnsent(session) => (session, SessionCmd::CancelUnsent),
            Action::LoadRequests { session, group } => (session, SessionCmd::LoadRequests(group)),
            Action::Run {
                id,
                session,
                group,
                op,
            } => (session, SessionCmd::Run { id, group, op }),
        };
        match self.sessions.get(&id) {
            Some(s) => {
                let _ = s.commands.send(cmd);
            }
            None => {
                let _ = self.updates.send(Update::Error {
                    session: Some(id),
                    message: format!("session {id} is not running"),
                });
            }
        }
        ControlFlow::Continue(())
    }

    /// Runs a read of the app database in its own task; without one, the UI hears there is none.
    fn query<F>(&self, read: impl FnOnce(SharedStore) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match &self.store {
            Some(store) => tokio::spawn(read(store.clone())),
            None => tokio::spawn(queries::no_database(
                self.updates.clone(),
                self.audit_down.clone(),
            )),
        };
    }

    /// Writes a table to a file under `exports/` beside the database.
    fn export(&self, what: (Table, Format, Filter)) {
        let updates = self.updates.clone();
        match (&self.store, &self.config.database) {
            (Some(store), Some(db)) => tokio::spawn(queries::export(
                store.clone(),
                db.with_file_name("exports"),
                what,
                updates,
            )),
            _ => tokio::spawn(queries::no_database(updates, self.audit_down.clone())),
        };
    }

    /// Stops every session (together, waiting at most `SESSIONS_STOP`), then lets the cache
    /// writer write what it holds (at most `WRITER_DRAIN`); whether everything was written.
    async fn shutdown(self, writer: Option<JoinHandle<bool>>) -> Drained {
        for s in self.sessions.values() {
            let _ = s.commands.send(SessionCmd::Shutdown);
        }
        let stopping = futures_util::future::join_all(self.sessions.into_values().map(|s| s.task));
        let sessions_stopped = tokio::time::timeout(SESSIONS_STOP, stopping).await.is_ok();
        // The cache writer ends once every sender is gone, after its last batch.
        drop(self.updates);
        let cache_written = match writer {
            Some(writer) => matches!(
                tokio::time::timeout(WRITER_DRAIN, writer).await,
                Ok(Ok(true))
            ),
            None => true,
        };
        Drained {
            sessions_stopped,
            cache_written,
        }
    }
}

/// How long quitting waits for the sessions to stop (their operations to be answered).
const SESSIONS_STOP: Duration = Duration::from_secs(5);
/// How long quitting waits for the cache writer to write what it holds.
pub const WRITER_DRAIN: Duration = Duration::from_secs(10);

/// How the engine stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Every session ended within its time.
    pub sessions_stopped: bool,
    /// The cache writer wrote everything it was given.
    pub cache_written: bool,
}
