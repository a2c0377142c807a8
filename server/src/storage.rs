//! The relay's async face of [`linli_store::Store`]: one SQLite connection,
//! used from blocking threads so the websocket tasks never wait on disk.

use std::path::Path;
use std::sync::{Arc, Mutex};

use linli_store::{Store, StoreError};

/// A storage call that failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("storage task failed: {0}")]
    Task(String),
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<Mutex<Store>>,
}

impl Storage {
    /// Opens the store at `path`, capped at `max_bytes` if given (see
    /// [`Store::limit_size`]).
    pub fn open(path: &Path, max_bytes: Option<u64>) -> Result<Self, StoreError> {
        let mut store = Store::open_relay(path)?;
        if let Some(bytes) = max_bytes {
            let cap = store.limit_size(bytes)?;
            tracing::info!(max_bytes = cap, "database size capped");
        }
        Ok(Self {
            store: Arc::new(Mutex::new(store)),
        })
    }

    /// Runs `f` on the store on a blocking thread.
    pub async fn run<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite half-written
            // (every write is one transaction), so a poisoned lock is usable.
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|join| StorageError::Task(join.to_string()))?
        .map_err(StorageError::Store)
    }
}
