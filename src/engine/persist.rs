//! Sits between the sessions and the UI: forwards every update at once, then writes what it
//! changed (groups, rosters, requests, events) to the cache in batched transactions.

use tokio::sync::mpsc;

use super::session::SharedStore;
use crate::app::msg::Update;

/// Most updates written per transaction; a burst of notifications becomes a few writes.
const BATCH: usize = 2000;

fn cached(u: &Update) -> bool {
    matches!(
        u,
        Update::Session { .. }
            | Update::SessionRemoved(_)
            | Update::Groups { .. }
            | Update::Group { .. }
            | Update::GroupGone { .. }
            | Update::Roster { .. }
            | Update::Requests { .. }
            | Update::RosterChanged { .. }
            | Update::RequestsChanged { .. }
            | Update::Event(_)
    )
}

pub async fn forward(
    mut from_sessions: mpsc::UnboundedReceiver<Update>,
    ui: mpsc::UnboundedSender<Update>,
    store: SharedStore,
) {
    while let Some(first) = from_sessions.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match from_sessions.try_recv() {
                Ok(u) => batch.push(u),
                Err(_) => break,
            }
        }
        let to_write: Vec<Update> = batch.iter().filter(|u| cached(u)).cloned().collect();
        for u in batch {
            let _ = ui.send(u);
        }
        if to_write.is_empty() {
            continue;
        }
        let store = store.clone();
        let now = chrono::Utc::now().timestamp();
        let written = tokio::task::spawn_blocking(move || match store.lock() {
            Ok(mut s) => s.apply_updates(&to_write, now).map_err(|e| e.to_string()),
            Err(_) => Err("the database lock is poisoned".to_string()),
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("cannot update the cache: {e}"),
            Err(e) => tracing::error!("cache writer failed: {e}"),
        }
    }
}
