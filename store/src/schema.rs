//! The database schema and its migrations.
//!
//! The schema version lives in `PRAGMA user_version`. [`MIGRATIONS`] is the
//! ordered list of steps: step `i` takes the database from version `i` to
//! `i + 1`, runs in its own transaction and sets `user_version` in that same
//! transaction, so a crash leaves the database at one version or the next.
//! New steps are only ever appended.
//!
//! Each step belongs to a [`Part`]. Every store has the documents part
//! (chunks, key/values, the change sequence); only the relay's store has the
//! relay part (access tokens, audit log), so a phone's database holds no
//! empty relay tables. A device store still moves through the relay steps'
//! version numbers, without running them; should it later be opened as a
//! relay's, the relay part is created then, in one transaction. A file that
//! already has relay tables (every store made before the split) runs the
//! relay steps whichever way it is opened, so its tables stay current.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::StoreError;

#[cfg(test)]
mod fixtures;

/// Which store is being opened: a device's or the relay's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Device,
    Relay,
}

/// Which tables a migration step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Every store: documents, key/values, change sequence.
    Documents,
    /// Only the relay's store: tokens and audit log.
    Relay,
}

/// One migration step.
pub(crate) struct Migration {
    pub part: Part,
    pub sql: &'static str,
}

/// The migrations, in order; version `n` is reached after `MIGRATIONS[n - 1]`.
pub(crate) const MIGRATIONS: &[Migration] = &[
    // 1: chunks of automerge data, store-wide and per-document key/values.
    Migration {
        part: Part::Documents,
        sql: "
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
    },
    // 2: the relay's access tokens (hashes only) and its audit log.
    Migration {
        part: Part::Relay,
        sql: "
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
    },
    // 3: a smaller audit log: one row per stored change is most of a busy
    // relay's disk, so the row is its own index (no rowid, no second
    // index), the hash is 32 bytes instead of 64 hex characters, and token
    // names are stored once.
    Migration {
        part: Part::Relay,
        sql: "
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
    },
    // 4: which documents changed, for "what changed since": each
    // document's row carries the store-wide sequence number of its last
    // chunk change. Triggers keep it, so no write path can forget it, and
    // writers are serialised by SQLite's write lock, so a number becomes
    // visible only after every smaller one. Documents already stored start
    // at 1. (No INSERT OR REPLACE / upsert in the triggers: SQLite lets the
    // outer statement's conflict policy, e.g. the OR IGNORE of an append,
    // override a trigger's.)
    Migration {
        part: Part::Documents,
        sql: "
    CREATE TABLE doc_changes (
        doc_id BLOB NOT NULL PRIMARY KEY CHECK (length(doc_id) = 16),
        seq    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX doc_changes_by_seq ON doc_changes (seq);
    INSERT INTO doc_changes (doc_id, seq) SELECT DISTINCT doc_id, 1 FROM chunks;
    CREATE TRIGGER chunks_inserted AFTER INSERT ON chunks BEGIN
        INSERT INTO doc_changes (doc_id, seq) SELECT NEW.doc_id, 0
            WHERE NOT EXISTS (SELECT 1 FROM doc_changes WHERE doc_id = NEW.doc_id);
        UPDATE doc_changes SET seq = (SELECT max(seq) + 1 FROM doc_changes)
            WHERE doc_id = NEW.doc_id;
    END;
    CREATE TRIGGER chunks_deleted AFTER DELETE ON chunks BEGIN
        INSERT INTO doc_changes (doc_id, seq) SELECT OLD.doc_id, 0
            WHERE NOT EXISTS (SELECT 1 FROM doc_changes WHERE doc_id = OLD.doc_id);
        UPDATE doc_changes SET seq = (SELECT max(seq) + 1 FROM doc_changes)
            WHERE doc_id = OLD.doc_id;
    END;
    ",
    },
    // 5: a compact audit log: runs of one actor's consecutive changes,
    // stored by one token, each change's time a delta of a byte or two;
    // the hashes are read back from the document (see `audit/runs.rs`).
    // Rows already in `audit` stay there and are read alongside.
    Migration {
        part: Part::Relay,
        sql: "
    CREATE TABLE audit_actors (
        id    INTEGER PRIMARY KEY,
        actor BLOB NOT NULL UNIQUE
    );
    CREATE TABLE audit_runs (
        doc_id    BLOB NOT NULL CHECK (length(doc_id) = 16),
        actor_id  INTEGER NOT NULL REFERENCES audit_actors (id),
        first_seq INTEGER NOT NULL,
        count     INTEGER NOT NULL CHECK (count > 0),
        name_id   INTEGER NOT NULL REFERENCES audit_names (id),
        first_at  INTEGER NOT NULL,
        last_at   INTEGER NOT NULL,
        at_deltas BLOB NOT NULL,
        PRIMARY KEY (doc_id, actor_id, first_seq)
    ) WITHOUT ROWID;
    ",
    },
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`], or refuses one that is
/// newer; for [`Role::Relay`], makes sure the relay part exists.
pub(crate) fn migrate(conn: &mut Connection, role: Role) -> Result<(), StoreError> {
    check_not_too_new(user_version(conn)?)?;
    for (index, step) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        // IMMEDIATE takes the write lock before re-reading the version, so two
        // processes opening a fresh file at once cannot both run a step.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        check_not_too_new(current)?;
        if current >= target {
            continue;
        }
        let run = match step.part {
            Part::Documents => true,
            Part::Relay => role == Role::Relay || has_relay_part(&tx)?,
        };
        if run {
            tx.execute_batch(step.sql)?;
        }
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
        tracing::info!(version = target, ran = run, "store schema migrated");
    }
    if role == Role::Relay {
        add_relay_part(conn)?;
    }
    Ok(())
}

/// Creates the relay's tables in a store that was made as a device's: all
/// relay steps, in order, in one transaction.
fn add_relay_part(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if has_relay_part(&tx)? {
        return Ok(());
    }
    for step in MIGRATIONS.iter().filter(|s| s.part == Part::Relay) {
        tx.execute_batch(step.sql)?;
    }
    tx.commit()?;
    tracing::info!("relay tables added to the store");
    Ok(())
}

/// Whether the relay part's first table exists.
fn has_relay_part(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tokens'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Refuses a database whose schema is not exactly this build's: a newer
/// one, or an older one not yet migrated (opening it read-write migrates it).
pub(crate) fn check_current(conn: &Connection) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    check_not_too_new(found)?;
    if found < SCHEMA_VERSION {
        return Err(StoreError::backend(format!(
            "schema version {found} is older than this build's {SCHEMA_VERSION}; \
             start the relay once to migrate it"
        )));
    }
    Ok(())
}

impl crate::Store {
    /// The schema version of the open database (`PRAGMA user_version`),
    /// for operators: `linli-relay check` reports it.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(user_version(&self.conn)?)
    }
}

/// Refuses a database from a newer linli, reading only its version.
pub(crate) fn refuse_newer(conn: &Connection) -> Result<(), StoreError> {
    check_not_too_new(user_version(conn)?)
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
        assert_eq!(SCHEMA_VERSION, 5);
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
            conn.execute_batch(MIGRATIONS[0].sql).unwrap();
            conn.execute_batch(MIGRATIONS[1].sql).unwrap();
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

    fn tables_of(path: &std::path::Path) -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_device_store_has_no_relay_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        drop(Store::open(&path).unwrap());
        assert_eq!(
            tables_of(&path),
            ["chunks", "doc_changes", "doc_meta", "meta"]
        );
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
    }

    #[test]
    fn a_relay_store_has_tokens_and_audit_even_when_made_as_a_device_store() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("relay.sqlite");
        drop(Store::open_relay(&fresh).unwrap());
        let device_first = dir.path().join("device-first.sqlite");
        drop(Store::open(&device_first).unwrap());
        let mut store = Store::open_relay(&device_first).unwrap();
        for path in [&fresh, &device_first] {
            let tables = tables_of(path);
            for table in ["tokens", "audit", "audit_names", "chunks", "doc_changes"] {
                assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
            }
        }
        assert_eq!(tables_of(&fresh), tables_of(&device_first));
        let doc = linli_protocol::DocumentId::from_bytes([4; 16]);
        let hash = "cd".repeat(32);
        store
            .append_audited(&doc, b"bytes", std::slice::from_ref(&hash), "admin", 7)
            .unwrap();
        assert_eq!(store.audit(&doc, 0).unwrap()[0].change_hash, hash);
    }

    #[test]
    fn a_relay_file_from_before_the_split_keeps_its_tokens_and_gains_the_change_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            for step in &MIGRATIONS[..3] {
                conn.execute_batch(step.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            conn.execute(
                "INSERT INTO tokens (name, role, scope, hash, created_at) \
                 VALUES ('admin', 'street-admin', 'street', x'01', 1)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 'incremental', 'h', x'00')",
                [[5_u8; 16]],
            )
            .unwrap();
        }
        let store = Store::open_relay(&path).unwrap();
        assert_eq!(user_version_of(&path), SCHEMA_VERSION);
        assert_eq!(store.tokens().unwrap()[0].name, "admin");
        let changed = store.changed_since(crate::ChangeCursor::START).unwrap();
        assert_eq!(
            changed.docs,
            [linli_protocol::DocumentId::from_bytes([5; 16])]
        );
    }
}
