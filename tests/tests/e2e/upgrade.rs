//! Upgrading the relay binary over an existing data folder, with the real
//! `linli-relay`: a database from every earlier released schema (the
//! store's fixtures) is migrated when the relay starts, `check` then
//! reports the current version, and devices fetch the same documents with
//! the same heads. A database from a newer linli is refused: the relay
//! exits non-zero saying so, and the file is left as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

use linli_protocol::DocumentId;
use linli_store::SCHEMA_VERSION;
use tempfile::TempDir;

use super::raw_peer::{RawPeer, wanted_doc};
use super::relay_process::{RelayProcess, admin, binary};

fn fixture(version: i64) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "store",
        "tests",
        "fixtures",
        &format!("schema-v{version}.sql"),
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each document the fixture holds, with its sorted heads.
fn expected_heads(sql: &str) -> Vec<(DocumentId, Vec<String>)> {
    sql.lines()
        .filter_map(|l| l.strip_prefix("-- expect heads "))
        .map(|rest| {
            let mut words = rest.split_whitespace();
            let id = words.next().unwrap();
            let bytes: Vec<u8> = (0..id.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
                .collect();
            let id = DocumentId::from_bytes(bytes.try_into().unwrap());
            (id, words.map(str::to_owned).collect())
        })
        .collect()
}

/// `linli-relay check` on `data`: (succeeded, stdout and stderr).
fn check(data: &Path) -> (bool, String) {
    let out = Command::new(binary("linli-relay"))
        .arg("check")
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay check");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[tokio::test]
async fn a_relay_started_on_every_earlier_schema_migrates_it_and_serves_the_same_documents() {
    for version in 1..SCHEMA_VERSION {
        let sql = fixture(version);
        let data = TempDir::new().unwrap();
        let db = data.path().join("relay.sqlite");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(&sql)
            .unwrap();
        if version >= 2 {
            // Its tokens are only hashes: the relay makes no first admin
            // token for a folder that has tokens. One is made below.
            std::fs::write(data.path().join("admin-token"), "not-yet\n").unwrap();
        }

        let (ok, said) = check(data.path());
        assert!(!ok, "v{version}: check passed an unmigrated database");
        assert!(
            said.contains("start the relay once to migrate it"),
            "{said}"
        );

        let mut relay = RelayProcess::start(data.path());
        assert_eq!(
            relay.terminate(),
            Some(0),
            "v{version}: relay stopped badly"
        );
        let (ok, said) = check(data.path());
        assert!(ok, "v{version}: {said}");
        assert!(
            said.contains(&format!("schema version {SCHEMA_VERSION} (this build's)")),
            "{said}"
        );
        assert!(said.contains("ok: 2 documents load"), "{said}");

        if version >= 2 {
            let secret = admin(
                data.path(),
                &[
                    "token",
                    "create",
                    "--role",
                    "street-admin",
                    "--name",
                    "upgrade-test",
                ],
            );
            std::fs::write(data.path().join("admin-token"), secret).unwrap();
        }
        let relay = RelayProcess::start(data.path());
        let mut device = RawPeer::join(&relay.url, "upgraded-device").await;
        for (id, heads) in expected_heads(&sql) {
            let mut copy = wanted_doc("upgraded-device", id);
            assert_eq!(device.sync_doc(&mut copy).await, Some("sync"), "v{version}");
            let mut got: Vec<String> = copy.heads().iter().map(|h| h.to_string()).collect();
            got.sort();
            assert_eq!(got, heads, "v{version}: heads of {id}");
        }
    }
}

#[test]
fn a_relay_refuses_a_database_from_a_newer_linli_and_leaves_it_alone() {
    let data = TempDir::new().unwrap();
    let db = data.path().join("relay.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(&fixture(SCHEMA_VERSION - 1)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();

    let out = Command::new(binary("linli-relay"))
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--metrics-listen")
        .arg("off")
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay");
    assert!(!out.status.success(), "the relay served a newer database");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "store schema version {} is newer than this build of linli supports (up to {SCHEMA_VERSION}); upgrade linli",
            SCHEMA_VERSION + 1
        )),
        "{said}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("serving"),
        "it must not serve"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database was changed"
    );
}

/// A backup made by an earlier linli is restored as it is: the check reads
/// it without migrating or writing it, and the relay migrates the restored
/// copy when it starts.
#[test]
fn a_backup_from_an_earlier_linli_restores_unchanged_and_migrates_on_start() {
    let backups = TempDir::new().unwrap();
    let file = backups.path().join("relay-backup.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(&fixture(SCHEMA_VERSION - 1))
        .unwrap();
    let before = std::fs::read(&file).unwrap();

    let data = TempDir::new().unwrap();
    let out = Command::new(binary("linli-relay"))
        .arg("restore")
        .arg(&file)
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the backup was changed"
    );

    std::fs::write(data.path().join("admin-token"), "not-yet\n").unwrap();
    let mut relay = RelayProcess::start(data.path());
    assert_eq!(relay.terminate(), Some(0));
    let (ok, said) = check(data.path());
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("schema version {SCHEMA_VERSION} (this build's)")),
        "{said}"
    );
}
