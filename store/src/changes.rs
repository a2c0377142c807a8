//! "What changed since": which documents another writer (or this one)
//! changed, so a device with thousands of documents reloads only those.
//!
//! Every chunk insert or delete stamps its document in `doc_changes` with
//! the next number of one store-wide sequence (SQL triggers, see the
//! schema). A reader keeps the highest number it has seen as its
//! [`ChangeCursor`] and asks for the documents stamped after it.

use linli_protocol::DocumentId;

use crate::keys::id_from_blob;
use crate::{ChangeCursor, ChangedDocs, Store, StoreError};

impl Store {
    /// The documents whose chunks changed after `since`, oldest change
    /// first, and the cursor to ask from next time (see
    /// [`LocalDocumentStore::changed_since`](crate::LocalDocumentStore::changed_since)).
    pub fn changed_since(&self, since: ChangeCursor) -> Result<ChangedDocs, StoreError> {
        let floor = i64::try_from(since.to_u64()).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id, seq FROM doc_changes WHERE seq > ?1 ORDER BY seq")?;
        let rows = stmt.query_map([floor], |row| {
            Ok((
                id_from_blob(row.get_ref(0)?.as_blob()?)?,
                row.get::<_, i64>(1)?,
            ))
        })?;
        let mut changed = ChangedDocs {
            docs: Vec::new(),
            cursor: since,
        };
        for row in rows {
            let (doc, seq): (DocumentId, i64) = row?;
            changed.docs.push(doc);
            let seq = ChangeCursor::from_u64(u64::try_from(seq).unwrap_or(0));
            changed.cursor = changed.cursor.max(seq);
        }
        Ok(changed)
    }

    /// A number that changes whenever *another* connection (say, the admin
    /// CLI) commits to this database; cheap enough to poll. SQLite only:
    /// [`Store::changed_since`] also says which documents changed.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;

    #[test]
    fn another_connections_append_names_only_that_document() {
        let (dir, mut store) = temp_store();
        let (a, b) = (doc_id(1), doc_id(2));
        let mut am_a = automerge::AutoCommit::new();
        let mut am_b = automerge::AutoCommit::new();
        store.append(&a, &edit(&mut am_a, 1)).unwrap();
        store.append(&b, &edit(&mut am_b, 1)).unwrap();
        let first = store.changed_since(ChangeCursor::START).unwrap();
        assert_eq!(first.docs, [a, b]);

        let mut other = Store::open(&dir.path().join("store.sqlite")).unwrap();
        other.append(&b, &edit(&mut am_b, 2)).unwrap();
        let next = store.changed_since(first.cursor).unwrap();
        assert_eq!(next.docs, [b]);
        assert!(next.cursor > first.cursor);
        assert_eq!(store.changed_since(next.cursor).unwrap().docs, []);
    }
}
