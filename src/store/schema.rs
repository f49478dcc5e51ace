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
    // 2: the offline cache (sessions, groups, rosters, pending requests, as last seen) and the
    // history of group events.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        phone TEXT,
        name TEXT
    );
    CREATE TABLE groups (
        session INTEGER NOT NULL,
        id TEXT NOT NULL,
        summary TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (session, id)
    );
    CREATE TABLE participants (
        session INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        jid TEXT NOT NULL,
        phone TEXT,
        lid TEXT,
        role TEXT NOT NULL,
        PRIMARY KEY (session, group_id, jid)
    );
    CREATE TABLE requests (
        session INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        jid TEXT NOT NULL,
        phone TEXT,
        requested_at INTEGER,
        method TEXT NOT NULL,
        via_community TEXT,
        PRIMARY KEY (session, group_id, jid)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        group_subject TEXT NOT NULL,
        actor TEXT,
        kind TEXT NOT NULL,
        who TEXT,
        detail TEXT NOT NULL,
        at INTEGER NOT NULL,
        found_on_reconnect INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX events_group ON events(session, group_id, id);",
    // 3: the names WhatsApp gives people (push names), by phone or LID JID, per session.
    "CREATE TABLE names (
        session INTEGER NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (session, id)
    );",
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, VERSION)
}

/// Brings the schema to `target` (tests build every earlier version this way).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            known: VERSION,
        });
    }
    let upto = usize::try_from(target).unwrap_or(0);
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(upto)
        .skip(found.max(0) as usize)
    {
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

    #[test]
    fn migrates_from_every_earlier_version_keeping_data() {
        for start in 1..VERSION {
            let tmp = tempfile::tempdir().expect("tmp");
            let path = tmp.path().join("wamod.db");
            {
                let mut conn = Connection::open(&path).expect("raw");
                migrate_to(&mut conn, start).expect("old schema");
                conn.execute(
                    "INSERT INTO ops (session, action, title, sent_at, state)
                     VALUES (1, 'add', 'Add 1 participant', 5, 'sent')",
                    [],
                )
                .expect("old row");
            }
            let store = crate::store::Store::open(&path).expect("upgrade");
            assert_eq!(store.schema_version().expect("v"), VERSION, "from {start}");
            assert_eq!(
                store.audit(10).expect("audit").len(),
                1,
                "kept the audit log"
            );
        }
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
