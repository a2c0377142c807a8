//! Fresh devices fetching a large document: the relay answers a peer that
//! holds nothing from whole-document bytes it keeps (a first fetch's save,
//! a compaction's snapshot), and each peer's sync then goes on as usual,
//! whether the peer is linli's client or samod.

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use linli_client::Client;
use tempfile::TempDir;

use super::client_sync::{get, put, sync};
use super::interop_samod::{samod_doc_id, with_samod};
use super::relay_process::{PATIENCE, RelayProcess};

/// Households in the document: enough that its encoding is well above what
/// the relay keeps (`linli_protocol::MIN_KEPT_BYTES`).
const HOUSEHOLDS: usize = 3000;

/// Fills `doc` on `client` with a household record per key, text that does
/// not compress away.
fn fill_large(client: &Client, doc: linli_client::DocumentId) {
    client
        .change(doc, |tx| {
            let mut x: u64 = 0x2545_f491_4f6c_dd1d;
            for i in 0..HOUSEHOLDS {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                tx.put(automerge::ROOT, format!("h{i:04}"), format!("{x:016x}{i}"))?;
            }
            Ok(())
        })
        .unwrap();
}

/// Waits for a remote change to `doc` on `client` after which `key` reads
/// `value`.
async fn wait_for(
    client: &Client,
    events: &mut tokio::sync::broadcast::Receiver<linli_client::DocEvent>,
    doc: linli_client::DocumentId,
    key: &str,
    value: &str,
) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let read = || {
        client
            .read(doc, |d| {
                d.get(automerge::ROOT, key)
                    .ok()
                    .flatten()
                    .and_then(|(v, _)| v.into_string().ok())
            })
            .ok()
            .flatten()
    };
    while read().as_deref() != Some(value) {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("{key} never became {value}"));
        // Missed events (lagged) are fine: the document is read again.
        assert!(
            !matches!(event, Err(tokio::sync::broadcast::error::RecvError::Closed)),
            "events closed"
        );
    }
}

#[tokio::test]
async fn fresh_linli_and_samod_peers_fetch_a_large_document_then_get_later_edits() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let homes: Vec<TempDir> = (0..3).map(|_| TempDir::new().unwrap()).collect();
    let author = Client::open(homes[0].path()).unwrap();
    let doc = author.create().unwrap();
    fill_large(&author, doc);
    sync(&author, &relay.url).await;

    // First fresh device: the relay saves the document once and keeps it.
    let first = Client::open(homes[1].path()).unwrap();
    first
        .fetch(relay.url.as_str(), doc, PATIENCE)
        .await
        .unwrap();
    assert_eq!(first.heads(doc).unwrap(), author.heads(doc).unwrap());

    // Second fresh device, live: answered from the kept bytes, and the
    // same connection then carries the author's next edit.
    let second = Client::open(homes[2].path()).unwrap();
    second.want(doc).unwrap();
    let mut events = second.subscribe(doc);
    let live = second.connect(relay.url.as_str()).unwrap();
    assert!(live.wait_connected(PATIENCE).await);
    wait_for(
        &second,
        &mut events,
        doc,
        "h2999",
        &get(&author, doc, "h2999").unwrap(),
    )
    .await;
    put(&author, doc, "note", "first edit after the fetch");
    sync(&author, &relay.url).await;
    wait_for(
        &second,
        &mut events,
        doc,
        "note",
        "first edit after the fetch",
    )
    .await;
    live.stop().await;

    // A fresh samod repo, also answered from kept bytes (the document
    // changed, so kept anew), then sees a later edit on the same
    // connection; and its own edit reaches linli.
    let url = relay.url.clone();
    let author_home = homes[0].path().to_path_buf();
    let id = samod_doc_id(doc);
    let expected = author.heads(doc).unwrap();
    drop(author);
    let seen = with_samod(&relay.url, async move |repo| {
        let handle = tokio::time::timeout(PATIENCE, repo.find(id))
            .await
            .expect("samod find timed out")
            .unwrap()
            .expect("document found");
        assert_eq!(handle.with_document(|d| d.get_heads()), expected);
        let author = Client::open(&author_home).unwrap();
        put(&author, doc, "note", "second edit after the fetch");
        sync(&author, &url).await;
        let read = |d: &mut automerge::Automerge| {
            d.get(automerge::ROOT, "note")
                .unwrap()
                .and_then(|(v, _)| v.into_string().ok())
        };
        let mut changes = std::pin::pin!(handle.changes());
        while handle.with_document(read).as_deref() != Some("second edit after the fetch") {
            use futures::StreamExt;
            tokio::time::timeout(PATIENCE, changes.next())
                .await
                .expect("samod never saw the later edit")
                .expect("samod stopped");
        }
        handle.with_document(|d| {
            let mut tx = d.transaction();
            tx.put(automerge::ROOT, "samod", "was here").unwrap();
            tx.commit();
        });
        // Until the relay has it.
        super::interop_samod::wait_until_relay_has(&handle).await;
        handle.with_document(|d| d.get_heads())
    });
    sync(&first, &relay.url).await;
    assert_eq!(get(&first, doc, "samod").as_deref(), Some("was here"));
    assert_eq!(
        get(&first, doc, "note").as_deref(),
        Some("second edit after the fetch")
    );
    assert_eq!(first.heads(doc).unwrap(), seen);
}
