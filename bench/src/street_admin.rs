//! A street admin's first full sync against loading the same documents
//! locally, in the same run, and a building head's small edit to another
//! document while that sync runs.
//!
//! The sync: a fresh device with the street-admin token asks for every
//! building document of the street at once and waits until it holds them
//! all. The local load: this process loads the same documents' bytes with
//! automerge, one after the other, as the device would open them from its
//! own storage. Their ratio says what the network and the relay add on top
//! of the work the device cannot avoid.
//!
//! During the sync a building head edits a small document of its own
//! (about every 20 ms) and a reader of it times each edit until it sees it:
//! the relay must not hold a small edit behind a big sync.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use automerge::Automerge;
use linli_protocol::DocumentId;

use crate::data::{BuildingDoc, small_doc};
use crate::peer::Event;
use crate::relay::Relay;
use crate::report::{Better, Figure, percentile};
use crate::swarm::Swarm;

/// How often the building head edits its small document during the sync.
const EDIT_EVERY: Duration = Duration::from_millis(20);

/// How long after the sync the reader may take to see the last edits.
const DRAIN: Duration = Duration::from_secs(30);

const WORKLOAD: &str = "street admin's first full sync ÷ local load";
const DURING: &str = "small edit during the street admin's first sync";

/// Runs the sync of `buildings` (stored on `relay` as `street`'s documents)
/// `runs` times on fresh devices, each beside a local load of the same
/// bytes and a building head's edits. Reports medians and the edits' p99.
pub async fn first_sync_against_local_load(
    relay: &Relay,
    street: &[BuildingDoc],
    buildings: &[DocumentId],
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    // The bytes the device would hold: each document as a save.
    let saved: Vec<Vec<u8>> = street.iter().map(|b| b.doc.save()).collect();

    // The building head and its reader, on a small document of their own.
    let mut swarm = Swarm::new();
    let (w, r) = (
        swarm.connect(relay, 1).await?,
        swarm.connect(relay, 1).await?,
    );
    let small = DocumentId::random(&mut rand::rng());
    swarm.peers[w].add(small, small_doc(0)?);
    swarm.synced([(w, small)]).await?;
    swarm.peers[r].want(small);
    swarm.synced([(r, small)]).await?;

    let mut syncs = Vec::new();
    let mut loads = Vec::new();
    let mut visible = Vec::new();
    let mut seq = 0;
    for _ in 0..runs {
        loads.push(load_locally(&saved)?);
        let admin = swarm.connect(relay, 1).await?;
        let started = Instant::now();
        for id in buildings {
            swarm.peers[admin].want(*id);
        }
        let mut left: HashSet<DocumentId> = buildings.iter().copied().collect();
        let mut sent: HashMap<u64, Instant> = HashMap::new();
        let mut seen = seq;
        // One edit as the sync starts, then one every EDIT_EVERY.
        seq += 1;
        sent.insert(seq, Instant::now());
        swarm.peers[w].edit(small, seq);
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + EDIT_EVERY, EDIT_EVERY);
        while !left.is_empty() {
            tokio::select! {
                _ = ticker.tick() => {
                    seq += 1;
                    sent.insert(seq, Instant::now());
                    swarm.peers[w].edit(small, seq);
                }
                event = swarm.next() => match event? {
                    Event::Synced { peer, doc, .. } if peer == admin => {
                        left.remove(&doc);
                    }
                    Event::Changed { peer, seq: Some(s), at, .. } if peer == r => {
                        visible.extend(seen_up_to(&mut seen, s, at, &sent));
                    }
                    Event::Unavailable { peer, doc } if peer == admin => {
                        anyhow::bail!("the relay has no document {doc}")
                    }
                    _ => {}
                },
            }
        }
        syncs.push(started.elapsed());
        // The edits made during the sync, until the reader has them all.
        let deadline = tokio::time::Instant::now() + DRAIN;
        while seen < seq {
            let event = tokio::time::timeout_at(deadline, swarm.next())
                .await
                .map_err(|_| anyhow::anyhow!("the reader did not see edit {seq} in time"))??;
            if let Event::Changed {
                peer,
                seq: Some(s),
                at,
                ..
            } = event
                && peer == r
            {
                visible.extend(seen_up_to(&mut seen, s, at, &sent));
            }
        }
        // The admin's device goes; the next run is another fresh one.
        swarm.peers[admin] = crate::peer::Peer::disconnected();
    }
    let sync = percentile(&syncs, 50.0);
    let load = percentile(&loads, 50.0);
    Ok(vec![
        Figure::ms(WORKLOAD, "first full sync", sync),
        Figure::ms(WORKLOAD, "local load of the same documents", load),
        Figure::new(
            WORKLOAD,
            "sync ÷ local load",
            "×",
            Better::Lower,
            sync.as_secs_f64() / load.as_secs_f64().max(1e-9),
        ),
        Figure::ms(DURING, "edit → visible, p99", percentile(&visible, 99.0)),
    ])
}

/// The delays of every edit after `seen` up to `s`, all seen at `at`.
fn seen_up_to(seen: &mut u64, s: u64, at: Instant, sent: &HashMap<u64, Instant>) -> Vec<Duration> {
    let mut delays = Vec::new();
    while *seen < s {
        *seen += 1;
        if let Some(t) = sent.get(seen) {
            delays.push(at.saturating_duration_since(*t));
        }
    }
    delays
}

/// Loads every document from its bytes, as a device opening them from its
/// own storage; returns the time it took.
fn load_locally(saved: &[Vec<u8>]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut heads = 0;
    for bytes in saved {
        heads += Automerge::load(bytes)?.get_heads().len();
    }
    let took = started.elapsed();
    // Kept observable so the loads are not optimized away.
    anyhow::ensure!(heads >= saved.len(), "a document loaded without heads");
    Ok(took)
}
