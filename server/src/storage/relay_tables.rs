//! The relay's own tables, on either backend: tokens, the audit log's
//! queries, the readiness probe, and loading a whole document.

use linli_protocol::DocumentId;
use linli_store::{AuditEntry, DocActivity, DocumentStore, StoreError, TokenActivity, TokenRecord};

use super::{Backend, Storage, StorageError};

impl Storage {
    /// Runs `sqlite` on the SQLite store, or `postgres` on PostgreSQL.
    async fn either<R, F, P>(&self, sqlite: F, postgres: P) -> Result<R, StorageError>
    where
        F: FnOnce(&mut linli_store::Store) -> Result<R, StoreError> + Send + 'static,
        P: AsyncFnOnce(&linli_store_pg::PgStore) -> Result<R, StoreError>,
        R: Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(..) => self.run(sqlite).await,
            Backend::Postgres(pg) => postgres(pg).await.map_err(StorageError::Store),
        }
    }

    /// Every token, oldest first, revoked ones included.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StorageError> {
        self.either(|s| s.tokens(), async |pg| pg.tokens().await)
            .await
    }

    /// The token with this hash, if any (revoked or not).
    pub async fn token_by_hash(&self, hash: &[u8]) -> Result<Option<TokenRecord>, StorageError> {
        let lookup = hash.to_vec();
        self.either(
            move |s| s.token_by_hash(&lookup),
            async |pg| pg.token_by_hash(hash).await,
        )
        .await
    }

    /// Stores a new token ([`StoreError::TokenNameTaken`] if the name is
    /// in use).
    pub async fn token_insert(&self, token: TokenRecord) -> Result<(), StorageError> {
        let record = token.clone();
        self.either(
            move |s| s.token_insert(&record),
            async |pg| pg.token_insert(&token).await,
        )
        .await
    }

    /// Revokes the named live token as of `at`; false if there is none.
    pub async fn token_revoke(&self, name: &str, at: i64) -> Result<bool, StorageError> {
        let n = name.to_owned();
        self.either(
            move |s| s.token_revoke(&n, at),
            async |pg| pg.token_revoke(name, at).await,
        )
        .await
    }

    /// Sets the scope of the named live token; false if there is none.
    pub async fn token_set_scope(&self, name: &str, scope: &str) -> Result<bool, StorageError> {
        let (n, sc) = (name.to_owned(), scope.to_owned());
        self.either(
            move |s| s.token_set_scope(&n, &sc),
            async |pg| pg.token_set_scope(name, scope).await,
        )
        .await
    }

    /// The audit entries of `doc` at or after `since`, oldest first.
    pub async fn audit(
        &self,
        doc: DocumentId,
        since: i64,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        self.either(
            move |s| s.audit(&doc, since),
            async |pg| pg.audit(&doc, since).await,
        )
        .await
    }

    /// Each token name's latest stored change.
    pub async fn audit_by_token(&self) -> Result<Vec<TokenActivity>, StorageError> {
        self.either(|s| s.audit_by_token(), async |pg| pg.audit_by_token().await)
            .await
    }

    /// The documents changed at or after `since`, newest first, at most
    /// `limit`.
    pub async fn audit_recent_docs(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<DocActivity>, StorageError> {
        self.either(
            move |s| s.audit_recent_docs(since, limit),
            async |pg| pg.audit_recent_docs(since, limit).await,
        )
        .await
    }

    /// Whether a write could be committed now (the readiness probe).
    pub async fn check_writable(&self) -> Result<(), StorageError> {
        self.either(|s| s.check_writable(), async |pg| pg.check_writable().await)
            .await
    }

    /// The chunks of each of `docs`, in order.
    pub async fn load_all(
        &self,
        docs: Vec<DocumentId>,
    ) -> Result<Vec<Vec<linli_store::Chunk>>, StorageError> {
        let mut all = Vec::with_capacity(docs.len());
        for doc in docs {
            all.push(DocumentStore::load(self, doc).await?);
        }
        Ok(all)
    }

    /// `doc` rebuilt from its chunks, or `None` when nothing of it is
    /// stored.
    pub async fn load_document(
        &self,
        doc: DocumentId,
    ) -> Result<Option<automerge::Automerge>, StorageError> {
        let chunks = DocumentStore::load(self, doc).await?;
        tokio::task::spawn_blocking(move || linli_store::rebuild(&doc, &chunks))
            .await
            .map_err(|e| StorageError::Task(e.to_string()))?
            .map_err(StorageError::Store)
    }

    /// The street's directory document, as stored by `directory set`.
    pub async fn directory(&self) -> Result<Option<DocumentId>, StorageError> {
        let stored = DocumentStore::meta_get(self, crate::admin::DIRECTORY_KEY).await?;
        Ok(crate::admin::parse_directory(stored))
    }

    /// Stores `id` as the street's directory document.
    pub async fn set_directory(&self, id: DocumentId) -> Result<(), StorageError> {
        DocumentStore::meta_set(
            self,
            crate::admin::DIRECTORY_KEY,
            id.to_string().into_bytes(),
        )
        .await?;
        Ok(())
    }
}

/// What the office's devices page reads: every token, each token's latest
/// change, and the recently changed documents.
pub type OfficeActivity = (Vec<TokenRecord>, Vec<TokenActivity>, Vec<DocActivity>);

impl Storage {
    /// The tokens and the audit log's activity since `since` (at most
    /// `limit` recent documents), for the office.
    pub async fn office_activity(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<OfficeActivity, StorageError> {
        Ok((
            self.tokens().await?,
            self.audit_by_token().await?,
            self.audit_recent_docs(since, limit).await?,
        ))
    }
}
