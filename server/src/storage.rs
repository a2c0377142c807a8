//! The relay's async face of [`linli_store::Store`]: one SQLite connection,
//! used from blocking threads so the websocket tasks never wait on disk.
//!
//! [`Storage`] is the relay's SQLite adapter to the storage seam: it
//! implements [`DocumentStore`], each call one [`Store`] call on a blocking
//! thread, so the document tasks speak only the trait. The relay's own
//! tables (tokens, audit log, store-wide keys) are reached with
//! [`Storage::run`].

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use linli_protocol::DocumentId;
use linli_store::{
    Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, DocumentStore, Store, StoreError,
};

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

    /// Runs `f` like [`Storage::run`], for the trait: a failed blocking
    /// task becomes a backend error.
    async fn blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        match self.run(f).await {
            Ok(r) => Ok(r),
            Err(StorageError::Store(e)) => Err(e),
            Err(StorageError::Task(e)) => Err(StoreError::backend(e)),
        }
    }
}

impl DocumentStore for Storage {
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send {
        self.blocking(move |s| s.load_chunks(&doc))
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.blocking(move |s| s.append_chunk(&doc, &bytes, audit.as_ref()))
    }

    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.blocking(move |s| s.write_snapshot(&doc, &snapshot, &replaces))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send {
        self.blocking(|s| s.list())
    }

    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> + Send {
        self.blocking(move |s| s.changed_since(since))
    }

    fn meta_get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        let key = key.to_owned();
        self.blocking(move |s| s.meta_get(&key))
    }

    fn meta_set(
        &self,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let key = key.to_owned();
        self.blocking(move |s| s.meta_set(&key, &value))
    }

    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        let key = key.to_owned();
        self.blocking(move |s| s.doc_meta_get(&doc, &key))
    }

    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let key = key.to_owned();
        self.blocking(move |s| s.doc_meta_set(&doc, &key, &value))
    }
}
