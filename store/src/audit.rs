//! The relay's audit log: which token stored which change of which
//! document, and when.

use linli_protocol::DocumentId;
use rusqlite::params;

use crate::chunks::id_param;
use crate::{Store, StoreError};

/// One stored change, attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub doc: DocumentId,
    /// Hex change hash.
    pub change_hash: String,
    pub token_name: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

impl Store {
    /// Appends `incremental` (see [`Store::append`]) and its audit entries in
    /// one transaction: a change is never stored without its attribution.
    pub fn append_audited(
        &mut self,
        doc: &DocumentId,
        incremental: &[u8],
        change_hashes: &[String],
        token_name: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        crate::chunks::insert_incremental(&tx, doc, incremental)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO audit (doc_id, change_hash, token_name, at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for hash in change_hashes {
                stmt.execute(params![id_param(doc), hash, token_name, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The audit entries of `doc` at or after `since`, oldest first.
    pub fn audit(&self, doc: &DocumentId, since: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT change_hash, token_name, at FROM audit
             WHERE doc_id = ?1 AND at >= ?2 ORDER BY at, id",
        )?;
        let rows = stmt.query_map(params![id_param(doc), since], |r| {
            Ok(AuditEntry {
                doc: *doc,
                change_hash: r.get(0)?,
                token_name: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
