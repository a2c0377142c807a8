//! [`DocumentStore`] on PostgreSQL: chunks, snapshots, key/values.

use std::future::Future;

use linli_protocol::DocumentId;
use linli_store::{
    Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, ChunkKind, DocumentStore, StoreError,
};

use crate::PgStore;
use crate::changes::{doc_id, stamp};
use crate::error::pg;

impl PgStore {
    async fn load_chunks(&self, doc: DocumentId) -> Result<Vec<Chunk>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT kind, hash, bytes FROM chunks WHERE doc_id = $1
                 ORDER BY kind = 'incremental', stored",
            )
            .await
            .map_err(pg)?;
        let rows = client
            .query(&stmt, &[&doc.as_bytes().as_slice()])
            .await
            .map_err(pg)?;
        Ok(rows
            .into_iter()
            .map(|row| Chunk {
                kind: if row.get::<_, &str>(0) == "snapshot" {
                    ChunkKind::Snapshot
                } else {
                    ChunkKind::Incremental
                },
                hash: ChunkHash::from_hex(row.get(1)),
                bytes: row.get(2),
            })
            .collect())
    }

    async fn append_chunk(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> Result<(), StoreError> {
        if bytes.is_empty() && audit.is_none() {
            return Ok(());
        }
        // Checked before anything is written: an unattributable change is
        // refused whole.
        let audit = audit.map(|a| audit_rows(&a).map(|hashes| (a, hashes)));
        let audit = audit.transpose()?;
        let id = doc.as_bytes().as_slice();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let mut inserted = 0;
        if !bytes.is_empty() {
            let insert = tx
                .prepare_cached(
                    "INSERT INTO chunks (doc_id, kind, hash, bytes)
                     VALUES ($1, 'incremental', $2, $3) ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(pg)?;
            let hash = ChunkHash::of(&bytes);
            inserted = tx
                .execute(&insert, &[&id, &hash.as_hex(), &bytes])
                .await
                .map_err(pg)?;
        }
        if let Some((audit, hashes)) = audit {
            tx.execute(
                "INSERT INTO audit_names (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                &[&audit.token_name],
            )
            .await
            .map_err(pg)?;
            let rows = tx
                .prepare_cached(
                    "INSERT INTO audit (doc_id, at, change_hash, name_id)
                     SELECT $1, $2, h, n.id FROM unnest($3::bytea[]) AS h, audit_names n
                     WHERE n.name = $4
                     ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(pg)?;
            tx.execute(&rows, &[&id, &audit.at, &hashes, &audit.token_name])
                .await
                .map_err(pg)?;
        }
        if inserted > 0 {
            stamp(self, &tx, &doc, true).await?;
        }
        tx.commit().await.map_err(pg)?;
        tracing::trace!(%doc, bytes = bytes.len(), inserted, "chunk appended");
        Ok(())
    }

    async fn snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> Result<(), StoreError> {
        let id = doc.as_bytes().as_slice();
        let hash = ChunkHash::of(&snapshot);
        let replaced: Vec<&str> = replaces
            .iter()
            .filter(|h| **h != hash)
            .map(ChunkHash::as_hex)
            .collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let deleted = tx
            .execute(
                "DELETE FROM chunks WHERE doc_id = $1 AND hash = ANY($2)",
                &[&id, &replaced],
            )
            .await
            .map_err(pg)?;
        let inserted = tx
            .execute(
                "INSERT INTO chunks (doc_id, kind, hash, bytes)
                 VALUES ($1, 'snapshot', $2, $3) ON CONFLICT DO NOTHING",
                &[&id, &hash.as_hex(), &snapshot],
            )
            .await
            .map_err(pg)?;
        if deleted + inserted > 0 {
            // A snapshot holds no change another process lacks: no notice.
            stamp(self, &tx, &doc, false).await?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(())
    }

    async fn documents(&self) -> Result<Vec<DocumentId>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT DISTINCT doc_id FROM chunks ORDER BY doc_id", &[])
            .await
            .map_err(pg)?;
        rows.iter().map(|r| doc_id(r.get(0))).collect()
    }

    /// The store-wide value under `key`, if set.
    pub async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])
            .await
            .map_err(pg)?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Sets the store-wide value under `key`, and tells every hub process
    /// (on [`ADMIN_CHANNEL`](crate::ADMIN_CHANNEL)) so settings such as the
    /// directory apply everywhere.
    pub async fn set_meta(&self, key: &str, value: Vec<u8>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await
        .map_err(pg)?;
        crate::relay::notify_admin(&tx, "meta").await?;
        tx.commit().await.map_err(pg)?;
        Ok(())
    }

    async fn get_doc_meta(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT value FROM doc_meta WHERE doc_id = $1 AND key = $2",
                &[&doc.as_bytes().as_slice(), &key],
            )
            .await
            .map_err(pg)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn set_doc_meta(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO doc_meta (doc_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (doc_id, key) DO UPDATE SET value = excluded.value",
                &[&doc.as_bytes().as_slice(), &key, &value],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }
}

/// An attribution's change hashes as the 32 raw bytes each is stored as;
/// a hash that is not 64 hex digits is refused.
fn audit_rows(audit: &Attribution) -> Result<Vec<Vec<u8>>, StoreError> {
    audit
        .change_hashes
        .iter()
        .map(|h| match hex::decode(h) {
            Ok(bytes) if bytes.len() == 32 => Ok(bytes),
            _ => Err(StoreError::backend(format!(
                "{h:?} is not a change hash: the change is not stored unattributed"
            ))),
        })
        .collect()
}

impl DocumentStore for PgStore {
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send {
        self.load_chunks(doc)
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.append_chunk(doc, bytes, audit)
    }

    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.snapshot(doc, snapshot, replaces)
    }

    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send {
        self.documents()
    }

    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> + Send {
        self.changed(since)
    }

    fn meta_get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.get_meta(key)
    }

    fn meta_set(
        &self,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.set_meta(key, value)
    }

    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.get_doc_meta(doc, key)
    }

    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.set_doc_meta(doc, key, value)
    }
}
