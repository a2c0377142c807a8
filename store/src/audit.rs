//! The relay's audit log: which token stored which change of which
//! document, and when.
//!
//! Kept compactly as runs of changes ([`runs`]); the answers are the same
//! as a row per change would give.

mod runs;

use std::collections::{BTreeMap, BTreeSet};

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
             WHERE a.doc_id = ?1 AND a.at >= ?2",
        )?;
        let rows = stmt.query_map(params![id_param(doc), since], |r| {
            Ok(AuditEntry {
                doc: *doc,
                change_hash: r.get(0)?,
                token_name: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        let mut entries: Vec<AuditEntry> = rows.collect::<Result<_, _>>()?;
        let in_runs = runs::changes_of(&self.conn, doc, since)?;
        if !in_runs.is_empty() {
            // The hashes are the document's: read them from it. A change it
            // does not hold (a damaged store) is named by actor and number.
            let hashes = match self.load(doc) {
                Ok(Some(am)) => runs::hashes_by_number(&am),
                _ => BTreeMap::new(),
            };
            for c in in_runs {
                let change_hash = hashes
                    .get(&(c.actor.clone(), c.seq))
                    .cloned()
                    .unwrap_or_else(|| format!("{}:{}", hex::encode(&c.actor), c.seq));
                entries.push(AuditEntry {
                    doc: *doc,
                    change_hash,
                    token_name: c.token_name,
                    at: c.at,
                });
            }
        }
        entries.sort_by(|a, b| (a.at, &a.change_hash).cmp(&(b.at, &b.change_hash)));
        Ok(entries)
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
            "SELECT n.name, max(x.at), sum(x.changes)
             FROM (SELECT name_id, at, 1 AS changes FROM audit
                   UNION ALL SELECT name_id, last_at, count FROM audit_runs) x
             JOIN audit_names n ON n.id = x.name_id
             GROUP BY x.name_id ORDER BY n.name",
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
            "SELECT x.doc_id, n.name, max(x.at) AS last
             FROM (SELECT doc_id, name_id, at FROM audit
                   UNION ALL SELECT doc_id, name_id, last_at FROM audit_runs) x
             JOIN audit_names n ON n.id = x.name_id
             WHERE x.at >= ?1 GROUP BY x.doc_id ORDER BY last DESC LIMIT ?2",
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

/// Writes `audit`'s entries for `doc`, whose changes are in `bytes`,
/// inside the caller's transaction: as runs where the change can be read
/// from `bytes`, else as a row with its hash.
pub(crate) fn insert_audit(
    tx: &rusqlite::Transaction<'_>,
    doc: &DocumentId,
    bytes: &[u8],
    audit: &Attribution,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT OR IGNORE INTO audit_names (name) VALUES (?1)")?
        .execute([&audit.token_name])?;
    let name_id: i64 = tx
        .prepare_cached("SELECT id FROM audit_names WHERE name = ?1")?
        .query_row([&audit.token_name], |r| r.get(0))?;
    let in_bytes = runs::changes_in(bytes);
    let mut by_actor: BTreeMap<&[u8], BTreeSet<u64>> = BTreeMap::new();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO audit (doc_id, at, change_hash, name_id)
         VALUES (?1, ?2, unhex(?3), ?4) ON CONFLICT DO NOTHING",
    )?;
    for hash in &audit.change_hashes {
        match in_bytes.get(hash) {
            Some((actor, seq)) => {
                by_actor.entry(actor).or_default().insert(*seq);
            }
            None => {
                stmt.execute(params![id_param(doc), audit.at, hash, name_id])?;
            }
        }
    }
    for (actor, seqs) in by_actor {
        runs::record(tx, doc, name_id, actor, &seqs, audit.at)?;
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

    #[test]
    fn a_devices_long_history_is_a_few_runs_and_lists_every_change_with_its_time() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let mut want = Vec::new();
        for i in 0..1_200_i64 {
            let bytes = edit(&mut am, i);
            let h = hashes(&mut am);
            let at = 1_000 + i * 37;
            store.append_audited(&doc, &bytes, &h, "楼长", at).unwrap();
            want.push((h[0].clone(), at));
        }
        let got: Vec<(String, i64)> = store
            .audit(&doc, 0)
            .unwrap()
            .into_iter()
            .map(|e| {
                assert_eq!(e.token_name, "楼长");
                (e.change_hash, e.at)
            })
            .collect();
        assert_eq!(got, want);
        assert_eq!(store.audit(&doc, 1_000 + 1_000 * 37).unwrap().len(), 200);
        let (runs, delta_bytes): (i64, i64) = store
            .conn
            .query_row(
                "SELECT count(*), sum(length(at_deltas)) FROM audit_runs",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(runs, 3, "1,200 changes in runs of at most 512");
        assert!(delta_bytes <= 1_200, "{delta_bytes} bytes of times");
        assert_eq!(store.audit_by_token().unwrap()[0].changes, 1_200);
    }

    #[test]
    fn rows_from_before_runs_are_listed_alongside_them() {
        let (_dir, mut store) = temp_store();
        let doc = doc_id(1);
        let mut am = AutoCommit::new();
        let bytes = edit(&mut am, 1);
        let h = hashes(&mut am);
        store.append_audited(&doc, &bytes, &h, "admin", 50).unwrap();
        // As schema v4 wrote it: a row per change, hash stored.
        store
            .conn
            .execute(
                "INSERT INTO audit (doc_id, at, change_hash, name_id)
                 SELECT ?1, 10, unhex(?2), id FROM audit_names WHERE name = 'admin'",
                rusqlite::params![[1_u8; 16], "ab".repeat(32)],
            )
            .unwrap();
        let listed: Vec<(String, i64)> = store
            .audit(&doc, 0)
            .unwrap()
            .into_iter()
            .map(|e| (e.change_hash, e.at))
            .collect();
        assert_eq!(listed, [("ab".repeat(32), 10), (h[0].clone(), 50)]);
        let by_token = store.audit_by_token().unwrap();
        assert_eq!((by_token[0].changes, by_token[0].last_change_at), (2, 50));
        assert_eq!(store.audit_recent_docs(0, 5).unwrap()[0].at, 50);
    }
}
