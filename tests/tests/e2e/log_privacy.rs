//! What the relay's log never says: no token, no resident's name or phone.
//! A street's morning runs against a relay whose log is kept at trace level
//! (everything any crate says, far more than an operator sees): the office imports a building
//! of the project's street generator and its volunteers, makes tokens for a
//! building head, a grid worker and a viewer, the head edits households and
//! syncs, the grid worker syncs, and a revoked and an unknown token are
//! refused. Then
//! the whole log is searched for every secret and every resident's and
//! volunteer's name and phone used. With `--log-format json` every line is a JSON object, as log
//! collectors expect.

use std::collections::BTreeSet;
use std::path::Path;

use linli_gen::{DEFAULT_SEED, Preset, RESIDENT_COLUMNS, VOLUNTEER_COLUMNS, generate};
use tempfile::TempDir;

use super::auth::{upgrade_status, with_token};
use super::cli::{linli, ok};
use super::relay_process::{PATIENCE, RelayProcess, admin};

/// Everything the log must never contain.
struct Secrets {
    tokens: Vec<String>,
    personal: BTreeSet<String>,
}

/// The names and phones of every row of `csv`, a file the generator wrote
/// with `columns`.
fn names_and_phones(csv: &str, columns: &[&str]) -> BTreeSet<String> {
    let column = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .expect("a generator column")
    };
    let (name, phone) = (column("name"), column("phone"));
    csv.lines()
        .skip(1)
        .flat_map(|row| {
            let fields: Vec<&str> = row.split(',').collect();
            [fields[name].to_owned(), fields[phone].to_owned()]
        })
        .filter(|v| !v.is_empty())
        .collect()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("linli {args:?}: {e}: {text}"))
}

/// A device signed in with `token` as `person`.
fn signed_in(relay: &RelayProcess, token: &str, person: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let args = [
        "--token",
        token,
        "init",
        "--relay",
        &relay.bare_url,
        "--as",
        person,
    ];
    ok(dir.path(), &args);
    dir
}

/// Waits until the relay refuses `secret` (it follows the admin CLI's
/// revocation within a second).
fn until_refused(relay: &RelayProcess, secret: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while upgrade_status(&with_token(relay, secret), None).await != 401 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the relay never refused the revoked token"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
}

/// Runs the street's morning against a relay started with `log_args`, and
/// returns its whole log and what it must not contain.
fn a_logged_morning(log_args: &[&str]) -> (String, Secrets) {
    let data = TempDir::new().unwrap();
    let (mut relay, log) = RelayProcess::start_logged_with(data.path(), "trace", log_args);

    // The office imports a generated building and its volunteers.
    let street = generate(Preset::Building.shape(), DEFAULT_SEED);
    let files = TempDir::new().unwrap();
    let residents = files.path().join("residents.csv");
    let volunteers = files.path().join("volunteers.csv");
    std::fs::write(&residents, &street.residents_csv).unwrap();
    std::fs::write(&volunteers, &street.volunteers_csv).unwrap();
    let office = signed_in(&relay, &relay.admin_token, "admin-li");
    let o = office.path();
    let directory = ok(o, &["street", "init", "东湖街道"]).trim().to_owned();
    for file in [&residents, &volunteers] {
        let out = ok(o, &["import", file.to_str().unwrap()]);
        assert!(out.contains(" 0 row(s) rejected"), "{out}");
    }
    ok(o, &["sync", "--timeout", "60"]);
    let mut args = log_args.to_vec();
    args.extend(["--directory", &directory]);
    relay.restart_with(&args);

    // Tokens for the building's head and grid worker, and a viewer.
    let shown = json(o, &["street", "show", "--json"]);
    let building = shown["directory"]["buildings"]
        .as_object()
        .and_then(|b| b.keys().next().cloned())
        .expect("one building");
    let scope = format!("building:{building}");
    let head_token = relay.create_token("building-head", &scope, "head-1");
    let grid_token = relay.create_token("grid-worker", &scope, "grid-1");
    let viewer_token = relay.create_token("viewer", &scope, "viewer-1");

    // The head edits two households and adds a member; both devices sync.
    let head = signed_in(&relay, &head_token, "head-1");
    let h = head.path();
    ok(h, &["street", "use", &directory]);
    let households = json(h, &["household", "list", "--json"]);
    let first = households[0]["id"]
        .as_str()
        .expect("a household")
        .to_owned();
    let shown = json(h, &["household", "show", &first, "--json"]);
    let member = shown["household"]["members"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .expect("a member");
    ok(
        h,
        &["household", "edit", &first, "--notes", "独居老人，每周探访"],
    );
    ok(h, &["visit", "log", &first, "--note", "血压正常"]);
    ok(
        h,
        &[
            "member",
            "edit",
            &first,
            &member,
            "--phone",
            "139-0000-1111",
        ],
    );
    let added = [
        "member",
        "add",
        &first,
        "--name",
        "倪小明",
        "--birth-year",
        "2015",
    ];
    ok(h, &[&added[..], &["--relation", "grandchild"]].concat());
    ok(h, &["sync", "--timeout", "60"]);
    let grid = signed_in(&relay, &grid_token, "grid-1");
    ok(grid.path(), &["street", "use", &directory]);
    let seen = json(grid.path(), &["household", "show", &first, "--json"]);
    assert_eq!(
        seen["household"]["members"][&member]["phone"],
        "139-0000-1111"
    );

    // A revoked token and one never made are refused.
    admin(&relay.data, &["token", "revoke", "viewer-1"]);
    until_refused(&relay, &viewer_token);
    let viewer = TempDir::new().unwrap();
    for (dir, token) in [
        (&viewer, viewer_token.as_str()),
        (&TempDir::new().unwrap(), "linli_never_made_by_this_relay"),
    ] {
        ok(
            dir.path(),
            &["--token", token, "init", "--relay", &relay.bare_url],
        );
        let refused = linli(dir.path(), &["sync", "--timeout", "10"]);
        assert!(!refused.status.success(), "the relay refused the token");
    }
    ok(h, &["sync", "--timeout", "60"]);

    let mut personal = names_and_phones(&street.residents_csv, &RESIDENT_COLUMNS);
    personal.extend(names_and_phones(&street.volunteers_csv, &VOLUNTEER_COLUMNS));
    personal
        .extend(["倪小明", "139-0000-1111", "独居老人，每周探访", "血压正常"].map(String::from));
    let tokens = vec![
        relay.admin_token.clone(),
        head_token,
        grid_token,
        viewer_token,
        "linli_never_made_by_this_relay".to_owned(),
    ];
    drop(relay);
    (log.text(), Secrets { tokens, personal })
}

/// Fails naming what the log said that it never may.
fn assert_says_nothing_private(log: &str, secrets: &Secrets) {
    assert!(log.contains("peer joined"), "the log was captured: {log}");
    for token in &secrets.tokens {
        assert!(!log.contains(token.as_str()), "the relay logged a token");
    }
    let said: Vec<&String> = secrets
        .personal
        .iter()
        .filter(|p| log.contains(p.as_str()))
        .collect();
    assert!(
        said.is_empty(),
        "the relay logged residents' data: {said:?}"
    );
    assert!(
        secrets.personal.len() > 100,
        "the search covered the residents"
    );
}

#[test]
fn the_json_log_is_one_json_object_a_line_and_never_names_a_resident_or_a_token() {
    let (log, secrets) = a_logged_morning(&["--log-format", "json"]);
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 10, "{log}");
    for line in &lines {
        let parsed: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {line}"));
        assert!(parsed.is_object() && parsed["level"].is_string(), "{line}");
    }
    assert_says_nothing_private(&log, &secrets);
}

#[test]
fn the_text_log_never_names_a_resident_or_a_token() {
    let (log, secrets) = a_logged_morning(&[]);
    assert!(
        serde_json::from_str::<serde_json::Value>(log.lines().next().unwrap_or("")).is_err(),
        "text by default"
    );
    assert_says_nothing_private(&log, &secrets);
}
