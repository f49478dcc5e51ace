//! Schema versions. Each migration runs once, in order, in its own transaction; the version is
//! SQLite's `user_version`. A database from a newer wamod is refused, never rewritten.

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the moderation audit log. An operation is recorded as `sent` before its request goes
    // out; its per-participant rows and `answered` are written together once WhatsApp answers,
    // so a crash in between leaves a visible "sent, no answer" and never a false "done".
    "CREATE TABLE ops (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session INTEGER NOT NULL,
        group_id TEXT,
        group_subject TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        title TEXT NOT NULL,
        actor TEXT,
        sent_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('sent', 'answered')),
        answered_at INTEGER,
        outcome TEXT,
        detail TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        op INTEGER NOT NULL REFERENCES ops(id),
        target TEXT,
        target_phone TEXT,
        outcome TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX audit_op ON audit(op);
    CREATE INDEX ops_group ON ops(session, group_id);",
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            known: VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_file_and_refuses_a_newer_one() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("wamod.db");
        let store = crate::store::Store::open(&path).expect("open");
        assert_eq!(store.schema_version().expect("version"), VERSION);
        drop(store);
        // Reopening is a no-op.
        crate::store::Store::open(&path).expect("reopen");
        let conn = Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", VERSION + 1)
            .expect("bump");
        drop(conn);
        let err = crate::store::Store::open(&path).err().expect("refused");
        assert!(err.to_string().contains("newer than this wamod"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn database_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("data/wamod.db");
        crate::store::Store::open(&path).expect("open");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
