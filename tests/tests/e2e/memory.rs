//! The relay loads documents on demand and lets idle ones go.

use std::time::Duration;

use tempfile::TempDir;

use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::{PATIENCE, RelayProcess};

async fn loaded_documents(relay: &RelayProcess) -> u64 {
    let addr = relay.addr();
    tokio::task::spawn_blocking(move || status(&addr, "loaded_documents"))
        .await
        .unwrap()
}

/// One figure from the relay's `/status`.
pub fn status(addr: &str, figure: &str) -> u64 {
    let body = http_get(addr, "/status");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v[figure].as_u64().unwrap()
}

/// A minimal HTTP/1.0 GET, to keep an HTTP client crate out of the tests.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()
}

/// Polls until `f` holds; the bound is generous, the polling is an event
/// check, not a fixed wait that the assertion depends on.
async fn eventually(relay: &RelayProcess, want: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if loaded_documents(relay).await == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "relay never reached {want} loaded documents"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn idle_documents_are_evicted_and_reloaded_on_demand() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start_with(dir.path(), &["--idle-evict-secs", "1"]);
    let mut ids = Vec::new();
    {
        let mut peer = RawPeer::join(&relay.url, "admin").await;
        for n in 0..20 {
            let mut doc = new_doc("admin", "n", &n.to_string());
            peer.sync_doc(&mut doc).await;
            ids.push((doc.document_id(), doc.heads()));
        }
        assert_eq!(loaded_documents(&relay).await, 20);
    }
    // The peer is gone: every document goes idle and is evicted.
    eventually(&relay, 0).await;

    relay.restart();
    assert_eq!(loaded_documents(&relay).await, 0, "nothing loads at start");
    let mut reader = RawPeer::join(&relay.url, "reader").await;
    let (id, heads) = ids[7].clone();
    let mut copy = wanted_doc("reader", id);
    reader.sync_doc(&mut copy).await;
    assert_eq!(copy.heads(), heads);
    assert_eq!(loaded_documents(&relay).await, 1);
}
