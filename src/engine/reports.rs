//! The audit view's rows and `:export` files, read from wamod.db off the async threads.

use std::path::PathBuf;

use tokio::sync::mpsc;

use super::session::SharedStore;
use crate::app::msg::Update;
use crate::store::export::{Filter, Format, Table};

/// Rows the audit view loads (newest first).
const AUDIT_ROWS: usize = 5000;

pub async fn audit(store: SharedStore, updates: mpsc::UnboundedSender<Update>) {
    let rows = tokio::task::spawn_blocking(move || match store.lock() {
        Ok(s) => s.audit(AUDIT_ROWS).map_err(|e| e.to_string()),
        Err(_) => Err("the database lock is poisoned".to_string()),
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let _ = updates.send(match rows {
        Ok(rows) => Update::Audit(rows),
        Err(e) => Update::Error {
            session: None,
            message: format!("cannot read the audit log: {e}"),
        },
    });
}

/// A page of stored events for the history view.
pub async fn history(
    store: SharedStore,
    group: Option<crate::domain::GroupId>,
    before: Option<i64>,
    updates: mpsc::UnboundedSender<Update>,
) {
    let g = group.clone();
    let rows = tokio::task::spawn_blocking(move || match store.lock() {
        Ok(s) => s
            .events(g.as_ref(), before, crate::app::state::HISTORY_PAGE)
            .map_err(|e| e.to_string()),
        Err(_) => Err("the database lock is poisoned".to_string()),
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let _ = updates.send(match rows {
        Ok(rows) => Update::History { group, rows },
        Err(e) => Update::Error {
            session: None,
            message: format!("cannot read the event history: {e}"),
        },
    });
}

pub async fn no_database(updates: mpsc::UnboundedSender<Update>) {
    let _ = updates.send(Update::Error {
        session: None,
        message: "no database: this run keeps no audit log".into(),
    });
}

/// Writes `<dir>/<table>-<time>.<csv|json>` (0600 in a 0700 dir) and says where.
pub async fn export(
    store: SharedStore,
    dir: PathBuf,
    (table, format, filter): (Table, Format, Filter),
    updates: mpsc::UnboundedSender<Update>,
) {
    let done = tokio::task::spawn_blocking(move || -> Result<(usize, PathBuf), String> {
        crate::paths::private_dir(&dir).map_err(|e| e.to_string())?;
        let name = format!(
            "{}-{}.{}",
            format!("{table:?}").to_lowercase(),
            chrono::Utc::now().format("%Y%m%d-%H%M%S"),
            match format {
                Format::Csv => "csv",
                Format::Json => "json",
            }
        );
        let path = dir.join(name);
        crate::paths::private_file(&path).map_err(|e| e.to_string())?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| e.to_string())?;
        let mut out = std::io::BufWriter::new(file);
        let s = store
            .lock()
            .map_err(|_| "the database lock is poisoned".to_string())?;
        let n = s
            .export(table, format, &filter, &mut out)
            .map_err(|e| e.to_string())?;
        std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
        Ok((n, path))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let _ = updates.send(match done {
        Ok((n, path)) => Update::Notice {
            text: format!("Exported {n} rows to {}", path.display()),
        },
        Err(e) => Update::Error {
            session: None,
            message: format!("export failed: {e}"),
        },
    });
}
