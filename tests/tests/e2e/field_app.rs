//! The field app in a real browser: Debian's Chromium, driven by
//! playwright-core (`web/tests/*.mjs`), against the real relay binary
//! serving the app it embeds, with a building head's own token.
//!
//! Needs `node`, `/usr/bin/chromium` (or `LINLI_CHROMIUM`) and `npm ci` in
//! `web/`; `.ci/run` installs them. A missing one fails the test, it never
//! skips. Screenshots go to `<target>/screenshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

use super::cli::ok;
use super::relay_process::RelayProcess;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn screenshots(name: &str) -> PathBuf {
    std::env::var_os("LINLI_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots"))
        .join(name)
}

/// Fails (never skips) with what to install when the browser test cannot run.
fn require_browser_tools() -> PathBuf {
    let chromium = std::env::var_os("LINLI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.exists(),
        "{} is missing: apt-get install -y chromium fonts-noto-cjk (or run ./test.sh)",
        chromium.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is missing: the browser tests drive Chromium from node (apt-get install -y nodejs npm)"
    );
    assert!(
        repo().join("web/node_modules/playwright-core").exists(),
        "web/node_modules is missing: run `npm ci` in web/ (or ./test.sh)"
    );
    chromium
}

/// A street set up by its admin with the `linli` CLI: the sample building
/// imported, the relay told which document is the directory.
struct Street {
    relay: RelayProcess,
    _data: TempDir,
    admin: TempDir,
    directory: String,
    building: String,
}

impl Street {
    fn new() -> Street {
        let data = TempDir::new().unwrap();
        let mut relay = RelayProcess::start(data.path());
        let admin = TempDir::new().unwrap();
        let a = admin.path();
        let token = relay.admin_token.clone();
        ok(
            a,
            &[
                "--token",
                &token,
                "init",
                "--relay",
                &relay.bare_url,
                "--as",
                "admin-li",
            ],
        );
        let directory = ok(a, &["street", "init", "东湖街道"]).trim().to_owned();
        let residents = repo().join("tests/fixtures/residents.csv");
        ok(a, &["import", residents.to_str().unwrap()]);
        ok(a, &["sync", "--timeout", "60"]);
        relay.restart_with(&["--directory", &directory]);
        let street: Value = serde_json::from_str(&ok(a, &["street", "show", "--json"])).unwrap();
        let building = street["directory"]["buildings"]
            .as_object()
            .and_then(|b| b.keys().next().cloned())
            .expect("one imported building");
        Street {
            relay,
            _data: data,
            admin,
            directory,
            building,
        }
    }

    fn http_url(&self) -> String {
        format!("http://{}/", self.relay.addr())
    }
}

#[test]
fn building_head_logs_a_visit_offline_and_it_survives_a_reload() {
    let chromium = require_browser_tools();
    let street = Street::new();
    let scope = format!("building:{}", street.building);
    let token = street
        .relay
        .create_token("building-head", &scope, "head-wang");
    let household = "c01-b001-h0001";
    let note = "血压正常，已提醒按时吃药";

    let out = Command::new("node")
        .arg(repo().join("web/tests/building-head.mjs"))
        .current_dir(repo().join("web"))
        .env("LINLI_CHROMIUM", &chromium)
        .env("LINLI_APP_URL", street.http_url())
        .env("LINLI_TOKEN", &token)
        .env("LINLI_DIRECTORY", &street.directory)
        .env("LINLI_AS", "head-wang")
        .env("LINLI_HOUSEHOLD", household)
        .env("LINLI_NOTE", note)
        .env("LINLI_SCREENSHOTS", screenshots("building-head"))
        .output()
        .expect("run node");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the browser script failed:\n{log}");

    // Another device (the office's) sees her visit after syncing.
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let shown: Value =
        serde_json::from_str(&ok(a, &["household", "show", household, "--json"])).unwrap();
    let visits = shown["household"]["visits"].as_object().expect("visits");
    assert_eq!(visits.len(), 1, "{shown}");
    let visit = visits.values().next().unwrap();
    assert_eq!(visit["by"], "head-wang");
    assert_eq!(visit["note"], note);
}
