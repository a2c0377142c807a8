//! Documents as chunks of automerge data: appending, listing, deleting and
//! measuring them.
//!
//! A document is the set of its rows in `chunks`: at most a few `snapshot`
//! chunks (a full `save()`) and any number of `incremental` chunks (changes
//! saved since). Each chunk is keyed by the hex SHA-256 of its bytes, so
//! storing the same bytes twice keeps one row.

use linli_protocol::DocumentId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::keys::{hash_hex, id_from_blob, id_param};
use crate::{Attribution, Store, StoreError};

/// How many chunks of each kind a document has, and their bytes: all the
/// compaction policy looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChunkCounts {
    pub snapshot_bytes: u64,
    pub snapshot_chunks: u64,
    pub incremental_bytes: u64,
    pub incremental_chunks: u64,
}

/// How much of a document is stored, and in how many chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocStats {
    /// Bytes in snapshot chunks.
    pub snapshot_bytes: u64,
    /// Bytes in incremental chunks.
    pub incremental_bytes: u64,
    /// Number of chunks of either kind.
    pub chunks: u64,
}

impl Store {
    /// Whether any chunk of `doc` is stored.
    pub fn contains(&self, doc: &DocumentId) -> Result<bool, StoreError> {
        let found = self
            .conn
            .prepare_cached("SELECT 1 FROM chunks WHERE doc_id = ?1 LIMIT 1")?
            .query_row([id_param(doc)], |_| Ok(()))
            .optional()?;
        Ok(found.is_some())
    }

    /// Stores `incremental` (changes saved with `save_incremental()` or
    /// `save_after()`) as one incremental chunk of `doc`, durably: when this
    /// returns `Ok`, the chunk survives a crash.
    ///
    /// Appending bytes that are already stored as a chunk of `doc` and an
    /// empty slice are no-ops.
    pub fn append(&mut self, doc: &DocumentId, incremental: &[u8]) -> Result<(), StoreError> {
        self.append_chunk(doc, incremental, None)
    }

    /// Stores `incremental` like [`Store::append`], with its audit row when
    /// `audit` is given, in one transaction (see
    /// [`LocalDocumentStore::append`](crate::LocalDocumentStore::append)).
    /// An audit row needs the relay's tables ([`Store::open_relay`]).
    pub fn append_chunk(
        &mut self,
        doc: &DocumentId,
        incremental: &[u8],
        audit: Option<&Attribution>,
    ) -> Result<(), StoreError> {
        if incremental.is_empty() && audit.is_none() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_incremental(&tx, doc, incremental)?;
        if let Some(audit) = audit {
            crate::audit::insert_audit(&tx, doc, incremental, audit)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every document with at least one stored chunk, in ascending order.
    pub fn list(&self) -> Result<Vec<DocumentId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT doc_id FROM chunks ORDER BY doc_id")?;
        let ids = stmt
            .query_map([], |row| id_from_blob(row.get_ref(0)?.as_blob()?))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Removes `doc`: its chunks and its per-document key/values, in one
    /// transaction. Deleting a document that is not stored is a no-op.
    pub fn delete(&mut self, doc: &DocumentId) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached("DELETE FROM chunks WHERE doc_id = ?1")?
            .execute([id_param(doc)])?;
        tx.prepare_cached("DELETE FROM doc_meta WHERE doc_id = ?1")?
            .execute([id_param(doc)])?;
        tx.commit()?;
        tracing::debug!(%doc, "document deleted");
        Ok(())
    }

    /// Sizes of `doc`'s stored chunks (all zero when it is not stored).
    pub fn stats(&self, doc: &DocumentId) -> Result<DocStats, StoreError> {
        let counts = chunk_counts(&self.conn, doc)?;
        Ok(DocStats {
            snapshot_bytes: counts.snapshot_bytes,
            incremental_bytes: counts.incremental_bytes,
            chunks: counts.snapshot_chunks + counts.incremental_chunks,
        })
    }
}

/// Per-kind byte and chunk counts of `doc`.
pub(crate) fn chunk_counts(
    conn: &rusqlite::Connection,
    doc: &DocumentId,
) -> rusqlite::Result<ChunkCounts> {
    let mut counts = ChunkCounts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, count(*), coalesce(sum(length(bytes)), 0) \
         FROM chunks WHERE doc_id = ?1 GROUP BY kind",
    )?;
    let mut rows = stmt.query([id_param(doc)])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        let chunks = non_negative(row.get(1)?);
        let bytes = non_negative(row.get(2)?);
        if kind == "snapshot" {
            counts.snapshot_chunks = chunks;
            counts.snapshot_bytes = bytes;
        } else {
            counts.incremental_chunks = chunks;
            counts.incremental_bytes = bytes;
        }
    }
    Ok(counts)
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The key of a chunk: hex SHA-256 of its bytes.
/// Inserts one incremental chunk inside the caller's transaction (no-op for
/// empty bytes or bytes already stored).
pub(crate) fn insert_incremental(
    tx: &rusqlite::Transaction<'_>,
    doc: &DocumentId,
    incremental: &[u8],
) -> Result<(), StoreError> {
    if incremental.is_empty() {
        return Ok(());
    }
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO chunks (doc_id, kind, hash, bytes) \
             VALUES (?1, 'incremental', ?2, ?3)",
        )?
        .execute(params![id_param(doc), hash_hex(incremental), incremental])?;
    tracing::trace!(%doc, bytes = incremental.len(), inserted, "chunk appended");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;

    #[test]
    fn appending_the_same_bytes_twice_stores_one_chunk() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = automerge::AutoCommit::new();
        let chunk = edit(&mut am, 0);
        store.append(&doc, &chunk).unwrap();
        let before = store.stats(&doc).unwrap();
        store.append(&doc, &chunk).unwrap();
        assert_eq!(store.stats(&doc).unwrap(), before);
        assert_eq!(before.chunks, 1);
        assert_eq!(before.incremental_bytes, chunk.len() as u64);
    }

    #[test]
    fn appending_an_empty_slice_stores_nothing() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        store.append(&doc, &[]).unwrap();
        assert!(!store.contains(&doc).unwrap());
        assert_eq!(store.stats(&doc).unwrap(), DocStats::default());
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn list_is_sorted_and_delete_removes_only_that_document() {
        let (_dir, mut store) = temp_store();
        let ids = [doc_id(9), doc_id(3), doc_id(200), doc_id(3)];
        for (i, id) in ids.iter().enumerate() {
            let mut am = automerge::AutoCommit::new();
            store.append(id, &edit(&mut am, i as i64)).unwrap();
        }
        store.doc_meta_set(&doc_id(3), "heads", b"h").unwrap();
        assert_eq!(store.list().unwrap(), [doc_id(3), doc_id(9), doc_id(200)]);

        store.delete(&doc_id(3)).unwrap();
        assert_eq!(store.list().unwrap(), [doc_id(9), doc_id(200)]);
        assert!(!store.contains(&doc_id(3)).unwrap());
        assert!(store.load(&doc_id(3)).unwrap().is_none());
        assert_eq!(store.doc_meta_get(&doc_id(3), "heads").unwrap(), None);
        assert!(store.contains(&doc_id(9)).unwrap());
        assert!(store.load(&doc_id(200)).unwrap().is_some());

        // Deleting what is not there is fine.
        store.delete(&doc_id(3)).unwrap();
    }

    #[test]
    fn disk_full_is_reported_as_disk_full_and_earlier_data_survives() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = automerge::AutoCommit::new();
        let first = edit(&mut am, 1);
        store.append(&doc, &first).unwrap();
        // Cap the database at its current size: the next big write cannot fit.
        let pages: i64 = store
            .conn
            .pragma_query_value(None, "page_count", |row| row.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let err = store.append(&doc, &vec![7u8; 1 << 20]).unwrap_err();
        assert!(matches!(err, StoreError::DiskFull), "{err:?}");
        assert!(err.to_string().contains("disk is full"));
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
        assert_eq!(store.stats(&doc).unwrap().chunks, 1);
    }
}
