//! Key/values beside the documents: store-wide (`meta`, e.g. this peer's id
//! or the relay URL) and per document (`doc_meta`, e.g. the heads the relay
//! has confirmed). Values are opaque bytes; setting a key replaces its value.

use linli_protocol::DocumentId;
use rusqlite::{OptionalExtension, params};

use crate::keys::id_param;
use crate::{Store, StoreError};

impl Store {
    /// The store-wide value under `key`, if set.
    pub fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    /// Sets the store-wide value under `key`, durably.
    pub fn meta_set(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }

    /// `doc`'s value under `key`, if set.
    pub fn doc_meta_get(&self, doc: &DocumentId, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM doc_meta WHERE doc_id = ?1 AND key = ?2")?
            .query_row(params![id_param(doc), key], |row| row.get(0))
            .optional()?)
    }

    /// Sets `doc`'s value under `key`, durably. [`Store::delete`] removes a
    /// document's values with its chunks.
    pub fn doc_meta_set(
        &mut self,
        doc: &DocumentId,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO doc_meta (doc_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (doc_id, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![id_param(doc), key, value])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::*;

    #[test]
    fn meta_values_are_set_replaced_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let mut store = crate::Store::open(&path).unwrap();
        assert_eq!(store.meta_get("peer-id").unwrap(), None);
        store.meta_set("peer-id", b"peer-1").unwrap();
        store
            .meta_set("relay-url", b"wss://relay.example/sync")
            .unwrap();
        store.meta_set("peer-id", b"peer-2").unwrap();
        store.meta_set("empty", b"").unwrap();
        drop(store);

        let store = crate::Store::open(&path).unwrap();
        assert_eq!(store.meta_get("peer-id").unwrap(), Some(b"peer-2".to_vec()));
        assert_eq!(
            store.meta_get("relay-url").unwrap(),
            Some(b"wss://relay.example/sync".to_vec())
        );
        assert_eq!(store.meta_get("empty").unwrap(), Some(Vec::new()));
    }

    #[test]
    fn doc_meta_is_kept_per_document() {
        let (_dir, mut store) = temp_store();
        let (a, b) = (doc_id(1), doc_id(2));
        store.doc_meta_set(&a, "heads", b"ha").unwrap();
        store.doc_meta_set(&b, "heads", b"hb").unwrap();
        store.doc_meta_set(&a, "heads", b"ha2").unwrap();
        assert_eq!(
            store.doc_meta_get(&a, "heads").unwrap(),
            Some(b"ha2".to_vec())
        );
        assert_eq!(
            store.doc_meta_get(&b, "heads").unwrap(),
            Some(b"hb".to_vec())
        );
        assert_eq!(store.doc_meta_get(&a, "other").unwrap(), None);
        assert_eq!(store.doc_meta_get(&doc_id(3), "heads").unwrap(), None);
        // Per-document values do not make a document appear stored.
        assert!(store.list().unwrap().is_empty());
        // Nor do they collide with store-wide values.
        assert_eq!(store.meta_get("heads").unwrap(), None);
    }
}
