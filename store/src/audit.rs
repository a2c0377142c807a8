//! The relay's audit log: which token stored which change of which
//! document, and when.

use linli_protocol::DocumentId;
use rusqlite::params;

use crate::keys::{id_from_blob, id_param};
use crate::{Attribution, Store, StoreError};

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
        let attribution = Attribution {
            change_hashes: change_hashes.to_vec(),
            token_name: token_name.to_owned(),
            at,
        };
        self.append_chunk(doc, incremental, Some(&attribution))
    }

    /// The audit entries of `doc` at or after `since`, oldest first.
    pub fn audit(&self, doc: &DocumentId, since: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lower(hex(a.change_hash)), n.name, a.at
             FROM audit a JOIN audit_names n ON n.id = a.name_id
             WHERE a.doc_id = ?1 AND a.at >= ?2 ORDER BY a.at, a.change_hash",
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

/// When a token (by name) last had a change stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenActivity {
    pub token_name: String,
    /// Milliseconds since the epoch of its latest stored change.
    pub last_change_at: i64,
    /// How many changes it has had stored, in all.
    pub changes: u64,
}

/// A document's latest stored change and whose it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocActivity {
    pub doc: DocumentId,
    pub token_name: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

impl Store {
    /// Each token name's latest stored change, for the office's view of
    /// which devices still sync. One pass over the audit log.
    pub fn audit_by_token(&self) -> Result<Vec<TokenActivity>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.name, max(a.at), count(*)
             FROM audit a JOIN audit_names n ON n.id = a.name_id
             GROUP BY a.name_id ORDER BY n.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenActivity {
                token_name: r.get(0)?,
                last_change_at: r.get(1)?,
                changes: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The documents with a change stored at or after `since`, each with its
    /// latest change (and whose it was), newest first, at most `limit`.
    pub fn audit_recent_docs(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<DocActivity>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.doc_id, n.name, max(a.at) AS last
             FROM audit a JOIN audit_names n ON n.id = a.name_id
             WHERE a.at >= ?1 GROUP BY a.doc_id ORDER BY last DESC LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![since, limit], |r| {
            Ok(DocActivity {
                doc: id_from_blob(&r.get::<_, Vec<u8>>(0)?)?,
                token_name: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Writes `audit`'s rows for `doc` inside the caller's transaction.
pub(crate) fn insert_audit(
    tx: &rusqlite::Transaction<'_>,
    doc: &DocumentId,
    audit: &Attribution,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT OR IGNORE INTO audit_names (name) VALUES (?1)")?
        .execute([&audit.token_name])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO audit (doc_id, at, change_hash, name_id)
         SELECT ?1, ?2, unhex(?3), id FROM audit_names WHERE name = ?4
         ON CONFLICT DO NOTHING",
    )?;
    for hash in &audit.change_hashes {
        stmt.execute(params![id_param(doc), audit.at, hash, audit.token_name])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use crate::test_util::{doc_id, edit, temp_store};

    fn hashes(am: &mut AutoCommit) -> Vec<String> {
        am.get_heads().iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn every_stored_change_is_listed_with_its_token_name_oldest_first() {
        let (_dir, mut store) = temp_store();
        let (doc, other) = (doc_id(1), doc_id(2));
        let mut am = AutoCommit::new();
        let first = edit(&mut am, 1);
        let first_hashes = hashes(&mut am);
        store
            .append_audited(&doc, &first, &first_hashes, "楼长-3号楼", 1_000)
            .unwrap();
        let second = edit(&mut am, 2);
        let second_hashes = hashes(&mut am);
        store
            .append_audited(&doc, &second, &second_hashes, "grid-worker", 2_000)
            .unwrap();
        store
            .append_audited(&other, &second, &second_hashes, "grid-worker", 2_000)
            .unwrap();

        let entries = store.audit(&doc, 0).unwrap();
        let seen: Vec<(&str, &str, i64)> = entries
            .iter()
            .map(|e| (e.change_hash.as_str(), e.token_name.as_str(), e.at))
            .collect();
        assert_eq!(
            seen,
            [
                (first_hashes[0].as_str(), "楼长-3号楼", 1_000),
                (second_hashes[0].as_str(), "grid-worker", 2_000),
            ]
        );
        assert!(entries.iter().all(|e| e.doc == doc));
        assert_eq!(store.audit(&doc, 1_500).unwrap().len(), 1);
        assert_eq!(store.audit(&doc_id(3), 0).unwrap(), []);

        let by_token: Vec<(String, i64, u64)> = store
            .audit_by_token()
            .unwrap()
            .into_iter()
            .map(|t| (t.token_name, t.last_change_at, t.changes))
            .collect();
        assert_eq!(
            by_token,
            [
                ("grid-worker".to_owned(), 2_000, 2),
                ("楼长-3号楼".to_owned(), 1_000, 1)
            ]
        );
        let recent = store.audit_recent_docs(1_500, 10).unwrap();
        assert_eq!(recent.len(), 2);
        assert!(
            recent
                .iter()
                .all(|d| d.token_name == "grid-worker" && d.at == 2_000)
        );
        assert_eq!(store.audit_recent_docs(2_001, 10).unwrap(), []);
        assert_eq!(store.audit_recent_docs(0, 1).unwrap().len(), 1);
    }

    #[test]
    fn a_change_that_cannot_be_attributed_is_not_stored() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let bytes = edit(&mut am, 1);
        let bad = vec!["not a change hash".to_string()];
        assert!(
            store
                .append_audited(&doc, &bytes, &bad, "admin", 5)
                .is_err()
        );
        assert_eq!(store.audit(&doc, 0).unwrap(), []);
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn a_change_stored_again_is_listed_once() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let bytes = edit(&mut am, 1);
        let h = hashes(&mut am);
        store.append_audited(&doc, &bytes, &h, "admin", 5).unwrap();
        store.append_audited(&doc, &bytes, &h, "admin", 5).unwrap();
        assert_eq!(store.audit(&doc, 0).unwrap().len(), 1);
    }
}
