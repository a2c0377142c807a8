//! "What changed since" on PostgreSQL, and the notice other hub processes
//! get.
//!
//! Every transaction that adds or removes a chunk stamps its document in
//! `doc_changes` with the next number of the `doc_change_seq` sequence. A
//! sequence alone hands out numbers in the order transactions *ask*, not
//! the order they *commit*: a reader could see 6 committed, move its
//! cursor past it, and then miss 5 committing later. So the stamp is the
//! last statement of the transaction and takes a transaction-scoped
//! advisory lock first: stamps are taken and committed one at a time, and
//! every reader sees a gap-free prefix of the sequence. (The lock is held
//! only for the commit itself; PostgreSQL's NOTIFY serialises commits that
//! notify in the same way.)

use deadpool_postgres::{GenericClient, Transaction};
use linli_protocol::DocumentId;
use linli_store::{ChangeCursor, ChangedDocs, StoreError};

use crate::error::pg;
use crate::{CHUNKS_CHANNEL, PgStore};

/// Key of the advisory lock that orders stamps (any fixed number).
const STAMP_LOCK: i64 = 0x6c69_6e6c_6901;

/// Stamps `doc` as changed inside `tx`; with `notify`, also tells other
/// hub processes (delivered when, and only if, `tx` commits). The notice's
/// payload is the document id and the writing handle's instance name.
pub(crate) async fn stamp(
    store: &PgStore,
    tx: &Transaction<'_>,
    doc: &DocumentId,
    notify: bool,
) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&STAMP_LOCK])
        .await
        .map_err(pg)?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO doc_changes (doc_id, seq) VALUES ($1, nextval('doc_change_seq'))
             ON CONFLICT (doc_id) DO UPDATE SET seq = excluded.seq",
        )
        .await
        .map_err(pg)?;
    tx.execute(&insert, &[&doc.as_bytes().as_slice()])
        .await
        .map_err(pg)?;
    if notify {
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHUNKS_CHANNEL, &format!("{doc} {}", store.instance)],
        )
        .await
        .map_err(pg)?;
    }
    Ok(())
}

impl PgStore {
    /// See [`linli_store::LocalDocumentStore::changed_since`].
    pub(crate) async fn changed(&self, since: ChangeCursor) -> Result<ChangedDocs, StoreError> {
        let client = self.client().await?;
        let floor = i64::try_from(since.to_u64()).unwrap_or(i64::MAX);
        let stmt = client
            .prepare_cached("SELECT doc_id, seq FROM doc_changes WHERE seq > $1 ORDER BY seq")
            .await
            .map_err(pg)?;
        let rows = client.query(&stmt, &[&floor]).await.map_err(pg)?;
        let mut changed = ChangedDocs {
            docs: Vec::with_capacity(rows.len()),
            cursor: since,
        };
        for row in rows {
            changed.docs.push(doc_id(row.get(0))?);
            let seq = u64::try_from(row.get::<_, i64>(1)).unwrap_or(0);
            changed.cursor = changed.cursor.max(ChangeCursor::from_u64(seq));
        }
        Ok(changed)
    }
}

/// A document id read back from a `doc_id` column.
pub(crate) fn doc_id(bytes: &[u8]) -> Result<DocumentId, StoreError> {
    <[u8; 16]>::try_from(bytes)
        .map(DocumentId::from_bytes)
        .map_err(|_| StoreError::backend(format!("a stored doc_id has {} bytes", bytes.len())))
}
