//! Upgrades from every earlier released schema: each fixture in
//! `tests/fixtures/` is a store as an earlier linli left it (see the README
//! there). Opened by this build, as a device's store or as the relay's, it
//! is migrated to the current schema and keeps everything: every document
//! loads with the same heads, metadata, tokens and audit rows are intact.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use linli_protocol::DocumentId;
use linli_store::{ChangeCursor, SCHEMA_VERSION, Store};
use rusqlite::Connection;

/// What a fixture says a correct upgrade still shows.
#[derive(Default)]
struct Expected {
    heads: BTreeMap<DocumentId, Vec<String>>,
    /// Per document: (at, token name, change hash), oldest first.
    audit: BTreeMap<DocumentId, Vec<(i64, String, String)>>,
}

fn doc(hex_id: &str) -> DocumentId {
    let bytes: [u8; 16] = hex::decode(hex_id).unwrap().try_into().unwrap();
    DocumentId::from_bytes(bytes)
}

fn expected(sql: &str) -> Expected {
    let mut out = Expected::default();
    for line in sql.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["--", "expect", "heads", id, heads @ ..] => {
                out.heads
                    .insert(doc(id), heads.iter().map(|h| h.to_string()).collect());
            }
            ["--", "expect", "audit", id, at, name, hash] => {
                out.audit.entry(doc(id)).or_default().push((
                    at.parse().unwrap(),
                    name.to_string(),
                    hash.to_string(),
                ));
            }
            _ => {}
        }
    }
    out
}

/// Every earlier released schema's fixture, oldest first.
fn fixtures() -> Vec<(i64, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let found: Vec<(i64, PathBuf)> = (1..SCHEMA_VERSION)
        .map(|v| (v, dir.join(format!("schema-v{v}.sql"))))
        .collect();
    for (version, path) in &found {
        assert!(
            path.is_file(),
            "no fixture of schema version {version}: every earlier schema keeps one \
             (see tests/fixtures/README.md)"
        );
    }
    found
}

/// Builds the fixture's database in a fresh folder.
fn build(sql: &str, version: i64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    assert_eq!(user_version(&conn), version);
    (dir, path)
}

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// Rows of `meta` (key, value) and of `doc_meta` (document, key, value).
type MetaRows = (Vec<(String, Vec<u8>)>, Vec<(Vec<u8>, String, Vec<u8>)>);

/// Every row of `meta` and `doc_meta`, read with plain SQL.
fn raw_meta(path: &Path) -> MetaRows {
    let conn = Connection::open(path).unwrap();
    let meta = conn
        .prepare("SELECT key, value FROM meta ORDER BY key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let doc_meta = conn
        .prepare("SELECT doc_id, key, value FROM doc_meta ORDER BY doc_id, key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (meta, doc_meta)
}

fn sorted_heads(store: &Store, id: &DocumentId) -> Vec<String> {
    let am = store
        .load(id)
        .unwrap()
        .unwrap_or_else(|| panic!("document {id} is gone"));
    let mut heads: Vec<String> = am.get_heads().iter().map(|h| h.to_string()).collect();
    heads.sort();
    heads
}

/// The checks every upgraded store passes, whichever way it was opened.
fn assert_intact(store: &Store, path: &Path, want: &Expected) {
    let conn = Connection::open(path).unwrap();
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    let mut listed = store.list().unwrap();
    listed.sort();
    assert_eq!(listed, want.heads.keys().copied().collect::<Vec<_>>());
    for (id, heads) in &want.heads {
        assert_eq!(&sorted_heads(store, id), heads, "heads of {id}");
    }
    let mut changed = store.changed_since(ChangeCursor::START).unwrap().docs;
    changed.sort();
    assert_eq!(changed, listed, "every stored document counts as changed");
}

#[test]
fn every_earlier_schema_opened_as_a_device_store_keeps_its_documents() {
    for (version, path) in fixtures() {
        let sql = std::fs::read_to_string(&path).unwrap();
        let want = expected(&sql);
        assert!(
            !want.heads.is_empty(),
            "{} expects no documents",
            path.display()
        );
        let (_dir, db) = build(&sql, version);
        let before = raw_meta(&db);

        let store = Store::open(&db).unwrap();
        assert_intact(&store, &db, &want);
        assert_eq!(raw_meta(&db), before, "v{version}: metadata changed");
        for (key, value) in &before.0 {
            assert_eq!(store.meta_get(key).unwrap().as_ref(), Some(value));
        }
        for (id, key, value) in &before.1 {
            let id = DocumentId::from_bytes(id.as_slice().try_into().unwrap());
            assert_eq!(store.doc_meta_get(&id, key).unwrap().as_ref(), Some(value));
        }
    }
}

#[test]
fn every_earlier_schema_opened_as_the_relay_keeps_documents_tokens_and_audit() {
    for (version, path) in fixtures() {
        let sql = std::fs::read_to_string(&path).unwrap();
        let want = expected(&sql);
        let (_dir, db) = build(&sql, version);
        let before = raw_meta(&db);

        let mut store = Store::open_relay(&db).unwrap();
        assert_intact(&store, &db, &want);
        assert_eq!(raw_meta(&db), before, "v{version}: metadata changed");
        for (id, rows) in &want.audit {
            let found: Vec<(i64, String, String)> = store
                .audit(id, i64::MIN)
                .unwrap()
                .into_iter()
                .map(|e| (e.at, e.token_name, e.change_hash))
                .collect();
            assert_eq!(&found, rows, "v{version}: audit of {id}");
        }
        let tokens: Vec<(String, String, String, bool)> = store
            .tokens()
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.role, t.scope, t.revoked_at.is_some()))
            .collect();
        if version >= 2 {
            assert_eq!(tokens.len(), 3, "v{version}: {tokens:?}");
            assert!(tokens.contains(&(
                "grid-7".into(),
                "grid-worker".into(),
                "community:7".into(),
                true
            )));
        } else {
            assert!(tokens.is_empty(), "a v1 store had no tokens: {tokens:?}");
        }
        // And it takes new, audited writes at the current schema.
        let [first, ..] = want.heads.keys().copied().collect::<Vec<_>>()[..] else {
            unreachable!("fixtures hold documents")
        };
        store.doc_meta_set(&first, "upgrade-test", b"1").unwrap();
        assert_eq!(
            store
                .doc_meta_get(&first, "upgrade-test")
                .unwrap()
                .as_deref(),
            Some(&b"1"[..])
        );
    }
}

#[test]
fn opening_an_upgraded_store_again_changes_nothing() {
    for (version, path) in fixtures() {
        let sql = std::fs::read_to_string(&path).unwrap();
        let want = expected(&sql);
        let (_dir, db) = build(&sql, version);
        drop(Store::open_relay(&db).unwrap());
        let before = raw_meta(&db);
        let store = Store::open_relay(&db).unwrap();
        assert_intact(&store, &db, &want);
        assert_eq!(raw_meta(&db), before);
    }
}
