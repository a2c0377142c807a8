//! The `linli` binary, run as a user would, offline.

use std::process::{Command, Output};

fn linli(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(args)
        .env("LINLI_DIR", dir)
        .env_remove("LINLI_TOKEN")
        .env_remove("RUST_LOG")
        .output()
        .expect("run linli")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn offline_round_trip_init_new_set_show_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&linli(d, &["init", "--relay", "ws://127.0.0.1:9/sync"]));
    let url = stdout(&linli(d, &["doc", "new"])).trim().to_owned();
    assert!(url.starts_with("automerge:"), "{url}");

    stdout(&linli(
        d,
        &["doc", "set", &url, "households/h1/name", "\"王秀英\""],
    ));
    stdout(&linli(
        d,
        &[
            "doc",
            "set",
            &url,
            "households/h1/members",
            "[{\"age\": 83}]",
        ],
    ));
    let shown = stdout(&linli(d, &["doc", "show", &url, "--json"]));
    let value: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"households": {"h1": {"name": "王秀英", "members": [{"age": 83}]}}})
    );
    assert_eq!(shown.trim().lines().count(), 1, "--json is one line");

    let status = stdout(&linli(d, &["status", "--json"]));
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["documents"], 1);
    assert_eq!(status["pending_changes"], 3);
    assert_eq!(status["relay"], "ws://127.0.0.1:9/sync");
    assert_eq!(status["pending_documents"][0]["url"], url.as_str());
}

#[test]
fn bad_input_gives_clear_errors_and_non_zero_exits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = linli(d, &["init", "--relay", "http://example.org/sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ws://"));

    stdout(&linli(d, &["init", "--relay", "ws://127.0.0.1:9/sync"]));
    let url = stdout(&linli(d, &["doc", "new"])).trim().to_owned();
    let out = linli(d, &["doc", "set", &url, "name", "not json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON"));

    let out = linli(d, &["doc", "show", "automerge:badbadbad"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn sync_with_an_unreachable_relay_exits_2_with_the_pending_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    stdout(&linli(
        d,
        &["init", "--relay", &format!("ws://127.0.0.1:{port}/sync")],
    ));
    stdout(&linli(d, &["doc", "new"]));
    let out = linli(d, &["sync", "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 local change(s) not confirmed"), "{err}");
}

#[test]
fn a_task_is_corrected_hours_are_fixed_and_a_volunteer_who_left_is_removed_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| stdout(&linli(d, args));
    run(&[
        "init",
        "--relay",
        "ws://127.0.0.1:9/sync",
        "--as",
        "head-wang",
    ]);
    run(&["street", "init", "东湖街道"]);
    run(&[
        "street",
        "add-building",
        "--community",
        "东湖社区",
        "--name",
        "3栋",
    ]);
    run(&[
        "street",
        "add-board",
        "--community",
        "东湖社区",
        "--period",
        "2026-11",
    ]);
    let task = run(&[
        "task",
        "new",
        "--kind",
        "errand",
        "--title",
        "代买药",
        "--building",
        "3栋",
        "--deadline",
        "2026-11-30",
    ])
    .trim()
    .to_owned();

    let said = run(&[
        "task",
        "edit",
        &task,
        "--title",
        "代买降压药",
        "--detail",
        "药房在东门",
        "--deadline",
        "none",
    ]);
    assert!(said.contains("saved"), "{said}");
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["task", "show", &task, "--json"])).unwrap();
    assert_eq!(shown["task"]["title"], "代买降压药");
    assert_eq!(shown["task"]["detail"], "药房在东门");
    assert_eq!(shown["task"]["kind"], "errand");
    assert!(shown["task"]["deadline"].is_null(), "{shown}");
    assert_eq!(shown["status"], "open", "its events are untouched");
    let again = run(&["task", "edit", &task, "--title", "代买降压药"]);
    assert!(again.contains("nothing to change"), "{again}");
    let bad = linli(d, &["task", "edit", &task, "--deadline", "30/11/2026"]);
    assert!(!bad.status.success());

    run(&["street", "add-team", "--name", "便民服务队"]);
    let vid = run(&[
        "volunteer",
        "add",
        "--team",
        "便民服务队",
        "--name",
        "李娜",
        "--phone",
        "139-0000-0001",
    ])
    .trim()
    .to_owned();
    let listed: serde_json::Value =
        serde_json::from_str(&run(&["volunteer", "list", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Hours logged by mistake are listed with their id and removed.
    let said = run(&["hours", "log", "--volunteer", &vid, "--minutes", "600"]);
    let entry = said.rsplit(' ').next().unwrap().trim().to_owned();
    let hours: serde_json::Value =
        serde_json::from_str(&run(&["hours", "list", "--json"])).unwrap();
    assert_eq!(hours[0]["id"], entry.as_str(), "{said}");
    assert_eq!(hours[0]["entry"]["minutes"], 600);
    assert!(run(&["hours", "list"]).contains(&entry));
    run(&[
        "hours",
        "log",
        "--volunteer",
        &vid,
        "--minutes",
        "60",
        "--date",
        "2026-11-20",
    ]);
    let said = run(&["hours", "remove", &entry]);
    assert!(said.contains("600 minute(s)"), "{said}");
    let hours: serde_json::Value =
        serde_json::from_str(&run(&["hours", "list", "--volunteer", &vid, "--json"])).unwrap();
    assert_eq!(hours.as_array().unwrap().len(), 1);
    assert_eq!(hours[0]["entry"]["minutes"], 60);
    assert!(!linli(d, &["hours", "remove", &entry]).status.success());

    let said = run(&["volunteer", "remove", &vid]);
    assert!(said.contains("removed"), "{said}");
    let listed: serde_json::Value =
        serde_json::from_str(&run(&["volunteer", "list", "--json"])).unwrap();
    assert_eq!(listed, serde_json::json!([]));
    let gone = linli(d, &["volunteer", "remove", &vid]);
    assert!(!gone.status.success(), "removing twice is an error");
}

/// `linli … | head`: the reader goes away before linli has printed
/// everything. The command ends quietly (no panic, no backtrace).
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&linli(d, &["init", "--relay", "ws://127.0.0.1:9/sync"]));
    stdout(&linli(d, &["street", "init", "东湖街道"]));
    for args in [&["street", "show"][..], &["status"], &["status", "--json"]] {
        // The read end is closed before linli starts, so its very first
        // write meets a broken pipe (as `head` exiting early gives).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_linli"))
            .args(args)
            .env("LINLI_DIR", d)
            .env_remove("LINLI_TOKEN")
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .stdout(writer)
            .output()
            .expect("run linli");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "linli {args:?} said: {err}");
        assert!(
            out.status.success() || killed_by_sigpipe(&out.status),
            "linli {args:?}: {:?}",
            out.status
        );
    }
}

#[cfg(unix)]
fn killed_by_sigpipe(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt as _;
    status.signal() == Some(13)
}

#[cfg(not(unix))]
fn killed_by_sigpipe(_: &std::process::ExitStatus) -> bool {
    false
}
