//! End-to-end tests live in `tests/`. This library holds what other
//! packages' tests share with them.

use std::process::Command;

/// Builds `linli-relay` and `linli` (cargo does not build another package's
/// binaries for a test). Every test that runs them builds the same packages,
/// so one feature resolution serves all and later builds are no-ops.
///
/// # Panics
///
/// When cargo cannot be run or the build fails: the test cannot go on.
pub fn build_linli_binaries() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "linli-server",
            "-p",
            "linli-client",
            "--bins",
        ])
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build of the linli binaries failed");
}
