//! The relay's own tables on PostgreSQL: access tokens (hashes only), the
//! audit log's queries, and the readiness probe. Every token change
//! notifies [`ADMIN_CHANNEL`](crate::ADMIN_CHANNEL) in its transaction, so
//! each hub process drops a revoked token's connections at once.

use deadpool_postgres::Transaction;
use linli_protocol::DocumentId;
use linli_store::{AuditEntry, DocActivity, StoreError, TokenActivity, TokenRecord};
use tokio_postgres::error::SqlState;

use crate::changes::doc_id;
use crate::error::pg;
use crate::{ADMIN_CHANNEL, PgStore};

const TOKEN_COLUMNS: &str = "name, role, scope, hash, created_at, revoked_at";

fn token_from_row(row: &tokio_postgres::Row) -> TokenRecord {
    TokenRecord {
        name: row.get(0),
        role: row.get(1),
        scope: row.get(2),
        hash: row.get(3),
        created_at: row.get(4),
        revoked_at: row.get(5),
    }
}

/// Tells every hub process that `what` changed, when `tx` commits.
pub(crate) async fn notify_admin(tx: &Transaction<'_>, what: &str) -> Result<(), StoreError> {
    tx.execute("SELECT pg_notify($1, $2)", &[&ADMIN_CHANNEL, &what])
        .await
        .map_err(pg)?;
    Ok(())
}

impl PgStore {
    /// Stores a new token; [`StoreError::TokenNameTaken`] if the name is in
    /// use (revoked tokens keep their names).
    pub async fn token_insert(&self, token: &TokenRecord) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let inserted = tx
            .execute(
                "INSERT INTO tokens (name, role, scope, hash, created_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &token.name,
                    &token.role,
                    &token.scope,
                    &token.hash,
                    &token.created_at,
                    &token.revoked_at,
                ],
            )
            .await;
        match inserted {
            Err(e)
                if e.code() == Some(&SqlState::UNIQUE_VIOLATION)
                    && e.as_db_error()
                        .and_then(|d| d.constraint())
                        .is_some_and(|c| c.contains("name")) =>
            {
                return Err(StoreError::TokenNameTaken(token.name.clone()));
            }
            other => other.map_err(pg)?,
        };
        notify_admin(&tx, "tokens").await?;
        tx.commit().await.map_err(pg)
    }

    /// Every token, oldest first, revoked ones included.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY id"),
                &[],
            )
            .await
            .map_err(pg)?;
        Ok(rows.iter().map(token_from_row).collect())
    }

    /// The token with this hash, if any (revoked or not).
    pub async fn token_by_hash(&self, hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = $1"
            ))
            .await
            .map_err(pg)?;
        let row = client.query_opt(&stmt, &[&hash]).await.map_err(pg)?;
        Ok(row.as_ref().map(token_from_row))
    }

    /// Marks the named token revoked at `at`; false if no live token has
    /// that name.
    pub async fn token_revoke(&self, name: &str, at: i64) -> Result<bool, StoreError> {
        self.token_update(
            "UPDATE tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
            name,
            &at,
        )
        .await
    }

    /// Changes the scope of the named live token; false if none.
    pub async fn token_set_scope(&self, name: &str, scope: &str) -> Result<bool, StoreError> {
        self.token_update(
            "UPDATE tokens SET scope = $2 WHERE name = $1 AND revoked_at IS NULL",
            name,
            &scope,
        )
        .await
    }

    async fn token_update(
        &self,
        sql: &str,
        name: &str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        let n = tx.execute(sql, &[&name, value]).await.map_err(pg)?;
        if n > 0 {
            notify_admin(&tx, "tokens").await?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(n > 0)
    }

    /// The audit entries of `doc` at or after `since`, oldest first.
    pub async fn audit(&self, doc: &DocumentId, since: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT encode(a.change_hash, 'hex'), n.name, a.at
                 FROM audit a JOIN audit_names n ON n.id = a.name_id
                 WHERE a.doc_id = $1 AND a.at >= $2 ORDER BY a.at, a.change_hash",
                &[&doc.as_bytes().as_slice(), &since],
            )
            .await
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                doc: *doc,
                change_hash: r.get(0),
                token_name: r.get(1),
                at: r.get(2),
            })
            .collect())
    }

    /// Each token name's latest stored change and how many it has had.
    pub async fn audit_by_token(&self) -> Result<Vec<TokenActivity>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT n.name, max(a.at), count(*)
                 FROM audit a JOIN audit_names n ON n.id = a.name_id
                 GROUP BY n.name ORDER BY n.name",
                &[],
            )
            .await
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|r| TokenActivity {
                token_name: r.get(0),
                last_change_at: r.get(1),
                changes: u64::try_from(r.get::<_, i64>(2)).unwrap_or(0),
            })
            .collect())
    }

    /// The documents with a change stored at or after `since`, each with
    /// its latest change (and whose it was), newest first, at most `limit`.
    pub async fn audit_recent_docs(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<DocActivity>, StoreError> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "SELECT doc_id, name, at FROM (
                     SELECT DISTINCT ON (a.doc_id) a.doc_id, n.name, a.at
                     FROM audit a JOIN audit_names n ON n.id = a.name_id
                     WHERE a.at >= $1 ORDER BY a.doc_id, a.at DESC
                 ) latest ORDER BY at DESC LIMIT $2",
                &[&since, &limit],
            )
            .await
            .map_err(pg)?;
        rows.iter()
            .map(|r| {
                Ok(DocActivity {
                    doc: doc_id(r.get(0))?,
                    token_name: r.get(1),
                    at: r.get(2),
                })
            })
            .collect()
    }

    /// Whether a write can be committed now: a connection, a transaction
    /// and a row written, then rolled back (the readiness probe).
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('linli.writable-probe', '')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[],
        )
        .await
        .map_err(pg)?;
        tx.rollback().await.map_err(pg)
    }
}
