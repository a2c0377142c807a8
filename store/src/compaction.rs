//! Compaction: replacing a document's chunks with one snapshot.
//!
//! Policy: compact when there is at least one incremental chunk and either
//! the incremental chunks together are at least as big as the snapshot, or
//! there are more than [`MAX_INCREMENTAL_CHUNKS`] of them. This keeps the
//! stored size within about twice a snapshot and the load cost bounded, and
//! costs amortised O(1) per byte appended. (A document with no snapshot yet
//! compacts on its first check.)
//!
//! A compaction writes one snapshot holding the caller's document *and* every
//! change already stored (so another process that appended to the same file
//! meanwhile loses nothing), and deletes every other chunk of that document
//! in the same transaction, so a crash leaves either the old chunks or the
//! new snapshot, never neither.

use automerge::Automerge;
use linli_protocol::DocumentId;
use rusqlite::{TransactionBehavior, params};

use crate::chunks::{ChunkCounts, chunk_counts, hash_hex, id_param};
use crate::{Store, StoreError};

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
}

/// The compaction policy.
fn needs_compaction(c: &ChunkCounts) -> bool {
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
