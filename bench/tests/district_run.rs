//! The district benchmark's harness works: `linli-bench district --quick`
//! sets up three small streets, links them to a hub on SQLite and on
//! PostgreSQL (real relay processes, a throwaway cluster), waits until the
//! hub has everything and prints a row for each figure. No figure is
//! asserted.

use std::process::Command;

#[test]
fn a_quick_district_run_reports_both_hubs() {
    linli_tests::build_linli_binaries();

    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .args(["district", "--quick", "--timeout-secs", "300"])
        .output()
        .expect("run linli-bench district");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench district --quick failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("3 streets of the building preset feed one hub"),
        "{stdout}"
    );
    for row in [
        "time until the hub holds everything, s",
        "hub peak RSS, MB",
        "hub CPU, s",
        "documents shared up",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {row} |")))
            .unwrap_or_else(|| panic!("no row for {row}:\n{stdout}"));
        // | what | SQLite | PostgreSQL | ratio |
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_ne!(cells[3], "–", "no PostgreSQL figure: {line}");
    }
}
