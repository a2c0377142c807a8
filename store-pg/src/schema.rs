//! The schema and its versioned migrations.
//!
//! The version lives in the one-row table `schema_version`. [`MIGRATIONS`]
//! is the ordered list of steps: step `i` takes the database from version
//! `i` to `i + 1` and runs in its own transaction, which also sets the
//! version, so a crash leaves the database at one version or the next.
//! Each transaction first takes an advisory lock, so two hub processes
//! starting at once on a fresh database do not both run a step. New steps
//! are only ever appended.
//!
//! Unlike SQLite there is no device/relay split: a PostgreSQL store is
//! always a hub's, with tokens and an audit log.

use deadpool_postgres::GenericClient;
use linli_store::StoreError;

use crate::error::pg;

/// The migrations, in order; version `n` is reached after `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[
    // 1: documents as chunks (`stored` keeps their order), key/values, the
    // change sequence, the relay's tokens and audit log (the audit row is
    // its own key and a token name is stored once, as in SQLite's v3).
    "
    CREATE TABLE chunks (
        doc_id bytea NOT NULL CHECK (length(doc_id) = 16),
        kind   text  NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
        hash   text  NOT NULL,
        bytes  bytea NOT NULL,
        stored bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (doc_id, kind, hash)
    );
    CREATE TABLE meta (
        key   text  NOT NULL PRIMARY KEY,
        value bytea NOT NULL
    );
    CREATE TABLE doc_meta (
        doc_id bytea NOT NULL CHECK (length(doc_id) = 16),
        key    text  NOT NULL,
        value  bytea NOT NULL,
        PRIMARY KEY (doc_id, key)
    );
    CREATE SEQUENCE doc_change_seq;
    CREATE TABLE doc_changes (
        doc_id bytea  NOT NULL PRIMARY KEY CHECK (length(doc_id) = 16),
        seq    bigint NOT NULL
    );
    CREATE INDEX doc_changes_by_seq ON doc_changes (seq);
    CREATE TABLE tokens (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name       text   NOT NULL UNIQUE,
        role       text   NOT NULL,
        scope      text   NOT NULL,
        hash       bytea  NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        revoked_at bigint
    );
    CREATE TABLE audit_names (
        id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text   NOT NULL UNIQUE
    );
    CREATE TABLE audit (
        doc_id      bytea  NOT NULL CHECK (length(doc_id) = 16),
        at          bigint NOT NULL,
        change_hash bytea  NOT NULL CHECK (length(change_hash) = 32),
        name_id     bigint NOT NULL REFERENCES audit_names (id),
        PRIMARY KEY (doc_id, at, change_hash)
    );
    CREATE INDEX audit_by_at ON audit (at);
    ",
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Key of the advisory lock migrations take (any fixed number; "linli").
const MIGRATION_LOCK: i64 = 0x006c_696e_6c69;

/// Brings the database up to [`SCHEMA_VERSION`], or refuses a newer one.
pub(crate) async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL);
             INSERT INTO schema_version (version)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
        )
        .await
        .map_err(pg)?;
        let current = version(&tx).await?;
        check_not_too_new(current)?;
        if current >= target {
            continue;
        }
        tx.batch_execute(sql).await.map_err(pg)?;
        tx.execute("UPDATE schema_version SET version = $1", &[&target])
            .await
            .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        tracing::info!(version = target, "PostgreSQL schema migrated");
    }
    Ok(())
}

/// The database's schema version (0 before the first migration).
pub(crate) async fn version(client: &impl GenericClient) -> Result<i64, StoreError> {
    let row = client
        .query_opt("SELECT max(version) FROM schema_version", &[])
        .await
        .map_err(pg)?;
    Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
}

fn check_not_too_new(found: i64) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        Err(StoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        })
    } else {
        Ok(())
    }
}
