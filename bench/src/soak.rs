//! `linli-bench soak`: a street's day against one linli-relay for a long
//! time (an hour by default), to see that nothing grows that should not.
//!
//! The whole street preset is stored first. Then, until the time is up:
//! building heads edit their buildings at a steady rate, each building
//! being edited has readers (a grid worker, a neighbour's phone) that see
//! every edit, and a fresh device comes every few seconds, fetches one
//! building and leaves (the other buildings are idle, so documents load
//! and are evicted all the time, and connections open and close). Every report interval (a minute) it prints the relay's resident
//! memory, the database and WAL sizes, the open connections (from
//! `/metrics`) and edit-to-visible p50/p99 of that interval; at the end,
//! the memory's first and last figures and its slope.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use linli_gen::Preset;
use linli_protocol::DocumentId;
use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::peer::{Event, Peer};
use crate::relay::{Kind, Relay};
use crate::report::percentile;
use crate::swarm::Swarm;

/// A long run against one linli-relay (not in CI; see BENCHMARKS.md).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How long the workload runs, in minutes.
    #[arg(long, default_value_t = 60)]
    minutes: u64,
    /// Building heads editing at once (one building each).
    #[arg(long, default_value_t = 30)]
    writers: usize,
    /// Edits each writer makes per minute.
    #[arg(long, default_value_t = 10)]
    edits_per_minute: u32,
    /// Readers of each building being edited.
    #[arg(long, default_value_t = 2)]
    readers: usize,
    /// Seconds between fresh devices that fetch one building and leave.
    #[arg(long, default_value_t = 3)]
    churn_secs: u64,
    /// A few seconds on the building preset: checks the harness, measures
    /// nothing.
    #[arg(long)]
    quick: bool,
    /// Folder holding linli-relay (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
}

/// One report interval's figures.
struct Minute {
    rss: u64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let (preset, run_for, every) = if args.quick {
        (
            Preset::Building,
            Duration::from_secs(3),
            Duration::from_secs(1),
        )
    } else {
        (
            Preset::Street,
            Duration::from_secs(args.minutes * 60),
            Duration::from_secs(60),
        )
    };
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    let street = crate::data::street(preset, linli_gen::DEFAULT_SEED)?;
    let writers = args.writers.clamp(1, street.len());
    let data = tempfile::tempdir()?;
    let relay = Relay::start(Kind::Linli, &bin_dir, data.path())?;
    let metrics = relay
        .metrics_addr
        .clone()
        .context("linli-relay printed no metrics address")?;
    let db = data.path().join("relay.sqlite");

    // The street office stores every building and leaves.
    let mut swarm = Swarm::new();
    let office = swarm.connect(&relay, 1).await?;
    for b in &street {
        swarm.peers[office].add(b.id, b.doc.clone());
    }
    swarm.synced(street.iter().map(|b| (office, b.id))).await?;
    swarm.peers[office] = Peer::disconnected();
    let docs: Vec<DocumentId> = street.iter().take(writers).map(|b| b.id).collect();
    let per_doc = 1 + args.readers;
    let first = swarm.connect(&relay, writers * per_doc).await?;
    let writer = |k: usize| first + k * per_doc;
    let mut reader_of: HashMap<usize, usize> = HashMap::new();
    for (k, id) in docs.iter().enumerate() {
        swarm.peers[writer(k)].want(*id);
        for r in 1..per_doc {
            swarm.peers[writer(k) + r].want(*id);
            reader_of.insert(writer(k) + r, k);
        }
    }
    swarm
        .synced((0..writers * per_doc).map(|p| (first + p, docs[p / per_doc])))
        .await?;
    eprintln!(
        "{} buildings stored; {writers} writers × {} edits/min, {} readers each, \
         a fresh device every {} s; {} min",
        street.len(),
        args.edits_per_minute,
        args.readers,
        args.churn_secs,
        run_for.as_secs() / 60
    );
    println!(
        "| minute | relay RSS MB | database MB | WAL MB | connections | edits | edit → visible p50 ms | p99 ms |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");

    let per_sec = if args.quick {
        20.0
    } else {
        f64::from(args.edits_per_minute.max(1)) * writers as f64 / 60.0
    };
    let mut edit_tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_sec));
    let mut churn_tick = tokio::time::interval(Duration::from_secs(args.churn_secs.max(1)));
    let mut report_tick = tokio::time::interval(every);
    report_tick.tick().await;
    let mut sent: HashMap<(usize, u64), Instant> = HashMap::new();
    let mut last_seq = vec![0_u64; writers];
    let mut seen: HashMap<usize, u64> = reader_of.keys().map(|&p| (p, 0)).collect();
    let index: HashMap<DocumentId, usize> =
        docs.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let mut samples = Vec::new();
    let mut edits = 0_u64;
    let mut n = 0_usize;
    let mut churning: Option<usize> = None;
    let mut minutes: Vec<Minute> = Vec::new();
    let started = Instant::now();
    while started.elapsed() < run_for {
        tokio::select! {
            _ = edit_tick.tick() => {
                let k = n % writers;
                n += 1;
                last_seq[k] += 1;
                sent.insert((k, last_seq[k]), Instant::now());
                swarm.peers[writer(k)].edit(docs[k], last_seq[k]);
                edits += 1;
            }
            _ = churn_tick.tick(), if churning.is_none() => {
                let p = swarm.connect(&relay, 1).await?;
                let b = &street[rand::rng().random_range(0..street.len())];
                swarm.peers[p].want(b.id);
                churning = Some(p);
            }
            _ = report_tick.tick() => {
                let rss = relay.rss_bytes()?;
                let connections = open_connections(&metrics).await?;
                minutes.push(Minute { rss });
                println!(
                    "| {} | {:.1} | {:.1} | {:.1} | {connections} | {edits} | {:.1} | {:.1} |",
                    minutes.len(),
                    mb(rss),
                    mb(file_len(&db)),
                    mb(file_len(&wal_of(&db))),
                    ms(percentile(&samples, 50.0)),
                    ms(percentile(&samples, 99.0)),
                );
                samples.clear();
                edits = 0;
                // Forget edits every reader of their building has seen.
                sent.retain(|&(k, q), _| {
                    (1..per_doc).any(|r| seen.get(&(writer(k) + r)).is_some_and(|&s| s < q))
                });
            }
            event = swarm.next() => match event? {
                Event::Changed { peer, doc, seq: Some(s), at } => {
                    if let (Some(prev), Some(&k)) = (seen.get_mut(&peer), index.get(&doc)) {
                        // Changes may arrive batched: every edit up to `s`
                        // became visible now.
                        for q in *prev + 1..=s {
                            if let Some(t) = sent.get(&(k, q)) {
                                samples.push(at - *t);
                            }
                        }
                        *prev = (*prev).max(s);
                    }
                }
                Event::Synced { peer, .. } if churning == Some(peer) => {
                    // Dropping the handle closes its connection.
                    swarm.peers[peer] = Peer::disconnected();
                    churning = None;
                }
                _ => {}
            },
        }
    }
    summary(&minutes);
    Ok(())
}

/// First and last memory figures and least-squares slopes: over every
/// interval after the first (the first includes loading the street), and
/// over the second half, once the relay has warmed up.
fn summary(minutes: &[Minute]) {
    let (Some(first), Some(last)) = (minutes.first(), minutes.last()) else {
        println!("\nno full interval ran");
        return;
    };
    let points: Vec<(f64, f64)> = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| (i as f64, mb(m.rss)))
        .collect();
    let after_first = slope(&points[1..]);
    let second_half = slope(&points[points.len() / 2..]);
    let peak = minutes.iter().map(|m| m.rss).max().unwrap_or(0);
    println!(
        "\nrelay RSS: first interval {:.1} MB, last {:.1} MB, peak {:.1} MB; \
         slope after the first interval {after_first:+.3} MB per interval, \
         over the second half {second_half:+.3} MB per interval",
        mb(first.rss),
        mb(last.rss),
        mb(peak),
    );
}

/// Least-squares slope of `points` (0 for fewer than two).
fn slope(points: &[(f64, f64)]) -> f64 {
    if points.len() < 2 {
        return 0.0;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let cov: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let var: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    cov / var
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn wal_of(db: &Path) -> PathBuf {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// Sum of `linli_connections_open` over every role, from `/metrics`.
async fn open_connections(addr: &str) -> anyhow::Result<u64> {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .context("connect to the metrics listener")?;
    s.write_all(format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut body = String::new();
    s.read_to_string(&mut body).await?;
    Ok(body
        .lines()
        .filter(|l| l.starts_with("linli_connections_open"))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum::<f64>() as u64)
}
