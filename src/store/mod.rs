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

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        crate::paths::private_file(path)?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = Self { conn };
        schema::migrate(&mut store.conn)?;
        Ok(store)
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
        Ok(Self { conn })
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::version(&self.conn)
    }
}
