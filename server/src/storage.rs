//! The relay's storage: SQLite by default (one connection, used from
//! blocking threads so the websocket tasks never wait on disk), or
//! PostgreSQL for a district hub (`--storage postgres://…`).
//!
//! [`Storage`] is the relay's adapter to the storage seam: it implements
//! [`DocumentStore`] for either backend, so the document tasks speak only
//! the trait. On SQLite each call is one [`Store`] call on a blocking
//! thread; on PostgreSQL it is [`PgStore`]'s. The relay's own tables
//! (tokens, audit log, store-wide keys) are reached through the methods in
//! [`relay_tables`](self::relay_tables), which work on both; [`Storage::run`]
//! reaches the SQLite [`Store`] itself, for what only SQLite has.

//!
//! On SQLite, appends do not each take a blocking thread and an fsync:
//! they go to one writer that commits every document's waiting changes
//! together ([`group_commit`]).

mod group_commit;
mod relay_tables;

use std::future::Future;
use std::path::Path;

use futures::future::Either;
use std::sync::{Arc, Mutex};

use linli_protocol::DocumentId;
use linli_store::{
    Append, Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, DocumentStore, Store,
    StoreError,
};
use linli_store_pg::PgStore;

use group_commit::GroupCommit;

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
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// The store, and the group-commit writer appends go through.
    Sqlite(Arc<Mutex<Store>>, Arc<GroupCommit>),
    Postgres(Arc<PgStore>),
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
        let store = Arc::new(Mutex::new(store));
        let writer = GroupCommit::new(store.clone());
        Ok(Self {
            backend: Backend::Sqlite(store, Arc::new(writer)),
        })
    }

    /// Connects to the PostgreSQL database named by `conninfo` (a district
    /// hub's), migrating its schema.
    pub async fn open_postgres(conninfo: &str) -> Result<Self, StoreError> {
        let store = PgStore::connect(conninfo).await?;
        Ok(Self {
            backend: Backend::Postgres(Arc::new(store)),
        })
    }

    /// The PostgreSQL store, when the relay runs on one.
    pub fn postgres(&self) -> Option<&PgStore> {
        match &self.backend {
            Backend::Postgres(pg) => Some(pg),
            Backend::Sqlite(..) => None,
        }
    }

    /// Runs `f` on the SQLite store on a blocking thread (an error on
    /// PostgreSQL: use the backend-neutral methods).
    pub async fn run<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let store = match &self.backend {
            Backend::Sqlite(store, _) => store.clone(),
            Backend::Postgres(_) => {
                return Err(StorageError::Task(
                    "this needs the SQLite store; the relay runs on PostgreSQL".into(),
                ));
            }
        };
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
    async fn load(&self, doc: DocumentId) -> Result<Vec<Chunk>, StoreError> {
        match self.postgres() {
            Some(pg) => pg.load(doc).await,
            None => self.blocking(move |s| s.load_chunks(&doc)).await,
        }
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        match &self.backend {
            // Queued now, not when first polled: a task that stores several
            // peers' changes submits them all before awaiting, and they
            // share one commit.
            Backend::Sqlite(_, writer) => Either::Left(writer.submit(Append { doc, bytes, audit })),
            Backend::Postgres(pg) => Either::Right(pg.append(doc, bytes, audit)),
        }
    }

    async fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> Result<(), StoreError> {
        match self.postgres() {
            Some(pg) => pg.write_snapshot(doc, snapshot, replaces).await,
            None => {
                self.blocking(move |s| s.write_snapshot(&doc, &snapshot, &replaces))
                    .await
            }
        }
    }

    async fn list(&self) -> Result<Vec<DocumentId>, StoreError> {
        match self.postgres() {
            Some(pg) => pg.list().await,
            None => self.blocking(|s| s.list()).await,
        }
    }

    async fn changed_since(&self, since: ChangeCursor) -> Result<ChangedDocs, StoreError> {
        match self.postgres() {
            Some(pg) => pg.changed_since(since).await,
            None => self.blocking(move |s| s.changed_since(since)).await,
        }
    }

    async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_owned();
        match self.postgres() {
            Some(pg) => pg.get_meta(&key).await,
            None => self.blocking(move |s| s.meta_get(&key)).await,
        }
    }

    async fn meta_set(&self, key: &str, value: Vec<u8>) -> Result<(), StoreError> {
        let key = key.to_owned();
        match self.postgres() {
            Some(pg) => pg.set_meta(&key, value).await,
            None => self.blocking(move |s| s.meta_set(&key, &value)).await,
        }
    }

    async fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_owned();
        match self.postgres() {
            Some(pg) => pg.doc_meta_get(doc, &key).await,
            None => self.blocking(move |s| s.doc_meta_get(&doc, &key)).await,
        }
    }

    async fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> Result<(), StoreError> {
        let key = key.to_owned();
        match self.postgres() {
            Some(pg) => pg.doc_meta_set(doc, &key, value).await,
            None => {
                self.blocking(move |s| s.doc_meta_set(&doc, &key, &value))
                    .await
            }
        }
    }
}
