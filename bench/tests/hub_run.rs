//! The district hub's benchmark harness works: `linli-bench hub --quick`
//! runs the saturation workload on linli-relay with SQLite, with a
//! throwaway PostgreSQL it starts (or the one in `LINLI_BENCH_POSTGRES`),
//! and on two relay processes sharing that PostgreSQL, and prints a row
//! with all three. No figure is asserted; the real run is in BENCHMARKS.md.

use std::process::Command;

#[test]
fn a_quick_hub_run_measures_sqlite_and_one_and_two_postgres_processes() {
    linli_tests::build_linli_binaries();

    let mut bench = Command::new(env!("CARGO_BIN_EXE_linli-bench"));
    bench.args(["hub", "--quick"]).env("RUST_LOG", "warn");
    // The PostgreSQL CI started for the tests serves here too.
    if let Ok(given) = std::env::var("LINLI_TEST_POSTGRES") {
        bench.env("LINLI_BENCH_POSTGRES", given);
    }
    let out = bench.output().expect("run linli-bench hub");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linli-bench hub --quick failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "| workload | metric | SQLite | PostgreSQL, 1 process | PostgreSQL, 2 processes |"
        ),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("| saturation | edits acknowledged / s |"))
        .unwrap_or_else(|| panic!("no saturation row:\n{stdout}"));
    assert_eq!(
        row.matches('|').count(),
        6,
        "a figure for each of the three: {row}"
    );
    assert!(!row.contains('–'), "every run measured: {row}");
}
