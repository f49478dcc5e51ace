//! The audit view's rows and `:export` files, read from wamod.db off the async threads.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::shared_store::{SharedStore, with_store};
use crate::protocol::{Filter, Format, HISTORY_PAGE, Table, Update};

/// Rows the audit view loads (newest first).
const AUDIT_ROWS: usize = 5000;

pub async fn audit(store: SharedStore, updates: mpsc::UnboundedSender<Update>) {
    let rows = with_store(&store, |s| s.audit(AUDIT_ROWS)).await;
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
    let rows = with_store(&store, move |s| s.events(g.as_ref(), before, HISTORY_PAGE)).await;
    let _ = updates.send(match rows {
        Ok(rows) => Update::History { group, rows },
        Err(e) => Update::Error {
            session: None,
            message: format!("cannot read the event history: {e}"),
        },
    });
}

/// Without a database: none configured, or `down` says why it could not be opened.
pub async fn no_database(updates: mpsc::UnboundedSender<Update>, down: Option<Arc<str>>) {
    let message = match down {
        Some(why) => format!("the audit log is unavailable: {why}"),
        None => "no database: this run keeps no audit log".into(),
    };
    let _ = updates.send(Update::Error {
        session: None,
        message,
    });
}

/// Writes `<dir>/<table>-<time>.<csv|json>` (0600 in a 0700 dir) and says where.
pub async fn export(
    store: SharedStore,
    dir: PathBuf,
    (table, format, filter): (Table, Format, Filter),
    updates: mpsc::UnboundedSender<Update>,
) {
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
    let target = path.clone();
    let done = with_store(&store, move |s| {
        crate::paths::private_dir(&dir)?;
        s.export_to_file(table, format, &filter, &target)
    })
    .await
    .map(|n| (n, path));
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
