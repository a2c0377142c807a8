//! `linli-bench gen` writes a synthetic street a newcomer can import: the
//! same seed gives the same bytes, and the `linli` CLI imports its files
//! with no rejected row.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_linli-bench"))
        .args(args)
        .output()
        .expect("run linli-bench");
    succeeded("linli-bench", args, &out)
}

/// The `linli` binary beside this package's (same target folder).
fn linli_binary() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_linli-bench")).with_file_name("linli")
}

fn linli(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(linli_binary())
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("LINLI_AS")
        .env_remove("LINLI_TOKEN")
        .output()
        .expect("run linli");
    succeeded("linli", args, &out)
}

fn succeeded(program: &str, args: &[&str], out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn gen_into(dir: &Path, args: &[&str]) -> String {
    let out = dir.to_str().expect("UTF-8 temp path");
    bench(&[&["gen", "--out", out], args].concat())
}

#[test]
fn the_same_seed_writes_the_same_files() {
    let (a, b, c) = (
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
        TempDir::new().unwrap(),
    );
    let said = gen_into(a.path(), &["--preset", "building"]);
    assert!(
        said.starts_with("wrote 60 households, ") && said.contains(", 20 volunteers to "),
        "{said}"
    );
    gen_into(b.path(), &["--preset", "building"]);
    gen_into(c.path(), &["--preset", "building", "--seed", "1"]);
    for file in ["residents.csv", "volunteers.csv"] {
        let read = |d: &TempDir| std::fs::read(d.path().join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file} differs between two runs");
        assert_ne!(read(&a), read(&c), "{file} ignores the seed");
    }
}

#[test]
fn the_shape_can_be_changed_from_the_preset() {
    let dir = TempDir::new().unwrap();
    let said = gen_into(
        dir.path(),
        &[
            "--preset",
            "street",
            "--communities",
            "2",
            "--buildings",
            "3",
            "--volunteers",
            "7",
        ],
    );
    assert!(said.starts_with("wrote 360 households, "), "{said}");
    assert!(said.contains(", 7 volunteers to "), "{said}");
}

#[test]
fn the_linli_cli_imports_a_generated_community_with_no_rejected_row() {
    linli_tests::build_linli_binaries();
    let data = TempDir::new().unwrap();
    gen_into(data.path(), &["--preset", "community"]);

    // Offline, as a street admin setting up: nothing here needs a relay.
    let device = TempDir::new().unwrap();
    let d = device.path();
    linli(
        d,
        &[
            "--token",
            "linli_unused",
            "init",
            "--relay",
            "ws://127.0.0.1:9/sync",
            "--as",
            "admin",
        ],
    );
    linli(d, &["street", "init", "东湖街道"]);
    for file in ["residents.csv", "volunteers.csv"] {
        let path = data.path().join(file);
        let out = linli(d, &["import", path.to_str().unwrap()]);
        assert!(
            out.contains(" change(s), 0 row(s) rejected"),
            "{file}: {out}"
        );
    }
    let shown = linli(d, &["street", "show", "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        shown["directory"]["buildings"].as_object().map(|b| b.len()),
        Some(30)
    );
    assert_eq!(
        shown["directory"]["teams"].as_object().map(|t| t.len()),
        Some(6)
    );
}
