//! Many devices at once, each a real linli client with its own SQLite store
//! and its own sync loop, all editing the same documents: the workload of
//! the fault tests. Also the checks those tests end with — what the relay
//! confirmed is in its store, and every device holds the same.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ROOT, ReadDoc};
use linli_client::{Client, DocEventKind, DocumentId, SyncHandle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tempfile::TempDir;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, block_in_place};

use super::client_sync::sync;
use super::relay_process::{PATIENCE, RelayProcess};

/// One device: its data folder, its own token and, while it syncs, its
/// sync loop.
pub struct Device {
    pub client: Client,
    token: String,
    _home: TempDir,
    handle: Option<SyncHandle>,
}

impl Device {
    /// `bare_url` with this device's token.
    fn url(&self, bare_url: &str) -> String {
        format!("{bare_url}?token={}", self.token)
    }
}

/// Devices sharing documents.
pub struct Fleet {
    pub devices: Vec<Device>,
    pub docs: Vec<DocumentId>,
    /// Relay confirmations seen by any device, and a wake-up for each.
    confirmations: Arc<AtomicU64>,
    events: Arc<Notify>,
    listeners: Vec<JoinHandle<()>>,
}

/// Edits made by a fleet's devices, per device.
pub struct Editing {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<usize>>,
}

impl Editing {
    /// Stops editing (if it has not stopped by itself) and returns how many
    /// edits were made.
    pub async fn finish(self) -> usize {
        let _ = self.stop.send(true);
        self.join().await
    }

    /// Waits until every device made its edits, and returns how many.
    pub async fn join(self) -> usize {
        let mut total = 0;
        for task in self.tasks {
            total += task.await.unwrap();
        }
        total
    }
}

impl Fleet {
    /// `devices` devices, each with a street-admin token of its own (the
    /// relay allows a token only so many connections), sharing `docs`
    /// documents, which the first creates and every device has fetched
    /// from `relay` before this returns. No device syncs yet.
    pub async fn new(relay: &RelayProcess, devices: usize, docs: usize) -> Fleet {
        let confirmations = Arc::new(AtomicU64::new(0));
        let events = Arc::new(Notify::new());
        let mut fleet = Fleet {
            devices: Vec::new(),
            docs: Vec::new(),
            confirmations,
            events,
            listeners: Vec::new(),
        };
        for i in 0..devices {
            let home = TempDir::new().unwrap();
            let client = Client::open(home.path()).unwrap();
            let token = block_in_place(|| relay.create_token("street-admin", "", &format!("d{i}")));
            fleet.listen(&client);
            fleet.devices.push(Device {
                client,
                token,
                _home: home,
                handle: None,
            });
        }
        let first = &fleet.devices[0];
        for _ in 0..docs {
            fleet.docs.push(first.client.create().unwrap());
        }
        sync(&first.client, &first.url(&relay.bare_url)).await;
        let urls: Vec<String> = fleet
            .devices
            .iter()
            .map(|d| d.url(&relay.bare_url))
            .collect();
        let fetches = fleet.devices[1..].iter().zip(&urls[1..]).map(|(d, url)| {
            for doc in &fleet.docs {
                d.client.want(*doc).unwrap();
            }
            sync(&d.client, url)
        });
        futures::future::join_all(fetches).await;
        fleet
    }

    /// Counts every device's relay confirmations and wakes waiters on any
    /// event.
    fn listen(&mut self, client: &Client) {
        let mut events = client.subscribe_all();
        let (confirmations, notify) = (self.confirmations.clone(), self.events.clone());
        self.listeners.push(tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(e) => {
                        if e.kind == DocEventKind::Confirmed {
                            confirmations.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
                notify.notify_waiters();
            }
        }));
    }

    /// Starts every device's sync loop against `bare_url` (a relay's
    /// websocket URL without a token).
    pub fn connect(&mut self, bare_url: &str) {
        for d in &mut self.devices {
            d.handle = Some(d.client.connect(d.url(bare_url)).unwrap());
        }
    }

    /// Stops every device's sync loop.
    pub async fn disconnect(&mut self) {
        for d in &mut self.devices {
            if let Some(h) = d.handle.take() {
                h.stop().await;
            }
        }
    }

    /// Every device edits the documents, each edit a new key of a random
    /// document, with a random 5–40 ms between edits, until `per_device`
    /// edits or [`Editing::finish`].
    pub fn edit(&self, seed: u64, per_device: Option<usize>) -> Editing {
        let (stop, stopped) = watch::channel(false);
        let tasks = self
            .devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (client, docs) = (d.client.clone(), self.docs.clone());
                let stopped = stopped.clone();
                let mut rng = StdRng::seed_from_u64(seed ^ (i as u64 + 1));
                tokio::spawn(async move {
                    let mut n = 0;
                    while per_device.is_none_or(|max| n < max) && !*stopped.borrow() {
                        let doc = docs[rng.random_range(0..docs.len())];
                        let (client, key) = (client.clone(), format!("d{i}-{n}"));
                        tokio::task::spawn_blocking(move || {
                            client
                                .change(doc, |tx| {
                                    tx.put(ROOT, key, n as i64)?;
                                    Ok(())
                                })
                                .unwrap();
                        })
                        .await
                        .unwrap();
                        n += 1;
                        let pause = Duration::from_millis(rng.random_range(5..40));
                        tokio::time::sleep(pause).await;
                    }
                    n
                })
            })
            .collect();
        Editing { stop, tasks }
    }

    /// Relay confirmations seen so far.
    pub fn confirmations(&self) -> u64 {
        self.confirmations.load(Ordering::Relaxed)
    }

    /// Waits until some device has seen a relay confirmation beyond `mark`
    /// (the relay is serving and storing again).
    pub async fn wait_confirmation_after(&self, mark: u64) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let notified = self.events.notified();
            if self.confirmations() > mark {
                return;
            }
            tokio::time::timeout_at(deadline, notified)
                .await
                .expect("no device got a confirmation from the relay in time");
        }
    }

    /// What every device holds as confirmed by the relay, per document.
    pub fn confirmed(&self) -> Vec<(DocumentId, Vec<ChangeHash>)> {
        let mut out = Vec::new();
        for d in &self.devices {
            for doc in &self.docs {
                out.push((*doc, d.client.confirmed_heads(*doc).unwrap()));
            }
        }
        out
    }

    /// Every document's heads on the first device.
    pub fn heads(&self) -> Vec<(DocumentId, Vec<ChangeHash>)> {
        let first = &self.devices[0].client;
        self.docs
            .iter()
            .map(|doc| (*doc, first.heads(*doc).unwrap()))
            .collect()
    }

    /// Waits until no device has anything the relay has not confirmed and
    /// every device has the same heads for every document; panics after
    /// `patience` with what is still missing.
    pub async fn settle(&self, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let notified = self.events.notified();
            let Some(why) = self.unsettled() else {
                return;
            };

            // Events wake this; the bound only keeps a quiet moment (every
            // loop backing off) from stalling the check.
            let wake = tokio::time::Instant::now() + Duration::from_secs(1);
            if tokio::time::timeout_at(wake.min(deadline), notified)
                .await
                .is_err()
                && tokio::time::Instant::now() >= deadline
            {
                panic!("the devices did not settle: {why}");
            }
        }
    }

    /// Why the fleet has not settled, if it has not.
    fn unsettled(&self) -> Option<String> {
        for (i, d) in self.devices.iter().enumerate() {
            let pending = d.client.summary().unwrap().pending.changes;
            if pending > 0 {
                let state = d.handle.as_ref().map(SyncHandle::current);
                return Some(format!(
                    "device {i} has {pending} unconfirmed change(s), sync loop {state:?}"
                ));
            }
        }
        let mut heads = self.heads();
        for h in &mut heads {
            h.1.sort();
        }
        for (i, d) in self.devices.iter().enumerate().skip(1) {
            for (doc, want) in &heads {
                let mut got = d.client.heads(*doc).unwrap();
                got.sort();
                if &got != want {
                    return Some(format!("device {i} differs from device 0 on {doc}"));
                }
            }
        }
        None
    }

    /// How many keys the documents hold, on the first device: one per edit.
    pub fn keys(&self) -> usize {
        let first = &self.devices[0].client;
        self.docs
            .iter()
            .map(|doc| first.read(*doc, |d| d.length(ROOT)).unwrap())
            .sum()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for l in &self.listeners {
            l.abort();
        }
    }
}

/// Panics unless the relay's store in `data` (the relay stopped) holds
/// every change in `expected`: each document's listed heads and so their
/// whole history. `when` says which moment of the test this is.
pub fn assert_relay_holds(data: &Path, expected: &[(DocumentId, Vec<ChangeHash>)], when: &str) {
    let missing = relay_lacks(data, expected);
    assert!(
        missing.is_empty(),
        "{when}: the relay lost {} change(s) a device saw it confirm, e.g. {:?}",
        missing.len(),
        missing.first()
    );
}

/// The changes of `expected` the relay's store in `data` does not hold.
pub fn relay_lacks(
    data: &Path,
    expected: &[(DocumentId, Vec<ChangeHash>)],
) -> Vec<(DocumentId, ChangeHash)> {
    let store = linli_store::Store::open_read_only(&data.join("relay.sqlite")).unwrap();
    let mut loaded = std::collections::HashMap::new();
    let mut missing = Vec::new();
    for (doc, heads) in expected {
        if heads.is_empty() {
            continue;
        }
        let am = loaded
            .entry(*doc)
            .or_insert_with(|| store.load(doc).unwrap());
        for h in heads {
            let held = am
                .as_ref()
                .is_some_and(|am| am.get_change_by_hash(h).is_some());
            if !held {
                missing.push((*doc, *h));
            }
        }
    }
    missing
}
