//! Writes `store/tests/fixtures/schema-vN.sql`: a store at each earlier
//! released schema version, as the linli of that version left it, for the
//! upgrade tests in `store/tests/upgrade.rs`.
//!
//! Run once when a migration is appended, after adding the version it
//! leaves behind to [`RELEASED`]; existing fixtures are never rewritten:
//!
//! ```text
//! LINLI_WRITE_SCHEMA_FIXTURES=1 cargo test -p linli-store --lib -- --ignored write_schema_fixtures
//! ```
//!
//! The schema is [`MIGRATIONS`]`[..n]` (steps are append-only, and their
//! text is the same as at the commit that introduced each version); the
//! rows are written as that version's code wrote them: chunks keyed by the
//! hex SHA-256 of their bytes, and from version 2 tokens (hashes only) and
//! one audit row per stored change, whose hash is hex text at version 2 and
//! 32 bytes with token names in `audit_names` from version 3. Each file
//! ends with `-- expect` lines: what a correct upgrade must still show.

use std::fmt::Write as _;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT};
use rusqlite::Connection;

use super::MIGRATIONS;
use crate::keys::hash_hex;

/// Each earlier released version and the commit that introduced it.
const RELEASED: &[(usize, &str)] = &[
    (1, "9b0ef15"),
    (2, "88b9cae"),
    (3, "f067661"),
    (4, "447c510"),
];

/// One document as stored: its id, chunks (kind, bytes), and the changes
/// each incremental chunk carries, attributed to a token.
struct StoredDoc {
    id: [u8; 16],
    chunks: Vec<(&'static str, Vec<u8>)>,
    changes: Vec<(ChangeHash, &'static str, i64)>,
    heads: Vec<ChangeHash>,
}

fn commit(doc: &mut AutoCommit, time: i64) {
    doc.commit_with(CommitOptions::default().with_time(time));
}

/// A building: a snapshot of its first two changes, then two incremental
/// chunks (the state a compacted, then edited, document is in).
fn building() -> StoredDoc {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&[0xa1_u8; 16][..]));
    let mut changes = Vec::new();
    doc.put(ROOT, "name", "3号楼").unwrap();
    commit(&mut doc, 1_763_856_000);
    doc.put(ROOT, "households", 48_i64).unwrap();
    commit(&mut doc, 1_763_856_060);
    let snapshot = doc.save();
    for (i, c) in doc.get_changes(&[]).iter().enumerate() {
        changes.push((c.hash(), "street-admin", 1_763_856_000_000 + i as i64));
    }
    let mut chunks = vec![("snapshot", snapshot)];
    for (n, note) in [(1_i64, "401 visited"), (2, "502 needs a ramp")] {
        doc.put(ROOT, "note", note).unwrap();
        commit(&mut doc, 1_763_856_100 + n);
        chunks.push(("incremental", doc.save_incremental()));
        changes.push((doc.get_heads()[0], "楼长-3", 1_763_856_100_000 + n));
    }
    StoredDoc {
        id: [0x33; 16],
        chunks,
        changes,
        heads: doc.get_heads(),
    }
}

/// A task board edited apart by two people: incremental chunks only, and
/// two heads.
fn board() -> StoredDoc {
    let mut first = AutoCommit::new().with_actor(ActorId::from(&[0xb1_u8; 16][..]));
    first.put(ROOT, "title", "清明 cleanup").unwrap();
    commit(&mut first, 1_763_900_000);
    let base = first.save_incremental();
    let base_hash = first.get_heads()[0];
    let mut second = first.fork().with_actor(ActorId::from(&[0xb2_u8; 16][..]));
    first.put(ROOT, "owner", "王").unwrap();
    commit(&mut first, 1_763_900_010);
    second.put(ROOT, "done", true).unwrap();
    commit(&mut second, 1_763_900_020);
    let theirs = second.save_incremental();
    let theirs_hash = second.get_heads()[0];
    let ours = first.save_incremental();
    let ours_hash = first.get_heads()[0];
    first.merge(&mut second).unwrap();
    StoredDoc {
        id: [0xbb; 16],
        chunks: vec![
            ("incremental", base),
            ("incremental", ours),
            ("incremental", theirs),
        ],
        changes: vec![
            (base_hash, "street-admin", 1_763_900_000_000),
            (ours_hash, "street-admin", 1_763_900_010_000),
            (theirs_hash, "grid-7", 1_763_900_020_000),
        ],
        heads: first.get_heads(),
    }
}

fn blob(bytes: &[u8]) -> String {
    format!("X'{}'", hex::encode_upper(bytes))
}

fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL that builds a store at `version` holding `docs`.
fn fixture_sql(version: usize, commit: &str, docs: &[StoredDoc]) -> String {
    let mut sql = format!(
        "-- A linli store at schema version {version}, as linli at commit {commit} wrote it.\n\
         -- Made by store/src/schema/fixtures.rs (see store/tests/fixtures/README.md).\n\
         -- Never edit: it stands for files already on relays and phones.\n"
    );
    for step in &MIGRATIONS[..version] {
        sql.push_str(step.sql.trim_end());
        sql.push('\n');
    }
    let rows = |sql: &mut String, line: String| {
        sql.push_str(&line);
        sql.push_str(";\n");
    };
    rows(
        &mut sql,
        "INSERT INTO meta (key, value) VALUES ('relay.storage_id', \
         CAST('5f0c1e52-8a6b-4c1d-9a51-3d1f2e0b7c44' AS BLOB))"
            .into(),
    );
    rows(
        &mut sql,
        "INSERT INTO meta (key, value) VALUES ('peer_id', CAST('device-楼长-3' AS BLOB))".into(),
    );
    for doc in docs {
        for (kind, bytes) in &doc.chunks {
            rows(
                &mut sql,
                format!(
                    "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES ({}, {}, {}, {})",
                    blob(&doc.id),
                    text(kind),
                    text(&hash_hex(bytes)),
                    blob(bytes)
                ),
            );
        }
        let heads: Vec<u8> = doc.heads.iter().flat_map(|h| h.0).collect();
        rows(
            &mut sql,
            format!(
                "INSERT INTO doc_meta (doc_id, key, value) VALUES ({}, 'relay_heads', {})",
                blob(&doc.id),
                blob(&heads)
            ),
        );
    }
    if version >= 2 {
        for (name, role, scope, hash, revoked) in [
            ("street-admin", "street-admin", "", [0x01_u8; 32], "NULL"),
            ("楼长-3", "building-head", "building:3", [0x02; 32], "NULL"),
            (
                "grid-7",
                "grid-worker",
                "community:7",
                [0x03; 32],
                "1763950000000",
            ),
        ] {
            rows(
                &mut sql,
                format!(
                    "INSERT INTO tokens (name, role, scope, hash, created_at, revoked_at) \
                     VALUES ({}, {}, {}, {}, 1763800000000, {revoked})",
                    text(name),
                    text(role),
                    text(scope),
                    blob(&hash)
                ),
            );
        }
    }
    for doc in docs {
        for (hash, name, at) in &doc.changes {
            match version {
                2 => rows(
                    &mut sql,
                    format!(
                        "INSERT INTO audit (doc_id, change_hash, token_name, at) \
                         VALUES ({}, {}, {}, {at})",
                        blob(&doc.id),
                        text(&hash.to_string()),
                        text(name)
                    ),
                ),
                v if v >= 3 => {
                    rows(
                        &mut sql,
                        format!(
                            "INSERT OR IGNORE INTO audit_names (name) VALUES ({})",
                            text(name)
                        ),
                    );
                    rows(
                        &mut sql,
                        format!(
                            "INSERT INTO audit (doc_id, at, change_hash, name_id) VALUES \
                             ({}, {at}, {}, (SELECT id FROM audit_names WHERE name = {}))",
                            blob(&doc.id),
                            blob(&hash.0),
                            text(name)
                        ),
                    );
                }
                _ => {}
            }
        }
    }
    rows(&mut sql, format!("PRAGMA user_version = {version}"));
    for doc in docs {
        let mut heads: Vec<String> = doc.heads.iter().map(|h| h.to_string()).collect();
        heads.sort();
        let _ = writeln!(
            sql,
            "-- expect heads {} {}",
            hex::encode(doc.id),
            heads.join(" ")
        );
        if version >= 2 {
            for (hash, name, at) in &doc.changes {
                let _ = writeln!(
                    sql,
                    "-- expect audit {} {at} {name} {hash}",
                    hex::encode(doc.id)
                );
            }
        }
    }
    sql
}

#[test]
#[ignore = "writes the committed fixtures; see the module docs"]
fn write_schema_fixtures() {
    if std::env::var_os("LINLI_WRITE_SCHEMA_FIXTURES").is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let docs = [building(), board()];
    for &(version, commit) in RELEASED {
        let path = dir.join(format!("schema-v{version}.sql"));
        if path.exists() {
            // Made once, from that version's time; never rewritten.
            continue;
        }
        let sql = fixture_sql(version, commit, &docs);
        // It must build a database of that version, or it is no fixture.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&sql).unwrap();
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(found, version as i64);
        std::fs::write(path, sql).unwrap();
    }
}
