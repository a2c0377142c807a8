//! Group commit: many documents' appends in one transaction, so a busy
//! relay pays one fsync for all the changes that arrived together instead
//! of one each.

use linli_protocol::DocumentId;
use rusqlite::TransactionBehavior;

use crate::chunks::insert_incremental;
use crate::{Attribution, Store, StoreError};

/// One append of a batch: what [`Store::append_chunk`] takes, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    pub doc: DocumentId,
    /// Incremental bytes (changes), stored as one chunk of `doc`.
    pub bytes: Vec<u8>,
    /// Its audit row, on the relay.
    pub audit: Option<Attribution>,
}

impl Store {
    /// Stores every append of `batch` in one transaction with one commit:
    /// all of them are durable when this returns `Ok`, none of them when
    /// it fails. Each append means exactly what [`Store::append_chunk`]
    /// does; a caller that must tell which append failed retries them one
    /// by one.
    pub fn append_batch(&mut self, batch: &[Append]) -> Result<(), StoreError> {
        let batch: Vec<&Append> = batch
            .iter()
            .filter(|a| !a.bytes.is_empty() || a.audit.is_some())
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for append in batch {
            insert_incremental(&tx, &append.doc, &append.bytes)?;
            if let Some(audit) = &append.audit {
                crate::audit::insert_audit(&tx, &append.doc, &append.bytes, audit)?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;

    #[test]
    fn a_batch_stores_every_documents_changes_with_their_audit_rows() {
        let (_dir, mut store) = temp_store();
        let mut batch = Vec::new();
        let mut docs = Vec::new();
        for i in 0..5 {
            let doc = doc_id(i);
            let mut am = automerge::AutoCommit::new();
            let bytes = edit(&mut am, i64::from(i));
            let hashes = am.get_heads().iter().map(|h| h.to_string()).collect();
            batch.push(Append {
                doc,
                bytes,
                audit: Some(Attribution {
                    change_hashes: hashes,
                    token_name: format!("device-{i}"),
                    at: 10,
                }),
            });
            docs.push((doc, am));
        }
        store.append_batch(&batch).unwrap();
        for (doc, am) in &mut docs {
            let loaded = store.load(doc).unwrap().unwrap();
            assert_eq!(sorted_heads(&loaded), sorted_heads(am.document()));
            assert_eq!(store.audit(doc, 0).unwrap().len(), 1);
        }
    }

    #[test]
    fn one_bad_append_stores_nothing_of_the_batch() {
        let (_dir, mut store) = temp_store();
        let mut am = automerge::AutoCommit::new();
        let good = Append {
            doc: doc_id(1),
            bytes: edit(&mut am, 1),
            audit: None,
        };
        let bad = Append {
            doc: doc_id(2),
            bytes: edit(&mut am, 2),
            audit: Some(Attribution {
                change_hashes: vec!["not a change hash".into()],
                token_name: "admin".into(),
                at: 1,
            }),
        };
        assert!(store.append_batch(&[good, bad]).is_err());
        assert!(store.list().unwrap().is_empty());
    }
}
