//! Backing up a serving relay while devices edit, and restoring it: the
//! real relay binary, real `linli` CLI devices, real SQLite files. A
//! restore loses nothing that is still on some device, because devices
//! send the relay whatever it lacks when they sync.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use super::cli::ok;
use super::relay_process::{RelayProcess, admin, binary};

/// Sets `edits/<key>` on `doc` from device `dir` and syncs it.
fn edit(dir: &Path, doc: &str, key: &str) {
    ok(
        dir,
        &["doc", "set", doc, &format!("edits/{key}"), r#""done""#],
    );
    ok(dir, &["sync"]);
}

/// The keys under `edits` of `doc`, as a fresh device gets it from the relay.
fn edits_on_relay(relay: &RelayProcess, doc: &str) -> Vec<String> {
    let fresh = TempDir::new().unwrap();
    ok(
        fresh.path(),
        &[
            "--token",
            &relay.admin_token,
            "init",
            "--relay",
            &relay.bare_url,
        ],
    );
    ok(fresh.path(), &["sync"]);
    let shown: serde_json::Value =
        serde_json::from_str(&ok(fresh.path(), &["doc", "show", doc, "--json"])).unwrap();
    let mut keys: Vec<String> = shown["edits"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Runs `linli-relay restore FILE --data DATA`.
pub fn restore(data: &Path, file: &Path) -> std::process::Output {
    Command::new(binary("linli-relay"))
        .arg("restore")
        .arg(file)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay restore")
}

#[test]
fn a_backup_taken_while_devices_edit_restores_and_devices_bring_back_the_rest() {
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let (laptop, phone) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    for device in [&laptop, &phone] {
        ok(
            device.path(),
            &[
                "--token",
                &relay.admin_token,
                "init",
                "--relay",
                &relay.bare_url,
            ],
        );
    }
    let doc = ok(laptop.path(), &["doc", "new"]).trim().to_owned();
    edit(laptop.path(), &doc, "laptop-0");
    ok(phone.path(), &["doc", "show", &doc]);
    edit(phone.path(), &doc, "phone-0");

    // Both devices keep editing while the backup is made.
    let backups = TempDir::new().unwrap();
    let file = backups.path().join("relay-backup.sqlite");
    std::thread::scope(|s| {
        let laptop_edits =
            s.spawn(|| (1..=5).for_each(|i| edit(laptop.path(), &doc, &format!("laptop-{i}"))));
        let phone_edits =
            s.spawn(|| (1..=5).for_each(|i| edit(phone.path(), &doc, &format!("phone-{i}"))));
        admin(data.path(), &["backup", "--to", file.to_str().unwrap()]);
        laptop_edits.join().unwrap();
        phone_edits.join().unwrap();
    });

    // The backup checks out on its own: SQLite's check, and the document loads.
    {
        let copy = linli_store::Store::open_relay(&file).unwrap();
        assert_eq!(copy.integrity_check().unwrap(), Ok(()));
        let id = linli_protocol::DocumentId::parse_id_or_url(&doc).unwrap();
        assert!(copy.load(&id).unwrap().is_some());
    }

    // After the backup, more edits reach the relay.
    edit(phone.path(), &doc, "phone-after");
    edit(laptop.path(), &doc, "laptop-after");
    let mut everything: Vec<String> = (0..=5)
        .flat_map(|i| [format!("laptop-{i}"), format!("phone-{i}")])
        .chain(["laptop-after".into(), "phone-after".into()])
        .collect();
    everything.sort();
    assert_eq!(edits_on_relay(&relay, &doc), everything);

    // Restoring under a serving relay is refused and changes nothing.
    let refused = restore(data.path(), &file);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("a relay is serving this data folder"),
        "{said}"
    );
    assert_eq!(edits_on_relay(&relay, &doc), everything);

    // Stop, restore, start: the devices bring back what the backup lacks.
    assert_eq!(relay.terminate(), Some(0));
    let restored = restore(data.path(), &file);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    relay.restart();
    let on_restored = edits_on_relay(&relay, &doc);
    assert!(
        !on_restored.contains(&"phone-after".to_owned())
            && !on_restored.contains(&"laptop-after".to_owned()),
        "the backup predates the last edits: {on_restored:?}"
    );
    for device in [&laptop, &phone] {
        ok(device.path(), &["sync"]);
    }
    assert_eq!(edits_on_relay(&relay, &doc), everything);
}

/// `backup` checks its copy read-only: the copy is exactly what `VACUUM
/// INTO` wrote (a rollback-journal file; opening it to check as a store
/// would have switched it to WAL, rewriting its header, and could have
/// migrated it), and nothing is left beside it.
#[test]
fn a_backup_is_checked_without_being_written() {
    let data = TempDir::new().unwrap();
    let relay = RelayProcess::start(data.path());
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
    let doc = ok(laptop.path(), &["doc", "new"]).trim().to_owned();
    edit(laptop.path(), &doc, "laptop-0");

    let backups = TempDir::new().unwrap();
    let file = backups.path().join("relay-backup.sqlite");
    admin(data.path(), &["backup", "--to", file.to_str().unwrap()]);
    let bytes = std::fs::read(&file).unwrap();
    // Bytes 18 and 19 of an SQLite file: 1 for a rollback journal, 2 for WAL.
    assert_eq!(bytes[18..20], [1, 1], "checking the backup wrote to it");
    let mut beside: Vec<String> = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["relay-backup.sqlite"]);

    // Restoring checks it again, read-only too: the file stays as it was.
    drop(relay);
    let restored = restore(data.path(), &file);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "restore wrote to the backup"
    );
}
