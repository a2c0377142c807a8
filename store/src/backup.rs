//! Copying a live store, and checking a copy before trusting it.

use std::path::Path;

use linli_protocol::DocumentId;

use crate::keys::{hash_hex, id_from_blob};
use crate::{Store, StoreError};

impl Store {
    /// Writes a consistent copy of the whole database to `dest` (which
    /// must not exist) with `VACUUM INTO`: one read transaction, so writers
    /// on other connections carry on and the copy is one moment's state.
    pub fn vacuum_into(&self, dest: &Path) -> Result<(), StoreError> {
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::backend(format!("{} is not valid UTF-8", dest.display())))?;
        self.conn.execute("VACUUM INTO ?1", [dest])?;
        Ok(())
    }

    /// SQLite's own check of every page and index: `Ok(())` when it says
    /// "ok", else what it found.
    pub fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(Ok(()))
        } else {
            Ok(Err(lines.join("; ")))
        }
    }
}

impl Store {
    /// The chunks whose bytes no longer hash to the hash they are stored
    /// under (each chunk is keyed by its SHA-256): the document, the chunk's
    /// kind and its stored hash. Empty when every chunk is intact.
    pub fn damaged_chunks(&self) -> Result<Vec<(DocumentId, String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc_id, kind, hash, bytes FROM chunks ORDER BY doc_id")?;
        let mut rows = stmt.query([])?;
        let mut damaged = Vec::new();
        while let Some(row) = rows.next()? {
            let hash: String = row.get(2)?;
            let bytes: Vec<u8> = row.get(3)?;
            if hash_hex(&bytes) != hash {
                let doc = id_from_blob(&row.get::<_, Vec<u8>>(0)?)?;
                damaged.push((doc, row.get(1)?, hash));
            }
        }
        Ok(damaged)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::test_util::{doc_id, edit, temp_store};

    #[test]
    fn a_copy_holds_every_document_and_checks_out() {
        let (dir, mut store) = temp_store();
        let mut am = automerge::AutoCommit::new();
        store.append(&doc_id(1), &edit(&mut am, 1)).unwrap();
        let copy = dir.path().join("copy.sqlite");
        store.vacuum_into(&copy).unwrap();
        let copy = Store::open(&copy).unwrap();
        assert_eq!(copy.integrity_check().unwrap(), Ok(()));
        assert_eq!(copy.list().unwrap(), vec![doc_id(1)]);
        assert!(copy.load(&doc_id(1)).unwrap().is_some());
    }

    #[test]
    fn a_read_only_open_finds_a_chunk_whose_bytes_changed() {
        let (dir, mut store) = temp_store();
        let mut am = automerge::AutoCommit::new();
        store.append(&doc_id(1), &edit(&mut am, 1)).unwrap();
        store.append(&doc_id(2), &edit(&mut am, 2)).unwrap();
        store
            .conn
            .execute(
                "UPDATE chunks SET bytes = zeroblob(length(bytes)) WHERE doc_id = ?1",
                [doc_id(2).as_bytes().as_slice()],
            )
            .unwrap();
        let path = dir.path().join("store.sqlite");
        drop(store);
        let checked = Store::open_read_only(&path).unwrap();
        let damaged: Vec<_> = checked.damaged_chunks().unwrap();
        assert_eq!(damaged.len(), 1);
        assert_eq!(damaged[0].0, doc_id(2));
    }
}
