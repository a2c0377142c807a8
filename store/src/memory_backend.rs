//! A [`DocumentStore`] held in memory: for tests of code above the storage
//! seam (the relay's document task) that should need neither SQLite nor a
//! disk, and as proof that the [`conformance`](crate::conformance) suite
//! is backend-neutral.
//!
//! It can be told to act full ([`MemoryStore::set_full`]): every write then
//! fails with [`StoreError::DiskFull`] and stores nothing, so a test can
//! check what a caller does when storage refuses a write.

use std::collections::HashMap;
use std::future::{Future, Ready, ready};
use std::sync::{Arc, Mutex, MutexGuard};

use automerge::ChangeHash;
use linli_protocol::DocumentId;

use crate::{
    Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, ChunkKind, DocumentStore, StoreError,
};

/// An in-memory store. Clones share the same contents, so a test keeps one
/// clone to look at what the code under test stored through another.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each document's chunks, in the order stored.
    chunks: HashMap<DocumentId, Vec<Chunk>>,
    meta: HashMap<String, Vec<u8>>,
    doc_meta: HashMap<(DocumentId, String), Vec<u8>>,
    /// Each document's latest number in the store-wide change sequence.
    changes: HashMap<DocumentId, u64>,
    last_change: u64,
    audit: Vec<(DocumentId, Attribution)>,
    full: bool,
}

impl Inner {
    fn refuse_if_full(&self) -> Result<(), StoreError> {
        if self.full {
            Err(StoreError::DiskFull)
        } else {
            Ok(())
        }
    }

    fn changed(&mut self, doc: DocumentId) {
        self.last_change += 1;
        self.changes.insert(doc, self.last_change);
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// While `full`, every write fails with [`StoreError::DiskFull`] and
    /// leaves the store as it was, as SQLite does when the disk fills up.
    pub fn set_full(&self, full: bool) {
        self.lock().full = full;
    }

    /// The attributions stored with `doc`'s appends, oldest first.
    pub fn audit(&self, doc: DocumentId) -> Vec<Attribution> {
        let inner = self.lock();
        let rows = inner.audit.iter().filter(|(d, _)| *d == doc);
        rows.map(|(_, a)| a.clone()).collect()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every write is done in full or not at all before the lock is
        // released, so a poisoned lock holds consistent contents.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Ready<R> {
        ready(f(&mut self.lock()))
    }
}

fn append(
    inner: &mut Inner,
    doc: DocumentId,
    bytes: Vec<u8>,
    audit: Option<Attribution>,
) -> Result<(), StoreError> {
    if bytes.is_empty() && audit.is_none() {
        return Ok(());
    }
    inner.refuse_if_full()?;
    if let Some(audit) = &audit {
        // Checked before anything is stored: a change is never stored
        // without its attribution.
        for hash in &audit.change_hashes {
            hash.parse::<ChangeHash>().map_err(|e| {
                StoreError::backend(format!("bad change hash {hash:?} in attribution: {e}"))
            })?;
        }
    }
    if !bytes.is_empty() {
        let hash = ChunkHash::of(&bytes);
        let chunks = inner.chunks.entry(doc).or_default();
        if !chunks.iter().any(|c| c.hash == hash) {
            chunks.push(Chunk {
                hash,
                kind: ChunkKind::Incremental,
                bytes,
            });
            inner.changed(doc);
        }
    }
    if let Some(audit) = audit {
        inner.audit.push((doc, audit));
    }
    Ok(())
}

fn write_snapshot(
    inner: &mut Inner,
    doc: DocumentId,
    snapshot: Vec<u8>,
    replaces: Vec<ChunkHash>,
) -> Result<(), StoreError> {
    inner.refuse_if_full()?;
    let hash = ChunkHash::of(&snapshot);
    let chunks = inner.chunks.entry(doc).or_default();
    chunks.retain(|c| c.hash == hash || !replaces.contains(&c.hash));
    if !chunks.iter().any(|c| c.hash == hash) {
        chunks.push(Chunk {
            hash,
            kind: ChunkKind::Snapshot,
            bytes: snapshot,
        });
    }
    if chunks.is_empty() {
        inner.chunks.remove(&doc);
    }
    inner.changed(doc);
    Ok(())
}

fn load(inner: &Inner, doc: DocumentId) -> Vec<Chunk> {
    let Some(chunks) = inner.chunks.get(&doc) else {
        return Vec::new();
    };
    let (mut snapshots, incremental): (Vec<Chunk>, Vec<Chunk>) = chunks
        .iter()
        .cloned()
        .partition(|c| c.kind == ChunkKind::Snapshot);
    snapshots.extend(incremental);
    snapshots
}

fn changed_since(inner: &Inner, since: ChangeCursor) -> ChangedDocs {
    let mut changed: Vec<(u64, DocumentId)> = inner
        .changes
        .iter()
        .filter(|(_, seq)| **seq > since.to_u64())
        .map(|(doc, seq)| (*seq, *doc))
        .collect();
    changed.sort();
    let cursor = changed
        .last()
        .map_or(since, |(seq, _)| ChangeCursor::from_u64(*seq));
    ChangedDocs {
        docs: changed.into_iter().map(|(_, doc)| doc).collect(),
        cursor,
    }
}

impl DocumentStore for MemoryStore {
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send {
        self.with(|s| Ok(load(s, doc)))
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| append(s, doc, bytes, audit))
    }

    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| write_snapshot(s, doc, snapshot, replaces))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send {
        self.with(|s| {
            let mut docs: Vec<DocumentId> = s.chunks.keys().copied().collect();
            docs.sort();
            Ok(docs)
        })
    }

    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> + Send {
        self.with(|s| Ok(changed_since(s, since)))
    }

    fn meta_get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.with(|s| Ok(s.meta.get(key).cloned()))
    }

    fn meta_set(
        &self,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| {
            s.refuse_if_full()?;
            s.meta.insert(key.to_owned(), value);
            Ok(())
        })
    }

    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.with(|s| Ok(s.doc_meta.get(&(doc, key.to_owned())).cloned()))
    }

    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| {
            s.refuse_if_full()?;
            s.doc_meta.insert((doc, key.to_owned()), value);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_store_refuses_every_write_and_keeps_what_it_had() {
        futures::executor::block_on(async {
            let store = MemoryStore::new();
            let doc = DocumentId::from_bytes([1; 16]);
            store.append(doc, b"first".to_vec(), None).await.unwrap();
            store.set_full(true);
            let err = store
                .append(doc, b"second".to_vec(), None)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Full);
            let snap = store
                .write_snapshot(doc, b"snap".to_vec(), Vec::new())
                .await;
            assert_eq!(snap.unwrap_err().kind(), crate::ErrorKind::Full);
            assert!(store.meta_set("k", Vec::new()).await.is_err());
            assert!(store.doc_meta_set(doc, "k", Vec::new()).await.is_err());
            let chunks = store.load(doc).await.unwrap();
            assert_eq!(chunks.len(), 1);
            assert_eq!(chunks[0].bytes, b"first");
            store.set_full(false);
            store.append(doc, b"second".to_vec(), None).await.unwrap();
            assert_eq!(store.load(doc).await.unwrap().len(), 2);
        });
    }
}
