//! Connections cut at random during sync: a proxy between the client and
//! the relay drops every connection after a random number of bytes. The
//! client keeps reconnecting and, in the end, nothing is lost.

use std::sync::atomic::Ordering;

use tempfile::TempDir;

use super::client_sync::{get, put, sync};
use super::fault_proxy::{FaultProxy, cutting, fault_seed};
use super::relay_process::{PATIENCE, RelayProcess};

#[tokio::test]
async fn sync_through_a_connection_cut_again_and_again_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    // Every connection is cut after 300–3300 bytes in either direction,
    // mostly in the middle of a frame.
    let seed = fault_seed("flaky network");
    let proxy = FaultProxy::start(relay.addr(), cutting(seed, 300..3300)).await;
    let cuts = &proxy.counts.truncations;
    let flaky_url = proxy.url(&relay.url, &relay.addr());

    let home = TempDir::new().unwrap();
    let head = linli_client::Client::open(home.path()).unwrap();
    let mut docs = Vec::new();
    for b in 0..4 {
        let doc = head.create().unwrap();
        for i in 0..60 {
            put(&head, doc, &format!("h{i}"), &format!("楼{b} 户{i} 已走访"));
        }
        docs.push(doc);
    }
    // The live sync loop, over the flaky link, keeps reconnecting.
    let handle = head.connect(flaky_url.as_str()).unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE * 2;
    let mut events = head.subscribe_all();
    while head.summary().unwrap().pending.changes > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {} changes unconfirmed after {} cuts",
            head.summary().unwrap().pending.changes,
            cuts.load(Ordering::Relaxed)
        );
        let _ = tokio::time::timeout_at(deadline, events.recv()).await;
    }
    handle.stop().await;
    println!(
        "confirmed everything across {} cuts",
        cuts.load(Ordering::Relaxed)
    );
    assert!(
        cuts.load(Ordering::Relaxed) > 0,
        "the proxy never cut anything"
    );

    // A fresh device straight on the relay sees every edit.
    let fresh_home = TempDir::new().unwrap();
    let fresh = linli_client::Client::open(fresh_home.path()).unwrap();
    for doc in &docs {
        fresh.want(*doc).unwrap();
    }
    sync(&fresh, &relay.url).await;
    for (b, doc) in docs.iter().enumerate() {
        assert_eq!(fresh.heads(*doc).unwrap(), head.heads(*doc).unwrap());
        assert_eq!(
            get(&fresh, *doc, "h59").as_deref(),
            Some(format!("楼{b} 户59 已走访").as_str())
        );
    }
}
