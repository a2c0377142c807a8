//! The `linli` CLI as a building head uses it (README walkthrough), with
//! real processes: relay up, relay down, the CLI killed mid-write.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

use super::relay_process::{RelayProcess, binary};

/// Runs the `linli` binary on the data folder `dir`, with nothing from the
/// test's own environment deciding who it is.
pub fn linli(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary("linli"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("LINLI_AS")
        .env_remove("LINLI_TOKEN")
        .output()
        .expect("run linli")
}

/// Runs `linli` and returns its stdout, failing the test if it fails.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = linli(dir, args);
    assert!(
        out.status.success(),
        "linli {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pending(dir: &Path) -> u64 {
    let status: serde_json::Value = serde_json::from_str(&ok(dir, &["status", "--json"])).unwrap();
    status["pending_changes"]
        .as_u64()
        .unwrap_or_else(|| panic!("no pending count in {status}"))
}

#[test]
fn building_heads_day_offline_edits_then_sync_then_another_device_reads() {
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let (laptop, phone) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let token = relay.admin_token.clone();
    ok(
        laptop.path(),
        &["--token", &token, "init", "--relay", &relay.bare_url],
    );
    let url = ok(laptop.path(), &["doc", "new"]).trim().to_owned();
    assert!(url.starts_with("automerge:"), "{url}");

    ok(
        laptop.path(),
        &["doc", "set", &url, "households/h0101/room", r#""101""#],
    );
    ok(
        laptop.path(),
        &[
            "doc",
            "set",
            &url,
            "households/h0101/members/m1",
            r#"{"name":"牟杰永","birth_year":1944,"tags":{"elderly-alone":true}}"#,
        ],
    );
    assert!(pending(laptop.path()) >= 3);
    ok(laptop.path(), &["sync"]);
    assert_eq!(pending(laptop.path()), 0);

    ok(
        phone.path(),
        &["--token", &token, "init", "--relay", &relay.bare_url],
    );
    let shown: serde_json::Value =
        serde_json::from_str(&ok(phone.path(), &["doc", "show", &url, "--json"])).unwrap();
    assert_eq!(
        shown["households"]["h0101"]["members"]["m1"]["name"],
        "牟杰永"
    );
    assert_eq!(shown["households"]["h0101"]["room"], "101");

    // The relay goes away: edits still save locally; sync says it failed.
    relay.kill9();
    ok(
        laptop.path(),
        &[
            "doc",
            "set",
            &url,
            "households/h0101/notes",
            r#""子女在外地""#,
        ],
    );
    let out = linli(laptop.path(), &["sync", "--timeout", "3"]);
    assert_eq!(out.status.code(), Some(2), "sync without a relay must fail");
    assert_eq!(pending(laptop.path()), 1);
    relay.restart();
    ok(laptop.path(), &["sync"]);
    assert_eq!(pending(laptop.path()), 0);
}

#[test]
fn wrong_token_is_a_clear_error() {
    let data = TempDir::new().unwrap();
    let relay = RelayProcess::start(data.path());
    let home = TempDir::new().unwrap();
    ok(
        home.path(),
        &["--token", "linli_nope", "init", "--relay", &relay.bare_url],
    );
    ok(home.path(), &["doc", "new"]);
    let out = linli(home.path(), &["sync", "--timeout", "10"]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401") || err.contains("token"), "{err}");
    assert!(
        !err.contains("linli_nope"),
        "the token must never be printed"
    );
}

#[test]
fn cli_killed_mid_write_never_corrupts_or_loses_acknowledged_edits() {
    let home = TempDir::new().unwrap();
    let url = ok(home.path(), &["doc", "new"]).trim().to_owned();
    let mut acknowledged = Vec::new();
    for i in 0..24 {
        let key = format!("k{i}");
        let value = format!("\"{i}\"");
        let mut child = Command::new(binary("linli"))
            .arg("--dir")
            .arg(home.path())
            .args(["doc", "set", &url, &key, &value])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if i % 3 == 0 {
            // Killed at whatever point it has reached.
            let _ = child.kill();
            let _ = child.wait();
        } else if child.wait().unwrap().success() {
            acknowledged.push(key);
        }
    }
    assert!(acknowledged.len() >= 16);
    let shown: serde_json::Value =
        serde_json::from_str(&ok(home.path(), &["doc", "show", &url, "--json"])).unwrap();
    for key in acknowledged {
        assert!(shown.get(&key).is_some(), "acknowledged edit {key} lost");
    }
}
