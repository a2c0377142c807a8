//! The benchmark harness itself works: every workload runs on both relays
//! (real processes, real sockets, real storage) and reports a figure for
//! each. `--quick` sizes are tiny; no timing is asserted.

use std::process::Command;

#[test]
fn every_workload_runs_on_both_relays() {
    // linli-relay comes from another package of the workspace: make sure
    // the binary beside this one is current.
    linli_tests::build_linli_binaries();

    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .arg("--quick")
        .output()
        .expect("run linli-bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench --quick failed:\n{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workload"))
        .collect();
    for workload in [
        "edit → visible, idle",
        "edit → visible, under load",
        "saturation",
        "idle peers",
        "store the street",
        "fresh device fetches one building",
        "street admin's first full sync",
        "cold start",
        "full sync, first after a restart",
        "disk",
        "street admin's first full sync ÷ local load",
        "small edit during the street admin's first sync",
    ] {
        assert!(
            rows.iter()
                .any(|r| r.starts_with(&format!("| {workload} |"))),
            "no row for {workload}:\n{stdout}"
        );
    }
    // The first sync beside the local load of the same documents, in the
    // same run, and their ratio.
    for metric in [
        "first full sync",
        "local load of the same documents",
        "sync ÷ local load",
    ] {
        assert!(
            rows.iter().any(|r| r.starts_with(&format!(
                "| street admin's first full sync ÷ local load | {metric} |"
            ))),
            "no row for {metric}:\n{stdout}"
        );
    }
    // The floor under idle latency, and many idle peers (20 when quick).
    for workload in ["floor", "20 idle peers"] {
        assert!(
            rows.iter()
                .any(|r| r.starts_with(&format!("| {workload} |"))),
            "no row for {workload}:\n{stdout}"
        );
    }
    // The fan-out grid, driven by linli's peer and by samod's Repo.
    for driver in ["linli peer", "samod Repo"] {
        assert!(
            rows.iter()
                .any(|r| r.starts_with("| grid: ") && r.contains(&format!(", {driver} | p99 |"))),
            "no grid row for the {driver} driver:\n{stdout}"
        );
    }
    for row in &rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | workload | metric | linli | samod | ratio | better |
        // A workload that fails on one relay leaves "–" (the run goes on).
        assert_ne!(cells[2], "–", "linli gave no figure: {row}");
        assert_ne!(cells[3], "–", "samod gave no figure: {row}");
    }
}
