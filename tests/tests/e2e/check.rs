//! `linli-relay check` on a stopped relay's data folder: the real binary,
//! real `linli` CLI devices, and a database damaged with rusqlite.

use std::path::Path;
use std::process::{Command, Output};

use linli_protocol::DocumentId;
use tempfile::TempDir;

use super::cli::ok;
use super::relay_process::{RelayProcess, admin, binary};

fn check(data: &Path) -> Output {
    Command::new(binary("linli-relay"))
        .arg("check")
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay check")
}

/// A stopped relay's data folder holding two edited documents.
fn folder_with_two_documents() -> (TempDir, DocumentId, DocumentId) {
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let laptop = TempDir::new().unwrap();
    ok(
        laptop.path(),
        &[
            "--token",
            &relay.admin_token,
            "init",
            "--relay",
            &relay.bare_url,
        ],
    );
    let mut ids = Vec::new();
    for name in ["first", "second"] {
        let doc = ok(laptop.path(), &["doc", "new"]).trim().to_owned();
        ok(
            laptop.path(),
            &["doc", "set", &doc, "name", &format!("\"{name}\"")],
        );
        ok(laptop.path(), &["sync"]);
        ids.push(DocumentId::parse_id_or_url(&doc).unwrap());
    }
    relay.terminate();
    (data, ids[0], ids[1])
}

#[test]
fn a_healthy_folder_passes_and_is_left_unchanged() {
    let (data, _, _) = folder_with_two_documents();
    let db = data.path().join("relay.sqlite");
    let before = std::fs::read(&db).unwrap();
    let said = admin(data.path(), &["check"]);
    assert!(said.starts_with("ok: 2 documents load"), "{said}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "check wrote to the database"
    );
}

#[test]
fn a_corrupted_document_fails_naming_it() {
    let (data, damaged, intact) = folder_with_two_documents();
    {
        let conn = rusqlite::Connection::open(data.path().join("relay.sqlite")).unwrap();
        let changed = conn
            .execute(
                "UPDATE chunks SET bytes = zeroblob(length(bytes)) WHERE doc_id = ?1",
                [damaged.as_bytes().as_slice()],
            )
            .unwrap();
        assert!(changed > 0);
    }
    let out = check(data.path());
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("document {damaged}: does not load")),
        "{said}"
    );
    assert!(said.contains("does not match its hash"), "{said}");
    assert!(!said.contains(&intact.to_string()), "{said}");
}

#[test]
fn a_database_from_a_newer_linli_fails_clearly() {
    let (data, _, _) = folder_with_two_documents();
    {
        let conn = rusqlite::Connection::open(data.path().join("relay.sqlite")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let out = check(data.path());
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("schema version 99 is newer"), "{said}");
}
