//! Connections cut at random during sync: a proxy between the client and
//! the relay drops every connection after a random number of bytes. The
//! client keeps reconnecting and, in the end, nothing is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::client_sync::{get, put, sync};
use super::relay_process::{PATIENCE, RelayProcess};

/// Forwards to `upstream`, cutting each connection after a pseudo-random
/// 300–3300 bytes in either direction. Returns the proxy's address and a count of
/// cuts.
async fn cutting_proxy(upstream: String) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cuts = Arc::new(AtomicU64::new(0));
    let counter = cuts.clone();
    tokio::spawn(async move {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let budget = 300 + (seed % 3000) as usize;
            let upstream = upstream.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = pump(&mut cr, &mut sw, budget);
                let down = pump(&mut sr, &mut cw, budget);
                // Whichever side runs out first cuts the whole connection.
                let cut = tokio::select! {
                    c = up => c,
                    c = down => c,
                };
                if cut {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    (addr, cuts)
}

/// Copies until EOF or `budget` bytes; true if the budget ran out.
async fn pump<R, W>(from: &mut R, to: &mut W, mut budget: usize) -> bool
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        let n = n.min(budget);
        if to.write_all(&buf[..n]).await.is_err() {
            return false;
        }
        budget -= n;
        if budget == 0 {
            return true;
        }
    }
}

#[tokio::test]
async fn sync_through_a_connection_cut_again_and_again_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let (proxy, cuts) = cutting_proxy(relay.addr()).await;
    let flaky_url = relay.url.replace(&relay.addr(), &proxy);

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
