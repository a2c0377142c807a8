//! The relay's probes, asked over real HTTP: `/livez` and `/healthz` say
//! the process answers; `/readyz` says whether its storage takes writes.

use std::time::Duration;

use tempfile::TempDir;

use super::relay_process::RelayProcess;

/// A minimal HTTP/1.0 GET: the status code and the body.
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(super::relay_process::PATIENCE))
        .unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (code, body)
}

#[test]
fn a_serving_relay_is_live_and_ready() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    for path in ["/livez", "/healthz", "/readyz"] {
        assert_eq!(
            http_get(&relay.addr(), path),
            (200, "ok\n".to_owned()),
            "{path}"
        );
    }
}

/// Another process holds the database's write lock longer than the relay
/// waits for it, so no edit could be stored: the relay is live, but not
/// ready, and says why; once the lock is gone it is ready again.
#[test]
fn a_relay_whose_storage_takes_no_writes_is_live_but_not_ready() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("relay.sqlite")).unwrap();
    db.busy_timeout(Duration::from_secs(60)).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();

    let (code, body) = http_get(&relay.addr(), "/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("storage is not writable"), "{body}");
    assert_eq!(http_get(&relay.addr(), "/livez").0, 200);

    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(http_get(&relay.addr(), "/readyz").0, 200);
}
