//! The soak's harness works: `linli-bench soak --quick` stores a street,
//! edits, reads and churns against a real linli-relay for a few seconds and
//! prints its per-interval table and the memory summary. No figure is
//! asserted; the real run is a script (see BENCHMARKS.md).

use std::process::Command;

#[test]
fn a_quick_soak_reports_every_interval_and_the_memory_trend() {
    linli_tests::build_linli_binaries();

    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .args(["soak", "--quick"])
        .output()
        .expect("run linli-bench soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench soak --quick failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("| minute | relay RSS MB | database MB | WAL MB | connections |"));
    let rows = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| minute"))
        .count();
    assert!(rows >= 1, "no interval reported:\n{stdout}");
    assert!(stdout.contains("relay RSS: first interval"), "{stdout}");
}
