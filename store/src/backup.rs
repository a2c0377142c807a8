//! Copying a live store, and checking a copy before trusting it.

use std::path::Path;

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
}
