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

/// Asks `/readyz` until it answers `code`, or fails after the patience.
fn readyz_becomes(addr: &str, code: u16) -> String {
    let deadline = std::time::Instant::now() + super::relay_process::PATIENCE;
    loop {
        let (got, body) = http_get(addr, "/readyz");
        if got == code {
            return body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "/readyz still answers {got}: {body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Told to stop, a relay with a drain time first says it is not ready,
/// while devices already connected keep syncing, so a load balancer moves
/// them elsewhere before their connections close; a second signal ends
/// the drain and the relay stops cleanly.
#[tokio::test]
async fn a_draining_relay_is_not_ready_while_its_connections_still_sync() {
    use super::raw_peer::{RawPeer, new_doc};
    use automerge::ROOT;
    use automerge::transaction::Transactable;

    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start_with(dir.path(), &["--drain-secs", "600"]);
    let mut head = RawPeer::join(&relay.url, "head").await;
    let mut building = new_doc("head", "building", "3号楼");
    assert_eq!(head.sync_doc(&mut building).await, Some("sync"));
    assert_eq!(http_get(&relay.addr(), "/readyz").0, 200);

    relay.signal_term();
    let body = readyz_becomes(&relay.addr(), 503);
    assert!(body.contains("draining"), "{body}");
    assert_eq!(http_get(&relay.addr(), "/livez").0, 200);

    // The open connection still stores edits while the relay drains.
    let mut tx = building.doc_mut().transaction();
    tx.put(ROOT, "note", "visited while draining").unwrap();
    tx.commit();
    assert_eq!(head.sync_doc(&mut building).await, Some("sync"));

    assert_eq!(relay.terminate(), Some(0), "a second signal stops it");
}

/// The relay's database is at its size cap (`--max-storage-mb`, the disk
/// full of `disk_full.rs`): another writer has taken the room, so no change
/// of any size would fit. The relay is live but not ready, and says the
/// disk is full; once room is made it is ready again.
#[test]
fn a_relay_whose_disk_is_full_is_live_but_not_ready() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start_with(dir.path(), &["--max-storage-mb", "1"]);
    assert_eq!(http_get(&relay.addr(), "/readyz").0, 200);

    let db = rusqlite::Connection::open(dir.path().join("relay.sqlite")).unwrap();
    db.busy_timeout(Duration::from_secs(60)).unwrap();
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('test.filler', zeroblob(?1))",
        [2 * 1024 * 1024],
    )
    .unwrap();
    let (code, body) = http_get(&relay.addr(), "/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("storage is not writable"), "{body}");
    assert!(body.contains("full"), "{body}");
    assert_eq!(http_get(&relay.addr(), "/livez").0, 200);

    db.execute("DELETE FROM meta WHERE key = 'test.filler'", [])
        .unwrap();
    assert_eq!(http_get(&relay.addr(), "/readyz").0, 200);
}
