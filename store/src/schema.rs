//! The database schema and its migrations.
//!
//! The schema version lives in `PRAGMA user_version`. [`MIGRATIONS`] is the
//! ordered list of steps: step `i` takes the database from version `i` to
//! `i + 1`, runs in its own transaction and sets `user_version` in that same
//! transaction, so a crash leaves the database at one version or the next.
//! New steps are only ever appended.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// The migrations, in order; version `n` is reached after `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[
    // 1: chunks of automerge data, store-wide and per-document key/values.
    "
    CREATE TABLE chunks (
        doc_id BLOB NOT NULL CHECK (length(doc_id) = 16),
        kind   TEXT NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
        hash   TEXT NOT NULL,
        bytes  BLOB NOT NULL,
        PRIMARY KEY (doc_id, kind, hash)
    );
    CREATE TABLE meta (
        key   TEXT NOT NULL PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE doc_meta (
        doc_id BLOB NOT NULL CHECK (length(doc_id) = 16),
        key    TEXT NOT NULL,
        value  BLOB NOT NULL,
        PRIMARY KEY (doc_id, key)
    );
    ",
    // 2: the relay's access tokens (hashes only) and its audit log.
    "
    CREATE TABLE tokens (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL,
        scope      TEXT NOT NULL,
        hash       BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE audit (
        id          INTEGER PRIMARY KEY,
        doc_id      BLOB NOT NULL CHECK (length(doc_id) = 16),
        change_hash TEXT NOT NULL,
        token_name  TEXT NOT NULL,
        at          INTEGER NOT NULL
    );
    CREATE INDEX audit_by_doc ON audit (doc_id, at);
    ",
    // 3: a smaller audit log: one row per stored change is most of a busy
    // relay's disk, so the row is its own index (no rowid, no second
    // index), the hash is 32 bytes instead of 64 hex characters, and token
    // names are stored once.
    "
    CREATE TABLE audit_names (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE audit_v3 (
        doc_id      BLOB NOT NULL CHECK (length(doc_id) = 16),
        at          INTEGER NOT NULL,
        change_hash BLOB NOT NULL CHECK (length(change_hash) = 32),
        name_id     INTEGER NOT NULL REFERENCES audit_names (id),
        PRIMARY KEY (doc_id, at, change_hash)
    ) WITHOUT ROWID;
    INSERT INTO audit_names (name) SELECT DISTINCT token_name FROM audit;
    INSERT INTO audit_v3 (doc_id, at, change_hash, name_id)
        SELECT a.doc_id, a.at, unhex(a.change_hash), n.id
        FROM audit a JOIN audit_names n ON n.name = a.token_name
        WHERE true ON CONFLICT DO NOTHING;
    DROP TABLE audit;
    ALTER TABLE audit_v3 RENAME TO audit;
    ",
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`], or refuses one that is newer.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    check_not_too_new(user_version(conn)?)?;
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        // IMMEDIATE takes the write lock before re-reading the version, so two
        // processes opening a fresh file at once cannot both run a step.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        check_not_too_new(current)?;
        if current >= target {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
        tracing::info!(version = target, "store schema migrated");
    }
    Ok(())
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn user_version_of(path: &std::path::Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        user_version(&conn).unwrap()
    }

    #[test]
    fn new_store_is_at_the_current_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        drop(Store::open(&path).unwrap());
        assert_eq!(SCHEMA_VERSION, 3);
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
    }

    #[test]
    fn reopening_an_up_to_date_store_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let mut store = Store::open(&path).unwrap();
        store.meta_set("peer-id", b"peer-1").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
        assert_eq!(
            store.meta_get("peer-id").unwrap().as_deref(),
            Some(&b"peer-1"[..])
        );
    }

    #[test]
    fn store_with_a_newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        drop(Store::open(&path).unwrap());
        let newer = SCHEMA_VERSION + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        match Store::open(&path) {
            Err(StoreError::SchemaTooNew { found, supported }) => {
                assert_eq!(found, newer);
                assert_eq!(supported, SCHEMA_VERSION);
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert_eq!(user_version_of(&path), newer);
    }

    #[test]
    fn audit_entries_written_at_version_2_survive_the_move_to_version_3() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let hash = "ab".repeat(32);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            for (name, at) in [("street-admin", 10), ("楼长", 20)] {
                conn.execute(
                    "INSERT INTO audit (doc_id, change_hash, token_name, at) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![[9_u8; 16], hash, name, at],
                )
                .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
        let doc = linli_protocol::DocumentId::from_bytes([9; 16]);
        let entries: Vec<(String, String, i64)> = store
            .audit(&doc, 0)
            .unwrap()
            .into_iter()
            .map(|e| (e.change_hash, e.token_name, e.at))
            .collect();
        assert_eq!(
            entries,
            [
                (hash.clone(), "street-admin".into(), 10),
                (hash, "楼长".into(), 20),
            ]
        );
    }

    #[test]
    fn store_at_an_older_version_is_migrated_forward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        // An empty database is version 0: every step must run.
        drop(Connection::open(&path).unwrap());
        assert_eq!(user_version_of(&path), 0);
        let mut store = Store::open(&path).unwrap();
        store.meta_set("k", b"v").unwrap();
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
    }
}
