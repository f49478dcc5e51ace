//! The engine: the only part of wamod that touches the network and the disk. One task per
//! session (each with its own whatsapp-rust key store under `<data>/sessions/<n>/`); the UI talks
//! to it with `Action`s and hears back `Update`s.

pub mod bot;
pub mod cache_writer;
pub mod community;
pub mod convert;
pub mod endpoint;
pub mod first_frame;
pub mod group_list;
pub mod model;
pub mod moderate;
pub mod queries;
pub mod reconnect_diff;
pub mod requests;
pub mod roster_backlog;
pub mod session;
pub mod shared_store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use endpoint::Endpoint;
pub use first_frame::first_frame;
use session::{SessionCmd, SessionTask};

use crate::domain::SessionId;
use crate::paths::private_dir;
use crate::protocol::{Action, Update};
use crate::store::{CachedSession, Store};

pub struct EngineConfig {
    /// `<data>/sessions/<n>/whatsapp.db` per session.
    pub sessions_dir: PathBuf,
    pub endpoint: Endpoint,
    /// `wamod.db` (audit log); `None` runs without one (moderation is then not audited).
    pub database: Option<PathBuf>,
    /// How long an operation waits for WhatsApp's answer before its outcome is unknown.
    pub op_timeout: Duration,
}

impl EngineConfig {
    pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(30);
}

/// The UI's ends of the engine's channels.
pub struct EngineHandle {
    pub actions: mpsc::UnboundedSender<Action>,
    pub updates: mpsc::UnboundedReceiver<Update>,
    pub task: JoinHandle<()>,
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
) {
    let updates = ui.clone();
    let mut sessions: BTreeMap<SessionId, Running> = BTreeMap::new();
    // Each session starts from the cache as it last saw it, and reports what changed since on
    // its first sync. Read here, off the first frame's path (the UI drew it from `first_frame`).
    let mut given = Vec::new();
    if let Some(db) = config.database.clone() {
        given = tokio::task::spawn_blocking(move || {
            Store::open(&db)
                .and_then(|s| s.load_cache())
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default();
    }
    let mut cache: BTreeMap<SessionId, CachedSession> =
        given.into_iter().map(|c| (c.id, c)).collect();
    if let Err(e) = private_dir(&config.sessions_dir) {
        let _ = updates.send(Update::Error {
            session: None,
            message: format!("cannot create {}: {e}", config.sessions_dir.display()),
        });
    }
    let store = config
        .database
        .as_ref()
        .and_then(|path| match Store::open(path) {
            Ok(s) => Some(Arc::new(Mutex::new(s))),
            Err(e) => {
                tracing::error!("cannot open {}: {e}", path.display());
                let _ = updates.send(Update::Error {
                    session: None,
                    message: format!("cannot open {}: {e}", path.display()),
                });
                None
            }
        });
    // With a database, updates pass through the cache writer on their way to the UI.
    let mut writer = None;
    let updates = match &store {
        Some(store) => {
            let (tx, rx) = mpsc::unbounded_channel();
            writer = Some(tokio::spawn(cache_writer::forward(
                rx,
                ui.clone(),
                store.clone(),
            )));
            tx
        }
        None => updates,
    };
    let start = |id: SessionId,
                 sessions: &mut BTreeMap<SessionId, Running>,
                 cached: Option<CachedSession>| {
        let dir = config.sessions_dir.join(id.0.to_string());
        if let Err(e) = private_dir(&dir) {
            let _ = updates.send(Update::Error {
                session: Some(id),
                message: format!("cannot create {}: {e}", dir.display()),
            });
            return;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = updates.send(Update::Session {
            id,
            phone: None,
            name: None,
        });
        let task = tokio::spawn(
            SessionTask {
                id,
                dir,
                endpoint: config.endpoint.clone(),
                updates: updates.clone(),
                commands: rx,
                store: store.clone(),
                op_timeout: config.op_timeout,
                cached,
            }
            .run(),
        );
        sessions.insert(id, Running { commands: tx, task });
    };
    for id in existing_sessions(&config.sessions_dir) {
        start(id, &mut sessions, cache.remove(&id));
    }
    while let Some(action) = actions.recv().await {
        sessions.retain(|_, s| !s.task.is_finished());
        let (id, cmd) = match action {
            Action::NewSession => {
                let used = existing_sessions(&config.sessions_dir);
                let next = sessions
                    .keys()
                    .chain(used.iter())
                    .map(|s| s.0)
                    .max()
                    .unwrap_or(0)
                    + 1;
                start(SessionId(next), &mut sessions, None);
                continue;
            }
            Action::Shutdown => break,
            Action::LoadHistory { group, before } => {
                match &store {
                    Some(store) => tokio::spawn(queries::history(
                        store.clone(),
                        group,
                        before,
                        updates.clone(),
                    )),
                    None => tokio::spawn(queries::no_database(updates.clone())),
                };
                continue;
            }
            Action::LoadAudit => {
                match &store {
                    Some(store) => tokio::spawn(queries::audit(store.clone(), updates.clone())),
                    None => tokio::spawn(queries::no_database(updates.clone())),
                };
                continue;
            }
            Action::Export {
                table,
                format,
                filter,
            } => {
                match (&store, &config.database) {
                    (Some(store), Some(db)) => tokio::spawn(queries::export(
                        store.clone(),
                        db.with_file_name("exports"),
                        (table, format, filter),
                        updates.clone(),
                    )),
                    _ => tokio::spawn(queries::no_database(updates.clone())),
                };
                continue;
            }
            Action::PairWithPhone { session, phone } => (session, SessionCmd::PairWithPhone(phone)),
            Action::CancelPairing(s) => (s, SessionCmd::Cancel),
            Action::Logout(s) => (s, SessionCmd::Logout),
            Action::Refresh(s) => (s, SessionCmd::Refresh),
            Action::LoadRoster { session, group } => (session, SessionCmd::LoadRoster(group)),
            Action::LoadRequests { session, group } => (session, SessionCmd::LoadRequests(group)),
            Action::Run {
                id,
                session,
                group,
                op,
            } => (session, SessionCmd::Run { id, group, op }),
        };
        match sessions.get(&id) {
            Some(s) => {
                let _ = s.commands.send(cmd);
            }
            None => {
                let _ = updates.send(Update::Error {
                    session: Some(id),
                    message: format!("session {id} is not running"),
                });
            }
        }
    }
    for s in sessions.values() {
        let _ = s.commands.send(SessionCmd::Shutdown);
    }
    for (_, s) in sessions {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.task).await;
    }
    // The cache writer ends once every sender is gone, after its last batch.
    drop(updates);
    if let Some(writer) = writer {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), writer).await;
    }
}
