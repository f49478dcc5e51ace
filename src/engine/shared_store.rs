//! wamod.db as the engine's tasks share it: one connection behind a mutex, used off the async
//! threads. Every store call of the engine goes through here, so locking, the blocking-thread
//! hop and a poisoned lock are handled in one place.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::store::{Store, StoreError};

pub type SharedStore = Arc<Mutex<Store>>;

fn lock(store: &SharedStore) -> Result<MutexGuard<'_, Store>, String> {
    store
        .lock()
        .map_err(|_| "the database lock is poisoned".to_string())
}

/// Runs `f` on the store on a blocking thread; a failure comes back as words.
pub async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&mut *lock(&store)?).map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())?
}

/// Runs `f` on the store from synchronous code inside a task (a progress callback), telling
/// the runtime this thread blocks. Needs the multi-thread runtime, which wamod and its tests use.
pub fn with_store_in_place<T>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
) -> Result<T, String> {
    tokio::task::block_in_place(|| f(&mut *lock(store)?).map_err(|e| e.to_string()))
}
