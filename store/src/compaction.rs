//! Compaction: replacing a document's chunks with one snapshot.
//!
//! Policy ([`needs_compaction`], a pure function of chunk counts and
//! sizes): compact when there is at least one incremental chunk and either
//! the incremental chunks together are at least as big as the snapshot, or
//! there are more than [`MAX_INCREMENTAL_CHUNKS`] of them. This keeps the
//! stored size within about twice a snapshot and the load cost bounded, and
//! costs amortised O(1) per byte appended. (A document with no snapshot yet
//! compacts on its first check.)
//!
//! The store never sees the live document. Its holder keeps a
//! [`ChunkLedger`] of the chunks its in-memory copy already contains (those
//! it loaded and those it appended), asks the policy, and when it says so
//! saves the document and hands the bytes plus the chunk hashes they
//! replace to [`LocalDocumentStore::write_snapshot`] ([`compact_if_due`]
//! does all of it). Chunks another process appended meanwhile are not in
//! the ledger, so they are kept, and nothing is lost; the backend writes
//! the snapshot and deletes the replaced chunks in one transaction, so a
//! crash leaves either the old chunks or the new snapshot, never neither.
//!
//! [`Store::compact_if_needed`] and [`Store::save_snapshot`] are the older
//! SQLite-only form, taking the document itself: they fold every stored
//! chunk into the snapshot.

use std::collections::BTreeMap;

use automerge::Automerge;
use linli_protocol::DocumentId;
use rusqlite::{TransactionBehavior, params};

pub use crate::chunks::ChunkCounts;
use crate::chunks::chunk_counts;
use crate::keys::{hash_hex, id_param};
use crate::{Chunk, ChunkHash, ChunkKind, LocalDocumentStore, Store, StoreError};

/// The chunks a holder of a document in memory knows its copy contains:
/// what it loaded and what it appended since. The input of the policy, and
/// the list a snapshot of that copy may replace.
#[derive(Debug, Clone, Default)]
pub struct ChunkLedger {
    chunks: BTreeMap<ChunkHash, (ChunkKind, u64)>,
}

impl ChunkLedger {
    /// The ledger of a document just loaded from `chunks`.
    pub fn loaded(chunks: &[Chunk]) -> Self {
        let chunks = chunks
            .iter()
            .map(|c| (c.hash.clone(), (c.kind, c.bytes.len() as u64)))
            .collect();
        ChunkLedger { chunks }
    }

    /// Notes that `bytes` were appended as an incremental chunk (empty bytes
    /// store nothing, so they are not noted).
    pub fn appended(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.chunks
                .entry(ChunkHash::of(bytes))
                .or_insert((ChunkKind::Incremental, bytes.len() as u64));
        }
    }

    /// Whether the chunk keyed `hash` is noted.
    pub fn knows(&self, hash: &ChunkHash) -> bool {
        self.chunks.contains_key(hash)
    }

    /// Notes a chunk another writer stored (another hub process on the
    /// same database), once its changes are in the live document.
    pub fn stored_elsewhere(&mut self, chunk: &Chunk) {
        self.chunks
            .entry(chunk.hash.clone())
            .or_insert((chunk.kind, chunk.bytes.len() as u64));
    }

    /// Notes that `snapshot` now replaces every chunk noted so far.
    pub fn snapshotted(&mut self, snapshot: &[u8]) {
        self.chunks.clear();
        self.chunks.insert(
            ChunkHash::of(snapshot),
            (ChunkKind::Snapshot, snapshot.len() as u64),
        );
    }

    /// The counts the policy decides on.
    pub fn counts(&self) -> ChunkCounts {
        let mut counts = ChunkCounts::default();
        for (kind, len) in self.chunks.values() {
            match kind {
                ChunkKind::Snapshot => {
                    counts.snapshot_chunks += 1;
                    counts.snapshot_bytes += len;
                }
                ChunkKind::Incremental => {
                    counts.incremental_chunks += 1;
                    counts.incremental_bytes += len;
                }
            }
        }
        counts
    }

    /// Whether the policy says to compact now.
    pub fn is_due(&self) -> bool {
        needs_compaction(&self.counts())
    }

    /// The chunks a snapshot of the in-memory copy replaces.
    pub fn replaced(&self) -> Vec<ChunkHash> {
        self.chunks.keys().cloned().collect()
    }
}

/// Compacts `doc` in `store` if `ledger` says it is due: `save` makes the
/// snapshot bytes (the caller's `save()` of its document, which must hold
/// every chunk in the ledger), which replace the ledger's chunks. Returns
/// whether it compacted; on error the ledger is unchanged and so is the
/// store.
pub async fn compact_if_due<S: LocalDocumentStore + ?Sized>(
    store: &S,
    doc: DocumentId,
    ledger: &mut ChunkLedger,
    save: impl FnOnce() -> Vec<u8>,
) -> Result<bool, StoreError> {
    if !ledger.is_due() {
        return Ok(false);
    }
    let snapshot = save();
    let before = ledger.counts();
    store
        .write_snapshot(doc, snapshot.clone(), ledger.replaced())
        .await?;
    ledger.snapshotted(&snapshot);
    tracing::debug!(
        %doc,
        chunks_before = before.snapshot_chunks + before.incremental_chunks,
        bytes_before = before.snapshot_bytes + before.incremental_bytes,
        bytes_after = snapshot.len(),
        "document compacted"
    );
    Ok(true)
}

/// More incremental chunks than this trigger a compaction.
pub const MAX_INCREMENTAL_CHUNKS: u64 = 64;

impl Store {
    /// Compacts `doc` if the policy (see the module docs) says so, and
    /// returns whether it did.
    ///
    /// Changes stored for `doc` that `current` lacks (appended by another
    /// process) are kept: they are merged into the snapshot.
    pub fn compact_if_needed(
        &mut self,
        doc: &DocumentId,
        current: &Automerge,
    ) -> Result<bool, StoreError> {
        self.compact(doc, current, needs_compaction)
    }

    /// Compacts `doc` unconditionally: `current.save()` becomes its one
    /// snapshot and all other chunks are deleted, in one transaction. Works
    /// for a document that has no chunks yet, too.
    pub fn save_snapshot(
        &mut self,
        doc: &DocumentId,
        current: &Automerge,
    ) -> Result<(), StoreError> {
        self.compact(doc, current, |_| true).map(|_| ())
    }

    fn compact(
        &mut self,
        doc: &DocumentId,
        current: &Automerge,
        policy: impl FnOnce(&ChunkCounts) -> bool,
    ) -> Result<bool, StoreError> {
        // Take the write lock before deciding, so the counts we decide on are
        // the chunks we delete.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = chunk_counts(&tx, doc)?;
        if !policy(&before) {
            return Ok(false);
        }
        // Fold in what is stored, in case another writer appended changes
        // that `current` has not seen; changes already present are skipped.
        let mut merged = current.clone();
        {
            let mut stmt = tx.prepare_cached("SELECT bytes FROM chunks WHERE doc_id = ?1")?;
            let mut rows = stmt.query([id_param(doc)])?;
            while let Some(row) = rows.next()? {
                let bytes: Vec<u8> = row.get(0)?;
                merged
                    .load_incremental(&bytes)
                    .map_err(|e| StoreError::Corrupt {
                        doc: *doc,
                        reason: format!("while compacting: {e}"),
                    })?;
            }
        }
        let snapshot = merged.save();
        let hash = hash_hex(&snapshot);
        tx.prepare_cached("DELETE FROM chunks WHERE doc_id = ?1")?
            .execute([id_param(doc)])?;
        tx.prepare_cached(
            "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 'snapshot', ?2, ?3)",
        )?
        .execute(params![id_param(doc), hash, snapshot])?;
        tx.commit()?;
        tracing::debug!(
            %doc,
            chunks_before = before.snapshot_chunks + before.incremental_chunks,
            bytes_before = before.snapshot_bytes + before.incremental_bytes,
            bytes_after = snapshot.len(),
            "document compacted"
        );
        Ok(true)
    }

    /// Stores `snapshot` as a snapshot chunk of `doc` and deletes the chunks
    /// in `replaces`, in one transaction (see
    /// [`LocalDocumentStore::write_snapshot`]).
    pub fn write_snapshot(
        &mut self,
        doc: &DocumentId,
        snapshot: &[u8],
        replaces: &[ChunkHash],
    ) -> Result<(), StoreError> {
        let hash = ChunkHash::of(snapshot);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut delete =
                tx.prepare_cached("DELETE FROM chunks WHERE doc_id = ?1 AND hash = ?2")?;
            for replaced in replaces.iter().filter(|h| **h != hash) {
                delete.execute(params![id_param(doc), replaced.as_hex()])?;
            }
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO chunks (doc_id, kind, hash, bytes) \
             VALUES (?1, 'snapshot', ?2, ?3)",
        )?
        .execute(params![id_param(doc), hash.as_hex(), snapshot])?;
        tx.commit()?;
        Ok(())
    }
}

/// The compaction policy (see the module docs): whether a document stored
/// as `c` should be replaced by one snapshot.
pub fn needs_compaction(c: &ChunkCounts) -> bool {
    c.incremental_chunks > 0
        && (c.incremental_bytes >= c.snapshot_bytes
            || c.incremental_chunks > MAX_INCREMENTAL_CHUNKS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;
    use automerge::AutoCommit;

    #[test]
    fn policy_needs_an_incremental_chunk_and_then_size_or_count() {
        let counts = |snapshot_bytes, incremental_bytes, incremental_chunks| ChunkCounts {
            snapshot_bytes,
            snapshot_chunks: 1,
            incremental_bytes,
            incremental_chunks,
        };
        assert!(!needs_compaction(&counts(100, 0, 0)));
        assert!(!needs_compaction(&counts(0, 0, 0)));
        assert!(!needs_compaction(&counts(100, 99, 64)));
        assert!(needs_compaction(&counts(100, 100, 1)));
        assert!(needs_compaction(&counts(100, 10, 65)));
        assert!(needs_compaction(&counts(0, 10, 1)));
    }

    #[test]
    fn compaction_reduces_chunks_and_preserves_content_and_heads() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        for i in 0..50 {
            store.append(&doc, &edit(&mut am, i)).unwrap();
        }
        assert_eq!(store.stats(&doc).unwrap().chunks, 50);

        assert!(store.compact_if_needed(&doc, am.document()).unwrap());
        let stats = store.stats(&doc).unwrap();
        assert_eq!(stats.chunks, 1);
        assert_eq!(stats.incremental_bytes, 0);
        assert!(stats.snapshot_bytes > 0);

        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
        assert_eq!(loaded.hydrate(None), am.document().hydrate(None));

        // Nothing new since: no compaction.
        assert!(!store.compact_if_needed(&doc, am.document()).unwrap());
    }

    #[test]
    fn compaction_triggers_when_incremental_bytes_reach_snapshot_bytes() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        for i in 0..30 {
            store.append(&doc, &edit(&mut am, i)).unwrap();
        }
        store.save_snapshot(&doc, am.document()).unwrap();
        let mut i = 100;
        loop {
            store.append(&doc, &edit(&mut am, i)).unwrap();
            i += 1;
            let s = store.stats(&doc).unwrap();
            let expected = s.incremental_bytes >= s.snapshot_bytes;
            assert_eq!(
                store.compact_if_needed(&doc, am.document()).unwrap(),
                expected
            );
            if expected {
                break;
            }
            assert!(i < 1000, "never reached the snapshot size");
        }
        assert_eq!(store.stats(&doc).unwrap().chunks, 1);
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
    }

    #[test]
    fn compaction_triggers_after_more_than_64_small_chunks() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        // A big snapshot, so small chunks never reach its size.
        store.append(&doc, &big_edit(&mut am, 200_000)).unwrap();
        store.save_snapshot(&doc, am.document()).unwrap();
        for i in 0..MAX_INCREMENTAL_CHUNKS as i64 {
            store.append(&doc, &edit(&mut am, i)).unwrap();
            assert!(!store.compact_if_needed(&doc, am.document()).unwrap());
        }
        let s = store.stats(&doc).unwrap();
        assert!(s.incremental_bytes < s.snapshot_bytes);
        store.append(&doc, &edit(&mut am, 1000)).unwrap();
        assert!(store.compact_if_needed(&doc, am.document()).unwrap());
        assert_eq!(store.stats(&doc).unwrap().chunks, 1);
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
    }

    #[test]
    fn save_snapshot_stores_a_document_that_had_no_chunks() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let _ = edit(&mut am, 1);
        store.save_snapshot(&doc, am.document()).unwrap();
        let stats = store.stats(&doc).unwrap();
        assert_eq!((stats.chunks, stats.incremental_bytes), (1, 0));
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(loaded.hydrate(None), am.document().hydrate(None));
        // A second snapshot of the same state replaces the first.
        store.save_snapshot(&doc, am.document()).unwrap();
        assert_eq!(store.stats(&doc).unwrap().chunks, 1);
    }

    #[test]
    fn compaction_leaves_other_documents_alone() {
        let (_dir, mut store) = temp_store();
        let (a, b) = (doc_id(1), doc_id(2));
        let mut am_a = AutoCommit::new();
        let mut am_b = AutoCommit::new();
        for i in 0..5 {
            store.append(&a, &edit(&mut am_a, i)).unwrap();
            store.append(&b, &edit(&mut am_b, i)).unwrap();
        }
        store.save_snapshot(&a, am_a.document()).unwrap();
        assert_eq!(store.stats(&b).unwrap().chunks, 5);
        let loaded = store.load(&b).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am_b.document()));
    }
}

#[cfg(test)]
mod ledger {
    use super::*;
    use crate::SqliteBackend;
    use crate::test_util::*;
    use automerge::AutoCommit;

    #[test]
    fn the_ledger_counts_what_was_loaded_and_appended_once_each() {
        let mut am = AutoCommit::new();
        let snapshot_bytes = {
            let _ = edit(&mut am, 0);
            am.save()
        };
        let loaded = [Chunk {
            hash: ChunkHash::of(&snapshot_bytes),
            kind: ChunkKind::Snapshot,
            bytes: snapshot_bytes.clone(),
        }];
        let mut ledger = ChunkLedger::loaded(&loaded);
        let bytes = edit(&mut am, 1);
        ledger.appended(&bytes);
        ledger.appended(&bytes);
        ledger.appended(&[]);
        let expected = ChunkCounts {
            snapshot_bytes: snapshot_bytes.len() as u64,
            snapshot_chunks: 1,
            incremental_bytes: bytes.len() as u64,
            incremental_chunks: 1,
        };
        assert_eq!(ledger.counts(), expected);
        assert_eq!(ledger.is_due(), needs_compaction(&expected));
        assert_eq!(ledger.replaced().len(), 2);
    }

    #[test]
    fn compact_if_due_snapshots_the_callers_bytes_and_replaces_the_ledgers_chunks() {
        let (_dir, store) = temp_store();
        let backend = SqliteBackend::new(store);
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let mut ledger = ChunkLedger::default();
        let mut compacted = 0;
        for i in 0..200 {
            let bytes = edit(&mut am, i);
            backend.lock().append(&doc, &bytes).unwrap();
            ledger.appended(&bytes);
            let did =
                futures::executor::block_on(compact_if_due(&backend, doc, &mut ledger, || {
                    am.save()
                }))
                .unwrap();
            compacted += usize::from(did);
            // The ledger and the store agree on what is stored.
            let stats = backend.lock().stats(&doc).unwrap();
            assert_eq!(stats.chunks, ledger.replaced().len() as u64);
        }
        assert!(compacted > 0);
        let loaded = backend.lock().load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
    }

    #[test]
    fn a_snapshot_that_does_not_fit_leaves_the_old_chunks() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let small = edit(&mut am, 1);
        store.append(&doc, &small).unwrap();
        let pages: i64 = store
            .conn
            .pragma_query_value(None, "page_count", |row| row.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let _ = big_edit(&mut am, 1 << 20);
        let err = store
            .write_snapshot(&doc, &am.save(), &[ChunkHash::of(&small)])
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Full);
        let chunks = store.load_chunks(&doc).unwrap();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].bytes, small);
    }
}

#[cfg(test)]
mod second_writer {
    use crate::test_util::*;
    use automerge::AutoCommit;
    use automerge::transaction::Transactable;

    #[test]
    fn compaction_keeps_changes_another_writer_appended() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(9);
        let mut mine = AutoCommit::new();
        mine.put(automerge::ROOT, "a", 1).unwrap();
        store.append(&doc, &mine.save_incremental()).unwrap();
        // Another process loads, edits and appends.
        let mut theirs = AutoCommit::load(&mine.save()).unwrap();
        theirs.put(automerge::ROOT, "b", 2).unwrap();
        let heads_before = mine.get_heads();
        store
            .append(&doc, &theirs.save_after(&heads_before))
            .unwrap();
        // This process compacts with its stale copy.
        store.save_snapshot(&doc, mine.document()).unwrap();
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(loaded.get_heads(), theirs.get_heads());
    }
}
