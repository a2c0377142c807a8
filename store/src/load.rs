//! Reassembling a document from its stored chunks.
//!
//! Chunks are read snapshot first, then incremental in the order they were
//! stored, and each is fed to automerge. automerge's `load_incremental`
//! silently skips bytes it cannot parse (it only logs a warning), which would
//! hide a damaged chunk and the edits in it; so every chunk is also parsed
//! strictly, and one that does not parse makes the whole document
//! [`StoreError::Corrupt`] rather than quietly losing edits. Other documents
//! are unaffected.

use automerge::{Automerge, AutomergeError, LoadOptions, ReadDoc};
use linli_protocol::DocumentId;
use rusqlite::types::ValueRef;

use crate::keys::id_param;
use crate::{Chunk, ChunkHash, ChunkKind, Store, StoreError};

impl Store {
    /// Loads `doc` from its chunks, or `None` when it has none.
    ///
    /// Fails with [`StoreError::Corrupt`], naming `doc`, when a chunk does
    /// not parse as automerge data.
    pub fn load(&self, doc: &DocumentId) -> Result<Option<Automerge>, StoreError> {
        rebuild(doc, &self.load_chunks(doc)?)
    }

    /// `doc`'s chunks as stored, snapshots first, then incremental chunks in
    /// the order they were stored (see
    /// [`LocalDocumentStore::load`](crate::LocalDocumentStore::load)).
    pub fn load_chunks(&self, doc: &DocumentId) -> Result<Vec<Chunk>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, hash, bytes FROM chunks WHERE doc_id = ?1 \
             ORDER BY kind = 'incremental', rowid",
        )?;
        let mut rows = stmt.query([id_param(doc)])?;
        let mut chunks = Vec::new();
        while let Some(row) = rows.next()? {
            let kind_text = text_of(row.get_ref(0)?);
            let hash = text_of(row.get_ref(1)?);
            let kind = if kind_text == "snapshot" {
                ChunkKind::Snapshot
            } else {
                ChunkKind::Incremental
            };
            let bytes = match row.get_ref(2)? {
                ValueRef::Blob(b) | ValueRef::Text(b) => b.to_vec(),
                other => {
                    return Err(StoreError::Corrupt {
                        doc: *doc,
                        reason: format!(
                            "{kind_text} chunk {} holds a {:?} value instead of bytes",
                            short(&hash),
                            other.data_type()
                        ),
                    });
                }
            };
            chunks.push(Chunk {
                hash: ChunkHash::from_hex(hash),
                kind,
                bytes,
            });
        }
        Ok(chunks)
    }
}

/// Makes `doc` of its stored `chunks` (as a backend's `load` returns them),
/// or `None` when there are none. The same for every backend.
///
/// Fails with [`StoreError::Corrupt`], naming `doc` and the chunk, when a
/// chunk does not parse as automerge data.
pub fn rebuild(doc: &DocumentId, chunks: &[Chunk]) -> Result<Option<Automerge>, StoreError> {
    if chunks.is_empty() {
        return Ok(None);
    }
    // Usually one strict parse of everything at once does it.
    let all: Vec<u8> = chunks
        .iter()
        .flat_map(|c| c.bytes.iter().copied())
        .collect();
    let loaded = match Automerge::load_with_options(&all, LoadOptions::new()) {
        Ok(am) => am,
        Err(_) => load_chunk_by_chunk(doc, chunks)?,
    };
    let missing = loaded.get_missing_deps(&[]);
    if !missing.is_empty() {
        tracing::warn!(
            %doc,
            missing = missing.len(),
            "stored document has changes whose dependencies are not stored; \
             they stay pending until the dependencies arrive"
        );
    }
    tracing::trace!(%doc, chunks = chunks.len(), "document loaded");
    Ok(Some(loaded))
}

/// The slow path, for a document whose chunks do not load in one go: each
/// chunk strictly on its own, so the one that fails is named, and changes
/// whose dependencies are missing are kept pending rather than refused.
fn load_chunk_by_chunk(doc: &DocumentId, chunks: &[Chunk]) -> Result<Automerge, StoreError> {
    let mut loaded: Option<Automerge> = None;
    for chunk in chunks {
        let kind = match chunk.kind {
            ChunkKind::Snapshot => "snapshot",
            ChunkKind::Incremental => "incremental",
        };
        let parse_err = |e: AutomergeError| StoreError::Corrupt {
            doc: *doc,
            reason: format!(
                "{kind} chunk {} does not parse: {e}",
                short(chunk.hash.as_hex())
            ),
        };
        let bytes = &chunk.bytes;
        loaded = Some(match loaded {
            None => load_first(bytes).map_err(parse_err)?,
            Some(mut am) => {
                check_parses(bytes).map_err(parse_err)?;
                am.load_incremental(bytes).map_err(parse_err)?;
                am
            }
        });
    }
    Ok(loaded.unwrap_or_default())
}

/// Loads the first chunk strictly, as the base document.
fn load_first(bytes: &[u8]) -> Result<Automerge, AutomergeError> {
    match Automerge::load_with_options(bytes, LoadOptions::new()) {
        Ok(am) => Ok(am),
        // Parsed completely, but its changes depend on ones in later chunks:
        // fine, automerge queues them until those arrive.
        Err(AutomergeError::MissingDeps) => {
            let mut am = Automerge::new();
            am.load_incremental(bytes)?;
            Ok(am)
        }
        Err(e) => Err(e),
    }
}

/// Errors unless every byte of `bytes` parses as automerge chunks.
fn check_parses(bytes: &[u8]) -> Result<(), AutomergeError> {
    match Automerge::load_with_options(bytes, LoadOptions::new()) {
        Ok(_) | Err(AutomergeError::MissingDeps) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A text column as text, however it was stored (only used in messages).
fn text_of(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => r.to_string(),
        ValueRef::Null => String::new(),
    }
}

/// Enough of a chunk's hash to find it by hand.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;
    use automerge::{AutoCommit, ROOT, transaction::Transactable};

    #[test]
    fn document_with_many_incremental_appends_round_trips() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        for i in 0..200 {
            store.append(&doc, &edit(&mut am, i)).unwrap();
        }
        assert_eq!(store.stats(&doc).unwrap().chunks, 200);
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
        assert_eq!(loaded.hydrate(None), am.document().hydrate(None));
    }

    #[test]
    fn reopening_the_file_gives_the_same_heads_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        {
            let mut store = crate::Store::open(&path).unwrap();
            for i in 0..20 {
                store.append(&doc, &edit(&mut am, i)).unwrap();
            }
        }
        let store = crate::Store::open(&path).unwrap();
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
        assert_eq!(loaded.hydrate(None), am.document().hydrate(None));
    }

    #[test]
    fn unknown_document_loads_as_none() {
        let (_dir, store) = temp_store();
        assert!(store.load(&doc_id(1)).unwrap().is_none());
        assert!(!store.contains(&doc_id(1)).unwrap());
    }

    #[test]
    fn chunks_from_concurrent_peers_merge_on_load() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut a = AutoCommit::new();
        store.append(&doc, &edit(&mut a, 0)).unwrap();
        let mut b = a.fork();
        b.put(ROOT, "b", "from b").unwrap();
        store.append(&doc, &b.save_incremental()).unwrap();
        a.put(ROOT, "a", "from a").unwrap();
        store.append(&doc, &a.save_incremental()).unwrap();
        a.merge(&mut b).unwrap();
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(a.document()));
        assert_eq!(loaded.hydrate(None), a.document().hydrate(None));
    }

    #[test]
    fn chunks_stored_before_their_dependencies_still_load() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let first = edit(&mut am, 0);
        let second = edit(&mut am, 1);
        store.append(&doc, &second).unwrap();
        store.append(&doc, &first).unwrap();
        let loaded = store.load(&doc).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
    }

    /// Overwrites the bytes of every incremental chunk of `doc` by SQL.
    fn damage_incremental_chunks(store: &crate::Store, doc: &DocumentId, bytes: &[u8]) {
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let n = conn
            .execute(
                "UPDATE chunks SET bytes = ?2 WHERE doc_id = ?1 AND kind = 'incremental'",
                rusqlite::params![id_param(doc), bytes],
            )
            .unwrap();
        assert!(n > 0);
    }

    fn assert_corrupt_naming(err: StoreError, doc: &DocumentId) {
        match &err {
            StoreError::Corrupt { doc: named, .. } => assert_eq!(named, doc),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(err.to_string().contains(&doc.to_string()), "{err}");
    }

    #[test]
    fn corrupt_document_is_named_and_others_still_load() {
        let (_dir, mut store) = temp_store();
        let (bad, good) = (doc_id(1), doc_id(2));
        let mut bad_am = AutoCommit::new();
        let mut good_am = AutoCommit::new();
        for i in 0..3 {
            store.append(&bad, &edit(&mut bad_am, i)).unwrap();
            store.append(&good, &edit(&mut good_am, i)).unwrap();
        }
        damage_incremental_chunks(&store, &bad, b"this is not automerge data");

        assert_corrupt_naming(store.load(&bad).unwrap_err(), &bad);
        let loaded = store.load(&good).unwrap().unwrap();
        assert_eq!(sorted_heads(&loaded), sorted_heads(good_am.document()));
        assert_eq!(store.list().unwrap(), [bad, good]);
    }

    #[test]
    fn garbage_incremental_chunk_after_a_valid_snapshot_is_corrupt_not_skipped() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        store.append(&doc, &edit(&mut am, 0)).unwrap();
        store.save_snapshot(&doc, am.document()).unwrap();
        store.append(&doc, &edit(&mut am, 1)).unwrap();
        damage_incremental_chunks(&store, &doc, &[0xff; 64]);
        assert_corrupt_naming(store.load(&doc).unwrap_err(), &doc);
    }

    #[test]
    fn truncated_or_bit_flipped_chunk_is_corrupt() {
        let mut am = AutoCommit::new();
        let _ = edit(&mut am, 0);
        let chunk = edit(&mut am, 1);
        let mut truncated = chunk.clone();
        truncated.truncate(chunk.len() - 3);
        let mut flipped = chunk.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x55;
        let mut trailing = chunk.clone();
        trailing.extend_from_slice(b"trailing garbage");
        for damaged in [truncated, flipped, trailing] {
            let (_dir, mut store) = temp_store();
            let doc = doc_id(1);
            let mut fresh = AutoCommit::new();
            store.append(&doc, &edit(&mut fresh, 0)).unwrap();
            store.append(&doc, &edit(&mut fresh, 1)).unwrap();
            let conn = rusqlite::Connection::open(store.path()).unwrap();
            conn.execute(
                "UPDATE chunks SET bytes = ?1 WHERE rowid = (SELECT max(rowid) FROM chunks)",
                [&damaged],
            )
            .unwrap();
            assert_corrupt_naming(store.load(&doc).unwrap_err(), &doc);
        }
    }

    #[test]
    fn corrupt_snapshot_is_corrupt() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        store.append(&doc, &edit(&mut am, 0)).unwrap();
        store.save_snapshot(&doc, am.document()).unwrap();
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        conn.execute("UPDATE chunks SET bytes = zeroblob(40)", [])
            .unwrap();
        let err = store.load(&doc).unwrap_err();
        assert!(err.to_string().contains("snapshot chunk"), "{err}");
        assert_corrupt_naming(err, &doc);
    }

    #[test]
    fn chunk_holding_a_non_blob_value_is_corrupt() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        store.append(&doc, &edit(&mut am, 0)).unwrap();
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        conn.execute("UPDATE chunks SET bytes = 42", []).unwrap();
        assert_corrupt_naming(store.load(&doc).unwrap_err(), &doc);
    }
}
