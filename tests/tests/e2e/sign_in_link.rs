//! `linli-relay token create --public-url`: the sign-in link and QR code the
//! street office hands to a building head, as the field app reads them.

use std::path::Path;
use std::process::{Command, Output};

use linli_protocol::DocumentId;
use tempfile::TempDir;

use super::relay_process::{admin, binary};

/// Runs `linli-relay token create ARGS` on `data`, with `LINLI_PUBLIC_URL`
/// from `public_url_env` only (never from the test's environment).
fn token_create(data: &Path, args: &[&str], public_url_env: Option<&str>) -> Output {
    let mut command = Command::new(binary("linli-relay"));
    command
        .args(["token", "create"])
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .env_remove("LINLI_PUBLIC_URL")
        .env_remove("LINLI_DIRECTORY");
    if let Some(url) = public_url_env {
        command.env("LINLI_PUBLIC_URL", url);
    }
    let out = command.output().expect("run linli-relay token create");
    assert!(
        out.status.success(),
        "token create {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A relay data folder whose street directory is set.
fn street_with_directory() -> (TempDir, DocumentId) {
    let data = TempDir::new().unwrap();
    let directory = DocumentId::random(&mut rand::rng());
    admin(data.path(), &["directory", "set", &directory.url()]);
    (data, directory)
}

/// The secret: standard output is that one line and nothing else, so
/// `SECRET=$(linli-relay token create …)` keeps working.
fn secret_of(out: &Output) -> String {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout must be the secret alone: {stdout:?}"
    );
    assert!(lines[0].starts_with("linli_"), "{stdout:?}");
    lines[0].to_owned()
}

/// The sign-in link printed on standard error, if any.
fn link_of(out: &Output) -> Option<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find(|l| l.contains("#token="))
        .map(str::to_owned)
}

/// The link's fragment, decoded as the app's `URLSearchParams` does.
fn fragment(link: &str) -> (url::Url, Vec<(String, String)>) {
    let url = url::Url::parse(link).expect("the link is a URL");
    let pairs = url::form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (url, pairs)
}

fn has_qr_code(out: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.lines().filter(|l| l.contains('█')).count() > 10
}

#[test]
fn the_sign_in_link_parses_back_to_the_token_the_directory_and_the_person() {
    let (data, directory) = street_with_directory();
    let out = token_create(
        data.path(),
        &[
            "--role",
            "building-head",
            "--scope",
            "building:b0103",
            "--name",
            "wang-phone",
            "--person",
            "head wang+1",
            "--public-url",
            "http://192.168.1.20:7171",
        ],
        None,
    );
    let secret = secret_of(&out);
    let link = link_of(&out).expect("a sign-in link on stderr");
    let (url, pairs) = fragment(&link);
    assert_eq!(
        url.as_str().split('#').next(),
        Some("http://192.168.1.20:7171/")
    );
    assert_eq!(
        pairs,
        vec![
            ("token".to_owned(), secret),
            ("directory".to_owned(), directory.url()),
            ("as".to_owned(), "head wang+1".to_owned()),
        ]
    );
    assert!(has_qr_code(&out), "a QR code is drawn on stderr");
}

#[test]
fn without_a_public_url_token_create_prints_the_secret_alone_as_before() {
    let (data, _) = street_with_directory();
    let out = token_create(
        data.path(),
        &[
            "--role",
            "viewer",
            "--scope",
            "community:c1",
            "--name",
            "board",
        ],
        None,
    );
    secret_of(&out);
    assert_eq!(link_of(&out), None);
    assert!(!has_qr_code(&out));
}

#[test]
fn the_public_url_can_come_from_linli_public_url_and_the_person_defaults_to_the_name() {
    let (data, directory) = street_with_directory();
    let out = token_create(
        data.path(),
        &[
            "--role",
            "volunteer",
            "--scope",
            "team:t1",
            "--name",
            "vol-li",
        ],
        Some("https://linli.example.org/street-7/"),
    );
    let secret = secret_of(&out);
    let (url, pairs) = fragment(&link_of(&out).expect("a sign-in link"));
    assert_eq!(
        url.as_str().split('#').next(),
        Some("https://linli.example.org/street-7/")
    );
    assert!(pairs.contains(&("token".to_owned(), secret)));
    assert!(pairs.contains(&("directory".to_owned(), directory.url())));
    assert!(pairs.contains(&("as".to_owned(), "vol-li".to_owned())));
}

#[test]
fn without_a_street_directory_there_is_no_link_and_the_office_is_told_why() {
    let data = TempDir::new().unwrap();
    let out = token_create(
        data.path(),
        &[
            "--role",
            "building-head",
            "--scope",
            "building:b1",
            "--name",
            "wang",
            "--public-url",
            "http://192.168.1.20:7171",
        ],
        None,
    );
    secret_of(&out);
    assert_eq!(link_of(&out), None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("linli-relay directory set"), "{stderr}");
}

#[test]
fn a_public_url_that_phones_cannot_open_makes_no_token() {
    let (data, _) = street_with_directory();
    let out = Command::new(binary("linli-relay"))
        .args([
            "token",
            "create",
            "--role",
            "street-admin",
            "--name",
            "office",
            "--public-url",
            "ws://192.168.1.20:7171/sync",
        ])
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no secret printed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"));
    assert!(!admin(data.path(), &["token", "list"]).contains("office"));
}
