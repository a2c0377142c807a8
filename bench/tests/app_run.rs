//! The field app's benchmark harness works: `linli-bench app --quick` sets
//! up a small street with the `linli` CLI, drives Debian's Chromium
//! against the real relay through every step and prints a row for each
//! figure. No time is asserted; only that each figure was measured.
//!
//! Needs node, `/usr/bin/chromium` (or `LINLI_CHROMIUM`) and `npm ci` in
//! `web/`, as the browser e2e test does; `./test.sh` installs them.

use std::process::Command;

#[test]
fn every_field_app_figure_is_measured_in_the_browser() {
    linli_tests::build_linli_binaries();

    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .args(["app", "--quick"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-bench app");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench app --quick failed:\n{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    for figure in [
        "app shell + wasm, gzipped",
        "cached open → household list, 60-household building",
        "first sign-in → household list, Fast 3G on every byte",
        "first sign-in → household list, CDP Fast 3G",
        "grid worker, 10 buildings: cached open",
        "grid worker, 10 buildings: memory",
        "log a visit → \"saved on the relay\", online (app)",
        "the same with the CLI",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {figure}")))
            .unwrap_or_else(|| panic!("no row for {figure}:\n{stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | figure | measured | goal | verdict |
        assert!(
            cells[2].chars().any(|c| c.is_ascii_digit()),
            "no figure in {row}"
        );
    }
}

/// `linli-bench office --quick` sets up the community preset, opens the
/// office's figures page in Chromium and times the relay's endpoints and
/// the whole street on a fresh device: each row is measured.
#[test]
fn every_office_figure_is_measured() {
    linli_tests::build_linli_binaries();
    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .args(["office", "--quick"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-bench office");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench office --quick failed:\n{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    for figure in [
        "figures page opened (app cached, signed in)",
        "figures page, first sign-in by link",
        "GET /api/office/figures, cold",
        "GET /api/office/figures, warm",
        "GET /api/office/key-groups, warm",
        "every document to a fresh `linli` device",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {figure}")))
            .unwrap_or_else(|| panic!("no row for {figure}:\n{stdout}"));
        assert!(row.contains(" ms"), "{row}");
        assert!(!row.contains("NaN"), "{row}");
    }
}
