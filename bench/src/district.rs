//! `linli-bench district`: many street relays feed one district hub
//! (issue 14's "Measured"). Each street is a real `linli-relay` loaded
//! with the `community` preset and its task boards; the hub is a real
//! `linli-relay` whose district directory lists every street. All streets
//! are started with `--upstream` at once, and the run measures the time
//! until every street's `linli-relay upstream status` says the hub has
//! everything it shares, with the hub's peak RSS and CPU seconds (from
//! /proc). The same streets (copies of the same data folders) then feed a
//! hub on PostgreSQL (a throwaway cluster with fsync on), and the two are
//! printed side by side.

mod hub;
mod proc_stat;
mod street;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use linli_gen::{DEFAULT_SEED, Preset};
use linli_store_pg::test_cluster::TestCluster;
use serde_json::Value;

use crate::relay::{Kind, Relay};

#[derive(clap::Args)]
pub struct Args {
    /// Streets feeding the hub.
    #[arg(long, default_value_t = 50)]
    streets: usize,
    /// Three streets of the `building` preset: checks the harness; the
    /// figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// Give up on a hub that does not hold everything after this long.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// Only the hub on SQLite (no PostgreSQL needed).
    #[arg(long)]
    sqlite_only: bool,
    /// Folder holding linli-relay and linli (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// What one hub run measured.
struct Fed {
    took: Duration,
    /// Of `took`: until the last street relay was up (they start one after
    /// another, each loading its street).
    starting: Duration,
    peak_rss: u64,
    cpu: f64,
    documents: usize,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    let linli = bin_dir.join("linli");
    let (preset, streets) = if args.quick {
        (Preset::Building, 3)
    } else {
        (Preset::Community, args.streets.max(1))
    };
    // Every relay inherits it: 50 streets and their links hold many files.
    crate::idle_many::raise_fd_limit()?;
    let work = tempfile::tempdir()?;
    eprintln!(
        "setting up {streets} streets of the {preset} preset with the linli CLI (not timed)…"
    );
    let mut directories = Vec::new();
    for n in 0..streets {
        let dir = work.path().join(format!("street-{n}"));
        std::fs::create_dir_all(&dir)?;
        let mut relay = Relay::start(Kind::Linli, &bin_dir, &dir.join("template"))?;
        let seed = args.seed.wrapping_add(n as u64);
        directories.push(street::set_up(
            &relay,
            &linli,
            preset.shape(),
            seed,
            n,
            &dir,
        )?);
        relay.stop()?;
        eprintln!("  street {} of {streets} ready", n + 1);
        // The setup blocks: let a SIGTERM (`timeout`) in between streets.
        tokio::task::yield_now().await;
    }

    eprintln!("the hub on SQLite…");
    let sqlite = feed(&bin_dir, work.path(), &directories, None, args.timeout_secs).await?;
    let postgres = if args.sqlite_only {
        None
    } else {
        eprintln!("the hub on PostgreSQL…");
        // fsync on, as a real hub's: fsync=off would flatter PostgreSQL.
        let cluster = TestCluster::start_durable()?;
        let db = cluster.create_database().await?;
        Some(
            feed(
                &bin_dir,
                work.path(),
                &directories,
                Some(&db),
                args.timeout_secs,
            )
            .await?,
        )
    };
    print(preset, streets, &sqlite, postgres.as_ref());
    Ok(())
}

/// Copies every street's data, starts a hub (on `db`, else SQLite), links
/// every street to it at once and waits until the hub has everything.
async fn feed(
    bin_dir: &Path,
    work: &Path,
    directories: &[String],
    db: Option<&str>,
    timeout_secs: u64,
) -> anyhow::Result<Fed> {
    let backend = if db.is_some() { "postgres" } else { "sqlite" };
    let mut datas = Vec::new();
    for n in 0..directories.len() {
        let dir = work.join(format!("street-{n}"));
        let data = dir.join(backend);
        let status = Command::new("cp")
            .arg("-a")
            .arg(dir.join("template"))
            .arg(&data)
            .status()?;
        if !status.success() {
            bail!("cp -a of street {n}'s data failed");
        }
        datas.push(data);
    }
    let hub = hub::Hub::start(
        bin_dir,
        &work.join(format!("hub-{backend}")),
        db,
        directories,
    )
    .await?;
    let before = proc_stat::cpu_seconds(hub.relay.pid())?;
    let started = Instant::now();
    let mut streets = Vec::new();
    for (data, token) in datas.iter().zip(&hub.tokens) {
        let link = [
            "--upstream",
            hub.relay.url.as_str(),
            "--upstream-token",
            token.as_str(),
        ];
        streets.push(Relay::start_linli_with(bin_dir, data, &link)?);
    }
    let starting = started.elapsed();
    let program = bin_dir.join("linli-relay");
    let deadline = started + Duration::from_secs(timeout_secs);
    let mut pending: Vec<usize> = (0..streets.len()).collect();
    let mut documents = 0;
    let mut peak_rss = 0;
    while !pending.is_empty() {
        peak_rss = peak_rss.max(hub.relay.rss_bytes()?);
        let mut still = Vec::new();
        for n in pending {
            match caught_up(&program, &datas[n])? {
                Some(docs) => documents += docs,
                None => still.push(n),
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "after {timeout_secs} s the hub ({backend}) still lacks what {} of {} streets share",
                pending.len(),
                streets.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let took = started.elapsed();
    let cpu = proc_stat::cpu_seconds(hub.relay.pid())? - before;
    let peak_rss = peak_rss.max(proc_stat::peak_rss_bytes(hub.relay.pid())?);
    drop(streets);
    for data in &datas {
        std::fs::remove_dir_all(data)?;
    }
    Ok(Fed {
        took,
        starting,
        peak_rss,
        cpu,
        documents,
    })
}

/// The number of documents the street shares when the hub has all of
/// them: its directory, boards and summary, and the district directory
/// (`linli-relay upstream status`).
fn caught_up(program: &Path, data: &Path) -> anyhow::Result<Option<usize>> {
    let out = Command::new(program)
        .args(["upstream", "status", "--json", "--data"])
        .arg(data)
        .env("RUST_LOG", "error")
        .output()?;
    if !out.status.success() {
        return Ok(None);
    }
    let status: Value = serde_json::from_slice(&out.stdout).context("upstream status --json")?;
    let documents = status["documents"].as_array().map_or(0, Vec::len);
    // Its directory, its boards, its summary, and the district directory
    // that comes down.
    Ok((documents > street::BOARDS + 2).then_some(documents))
}

fn print(preset: Preset, streets: usize, sqlite: &Fed, postgres: Option<&Fed>) {
    println!("{streets} streets of the {preset} preset feed one hub\n");
    println!("| hub | SQLite | PostgreSQL | PostgreSQL ÷ SQLite |\n|---|---|---|---|");
    let row = |what: &str, f: &dyn Fn(&Fed) -> f64, digits: usize| {
        let s = f(sqlite);
        match postgres {
            Some(p) => {
                let p = f(p);
                println!("| {what} | {s:.digits$} | {p:.digits$} | {:.2} |", p / s);
            }
            None => println!("| {what} | {s:.digits$} | – | – |"),
        }
    };
    row(
        "time until the hub holds everything, s",
        &|f| f.took.as_secs_f64(),
        1,
    );
    row(
        "of it, until the last street relay was up, s",
        &|f| f.starting.as_secs_f64(),
        1,
    );
    row("hub peak RSS, MB", &|f| f.peak_rss as f64 / 1_048_576.0, 1);
    row("hub CPU, s", &|f| f.cpu, 2);
    row("documents shared up", &|f| f.documents as f64, 0);
}
