//! How every records test begins: a street office starts a relay on a
//! fresh data folder, signs its own device in with the street-admin token
//! (as `admin-li`), creates the street's directory and imports the sample
//! building (`tests/fixtures/residents.csv`). Each test then adds what its
//! story needs.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::cli::ok;
use super::relay_process::RelayProcess;

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The office's relay and device, right after the sample building's import.
pub struct Office {
    pub relay: RelayProcess,
    /// The relay's data folder (kept for as long as the office lives).
    pub data: TempDir,
    /// The office's `linli` device folder.
    pub device: TempDir,
    /// The street's directory (automerge URL).
    pub directory: String,
}

impl Office {
    pub fn start() -> Office {
        let data = TempDir::new().unwrap();
        let relay = RelayProcess::start(data.path());
        let device = TempDir::new().unwrap();
        let a = device.path();
        ok(
            a,
            &[
                "--token",
                &relay.admin_token,
                "init",
                "--relay",
                &relay.bare_url,
                "--as",
                "admin-li",
            ],
        );
        let directory = ok(a, &["street", "init", "东湖街道"]).trim().to_owned();
        assert!(directory.starts_with("automerge:"), "{directory}");
        let out = ok(a, &["import", fixture("residents.csv").to_str().unwrap()]);
        assert!(out.contains("0 row(s) rejected"), "{out}");
        Office {
            relay,
            data,
            device,
            directory,
        }
    }
}
