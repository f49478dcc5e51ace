//! `wamod.db`: wamod's own SQLite database (the protocol's key stores are separate files). WAL
//! mode, a versioned schema with forward-only migrations, 0600 under a 0700 directory. Only the
//! engine opens it for writing.

pub mod audit;
pub mod cache;
pub mod export;
mod schema;

use std::path::Path;

use rusqlite::Connection;

pub use audit::OpRecord;
pub use cache::CachedSession;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(
        "wamod.db has schema version {found}, newer than this wamod understands ({known}); \
         update wamod, or move the file away to start afresh"
    )]
    TooNew { found: i64, known: i64 },
}

/// How long a write waits for another connection's lock before it fails.
const BUSY: std::time::Duration = std::time::Duration::from_secs(5);

pub struct Store {
    /// The cache, exports and reads: `synchronous=NORMAL` (an OS crash may lose the last
    /// commits, which the next sync reads again).
    conn: Connection,
    /// The audit log's writes: `synchronous=FULL`, so a row saying an operation was sent is on
    /// disk before the request leaves. `None` in memory, where there is one database per
    /// connection.
    audit: Option<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        crate::paths::private_file(path)?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY)?;
        let mut conn = conn;
        schema::migrate(&mut conn)?;
        let audit = Connection::open(path)?;
        audit.pragma_update(None, "synchronous", "FULL")?;
        audit.pragma_update(None, "foreign_keys", "ON")?;
        audit.busy_timeout(BUSY)?;
        Ok(Self {
            conn,
            audit: Some(audit),
        })
    }

    /// Caps the cache connection's database at `pages` pages (SQLite's `max_page_count`): a
    /// write past it fails as on a full disk ("database or disk is full"). For fault tests.
    pub fn cap_pages(&mut self, pages: u64) -> Result<u64, StoreError> {
        let pages = i64::try_from(pages).unwrap_or(i64::MAX);
        Ok(self
            .conn
            .pragma_update_and_check(None, "max_page_count", pages, |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))?)
    }

    /// The database's size in pages.
    pub fn page_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The connection audit rows are written on.
    fn audit_conn(&mut self) -> &mut Connection {
        self.audit.as_mut().unwrap_or(&mut self.conn)
    }

    /// `PRAGMA synchronous` of the cache's connection and of the audit log's (1 NORMAL, 2 FULL).
    pub fn sync_levels(&mut self) -> Result<(i64, i64), StoreError> {
        let level = |c: &Connection| c.pragma_query_value(None, "synchronous", |r| r.get(0));
        let cache = level(&self.conn)?;
        Ok((cache, level(self.audit_conn())?))
    }

    /// Opens an existing database (exports read it without creating one).
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no database at {} (run wamod once first)", path.display()),
            )));
        }
        Self::open(path)
    }

    /// A private in-memory database (reducer-free unit tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn, audit: None })
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::version(&self.conn)
    }
}
