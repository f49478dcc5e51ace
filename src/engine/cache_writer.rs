//! Sits between the sessions and the UI: forwards every update at once, then writes what it
//! changed (groups, rosters, requests, events) to the cache in batched transactions.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

use super::roster_backlog::RosterBacklog;
use super::shared_store::{SharedStore, with_store};
use crate::protocol::{Update, without_superseded};

/// Most updates written per transaction; a burst of notifications becomes a few writes.
const BATCH: usize = 2000;

/// Least time from one cache transaction's start to the next. A commit costs its pages
/// whatever it holds (a lone notification rewrites the same few pages as a thousand), so in a
/// burst the writer gathers for this long instead of committing each notification alone; a
/// quiet update is still written at once.
const COMMIT_EVERY: Duration = Duration::from_millis(25);

/// Updates written after which the writer, once it has nothing more to write, hands the heap
/// pages they freed back to the system (see `heap`): a burst's transient copies would otherwise
/// stay resident under what comes next.
const TRIM_AFTER: usize = 5_000;

fn cached(u: &Update) -> bool {
    matches!(
        u,
        Update::Session { .. }
            | Update::SessionRemoved(_)
            | Update::Groups { .. }
            | Update::Group { .. }
            | Update::GroupGone { .. }
            | Update::Roster { .. }
            | Update::CacheRoster { .. }
            | Update::Requests { .. }
            | Update::RosterChanged { .. }
            | Update::RequestsChanged { .. }
            | Update::Names { .. }
            | Update::Event(_)
    )
}

/// Forwards until the sessions are gone; whether everything to cache was written.
pub async fn forward(
    mut from_sessions: mpsc::UnboundedReceiver<Update>,
    ui: mpsc::UnboundedSender<Update>,
    store: SharedStore,
) -> bool {
    // The UI never waits for the disk: a writer task takes what to cache, and while it writes,
    // what arrives meanwhile gathers into its next transaction.
    let (to_writer, writer_rx) = mpsc::unbounded_channel::<Vec<Update>>();
    let writer = tokio::spawn(write(writer_rx, store, ui.clone()));
    while let Some(first) = from_sessions.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match from_sessions.try_recv() {
                Ok(u) => batch.push(u),
                Err(_) => break,
            }
        }
        let batch = without_superseded(batch);
        let to_write: Vec<Update> = batch.iter().filter(|u| cached(u)).cloned().collect();
        for u in batch {
            if !matches!(u, Update::CacheRoster { .. }) {
                let _ = ui.send(u);
            }
        }
        if !to_write.is_empty() {
            let _ = to_writer.send(to_write);
        }
    }
    drop(to_writer);
    // Whether the writer wrote everything (it did not if it panicked).
    writer.await.is_ok()
}

async fn write(
    mut batches: mpsc::UnboundedReceiver<Vec<Update>>,
    store: SharedStore,
    ui: mpsc::UnboundedSender<Update>,
) {
    let mut backlog = RosterBacklog::default();
    let mut last_start: Option<tokio::time::Instant> = None;
    let mut open = true;
    let mut untrimmed = 0;
    let mut failing = Failing::default();
    // A transaction that failed (disk full, database locked), written again first.
    let mut unwritten: Vec<Update> = Vec::new();
    while open || !backlog.is_empty() || !unwritten.is_empty() {
        if untrimmed >= TRIM_AFTER && backlog.is_empty() && batches.is_empty() {
            untrimmed = 0;
            tokio::task::spawn_blocking(crate::heap::release_freed);
        }
        // With rosters or a failed write waiting, a transaction is due even if nothing new
        // arrives.
        let mut updates = if backlog.is_empty() && unwritten.is_empty() {
            match batches.recv().await {
                Some(u) => u,
                None => break,
            }
        } else {
            std::mem::take(&mut unwritten)
        };
        if let Some(t) = last_start {
            tokio::time::sleep_until(t + COMMIT_EVERY + failing.pause()).await;
        }
        while open && updates.len() < BATCH * 4 {
            match batches.try_recv() {
                Ok(more) => updates.extend(more),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => open = false,
            }
        }
        // When wamod stops, whatever waits goes out now.
        let updates = std::sync::Arc::new(backlog.next_transaction(updates, !open));
        untrimmed += updates.len();
        last_start = Some(tokio::time::Instant::now());
        let now = chrono::Utc::now().timestamp();
        let batch = updates.clone();
        let written = with_store(&store, move |s| {
            // The end-to-end test of a crash: the sync's write panics, holding the lock.
            crate::crash::inject("store-write", || {
                batch.iter().any(|u| matches!(u, Update::Groups { .. }))
            });
            s.apply_updates(&batch, now)
        });
        match written.await {
            Ok(()) => failing.cleared(&ui),
            Err(e) => {
                tracing::error!("cannot update the cache: {e}");
                // Nothing of it was written (one transaction): all of it goes again, unless
                // wamod is stopping and the failure goes on.
                let again = std::sync::Arc::try_unwrap(updates).unwrap_or_else(|a| (*a).clone());
                if !failing.failed(&e, &ui, open) {
                    continue;
                }
                if again.len() > MAX_UNWRITTEN {
                    let _ = ui.send(Update::Error {
                        session: None,
                        message: format!(
                            "{} changes could not be cached and were let go; the next sync \
                             reads the groups again",
                            again.len()
                        ),
                    });
                } else {
                    unwritten = again;
                }
            }
        }
    }
}

/// The cache writer's failures: said once when they start and once when they end, and the
/// pause before trying again.
#[derive(Default)]
struct Failing {
    since: Option<usize>,
}

/// Most updates kept for writing again while the cache cannot be written.
const MAX_UNWRITTEN: usize = 200_000;

/// Most tries of one transaction while wamod is stopping.
const TRIES_WHEN_STOPPING: usize = 3;

impl Failing {
    /// Records a failure; whether to try the same updates again.
    fn failed(&mut self, e: &str, ui: &mpsc::UnboundedSender<Update>, open: bool) -> bool {
        let n = self.since.map_or(1, |n| n + 1);
        self.since = Some(n);
        if n == 1 {
            let _ = ui.send(Update::Error {
                session: None,
                message: format!(
                    "cannot write the cache ({e}); wamod keeps what it has and tries again \
                     (an operation is not sent while its audit row cannot be written)"
                ),
            });
        }
        open || n < TRIES_WHEN_STOPPING
    }

    fn cleared(&mut self, ui: &mpsc::UnboundedSender<Update>) {
        if self.since.take().is_some() {
            let _ = ui.send(Update::Notice {
                text: "The cache is written again".into(),
            });
        }
    }

    /// 1, 2, 4 … 30 s after consecutive failures; none otherwise.
    fn pause(&self) -> Duration {
        match self.since {
            None => Duration::ZERO,
            Some(n) => Duration::from_secs(1 << (n - 1).min(5)).min(Duration::from_secs(30)),
        }
    }
}
