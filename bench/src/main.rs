//! `linli-bench`: runs every workload of DESIGN.md's benchmark list on
//! linli-relay and on a reference relay built from samod, in one run, and
//! prints a markdown table with the ratio linli ÷ samod.
//!
//! Build first, then run the release binaries:
//!
//! ```text
//! cargo build --release --bins && target/release/linli-bench
//! ```
//!
//! `linli-bench gen --preset street --out DIR` writes the synthetic street
//! the workloads use as CSV files (see `linli-gen`). `linli-bench app`
//! measures the field app in Debian's Chromium (see `app.rs`).
//! `linli-bench soak --minutes N` runs a street's day against one relay
//! and reports every minute whether anything grows (see `soak.rs`).
//! `linli-bench hub` measures the district hub on SQLite against
//! PostgreSQL, and two hub processes against one (see `hub.rs`).
//! `linli-bench district --streets 50` feeds one district hub from many
//! street relays, on SQLite and on PostgreSQL (see `district.rs`).

mod app;
mod big_doc;
mod data;
mod district;
mod floor;
mod generate;
mod grid;
mod hub;
mod idle_many;
mod office;
mod peer;
mod relay;
mod report;
mod samod_peer;
mod soak;
mod street_admin;
mod swarm;
mod usage;
mod workloads;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linli_gen::DEFAULT_SEED;

use crate::relay::{Kind, Relay};
use crate::report::Figure;
use crate::workloads::Sizes;

#[derive(Parser)]
#[command(
    about = "linli-relay beside a samod relay: same workloads, one run, ratios",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: Args,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic street's residents.csv and volunteers.csv to a
    /// folder (names, phones and addresses invented; the same seed writes
    /// the same bytes).
    Gen(generate::Args),
    /// Measure the field app in Debian's Chromium against linli-relay: its
    /// size, opening it, signing in over Fast 3G, a grid worker's device,
    /// and logging a visit beside the `linli` CLI.
    App(app::Args),
    /// Run a street's day against one linli-relay for a long time (an hour
    /// by default) and print its memory, database and WAL sizes, open
    /// connections and edit-to-visible p99 every minute.
    Soak(soak::Args),
    /// Measure the street office's figures page on a street: in Debian's
    /// Chromium, on the relay's endpoints, and the cost of every document
    /// on the office's PC instead.
    Office(office::Args),
    /// The district hub's storage: saturation on SQLite, on PostgreSQL, and
    /// on two hub processes sharing one PostgreSQL, side by side.
    Hub(hub::Args),
    /// Many street relays, each loaded with the community preset and its
    /// task boards, feed one district hub at once: time until the hub holds
    /// everything, the hub's peak RSS and CPU, on SQLite and on PostgreSQL.
    District(district::Args),
}

/// Running the benchmark (no subcommand).
#[derive(clap::Args)]
struct Args {
    /// Tiny sizes: checks that every workload runs; the figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// Folder holding linli-relay and samod-relay (default: next to this
    /// program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// Only the fan-out grid (both drivers, both relays), not the other
    /// workloads.
    #[arg(long)]
    grid_only: bool,
    /// Every workload but the fan-out grid (which takes longest).
    #[arg(long, conflicts_with = "grid_only")]
    no_grid: bool,
    /// Only the many-idle-peers workload, on linli-relay alone (its goal
    /// is absolute; samod's relay takes about 1 MB a peer), bounded as in
    /// the full run.
    #[arg(long, conflicts_with_all = ["grid_only", "no_grid"])]
    idle_only: bool,
    /// Only the grid cells whose name contains this (e.g. `2 docs`): one
    /// cell measured alone, to profile it.
    #[arg(long)]
    cell: Option<String>,
    /// Only this driver in the grid (`linli` or `samod`).
    #[arg(long, value_parser = ["linli", "samod"])]
    driver: Option<String>,
    /// Only the large-document workloads: storing the street, a fresh
    /// device fetching one large document, and the street admin's first
    /// full sync against a local load (with a small edit during it).
    #[arg(long, conflicts_with_all = ["grid_only", "no_grid", "idle_only"])]
    large_docs: bool,
    /// Seed of the synthetic street (`linli-bench gen` writes the same one).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Interrupted, the run is dropped, and with it every relay process.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let work = async {
        match cli.command {
            Some(Command::Gen(args)) => generate::run(args),
            Some(Command::App(args)) => app::run(args).await,
            Some(Command::Soak(args)) => soak::run(args).await,
            Some(Command::Office(args)) => office::run(args).await,
            Some(Command::Hub(args)) => hub::run(args).await,
            Some(Command::District(args)) => district::run(args).await,
            None => run(cli.run).await,
        }
    };
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted"),
        _ = term.recv() => anyhow::bail!("terminated"),
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    // Before the relays start: they inherit it.
    let fds = idle_many::raise_fd_limit()?;
    // Each process (this one, each relay) holds one socket per idle peer.
    if fds < sizes.many_idle_peers as u64 + 1000 {
        eprintln!(
            "open-file limit {fds}: too low for {} idle peers; that workload may fail",
            sizes.many_idle_peers
        );
    }
    if args.idle_only {
        let dir = tempfile::tempdir()?;
        let relay = Relay::start(Kind::Linli, &bin_dir, dir.path())?;
        let figures = idle_many::idle_many(&relay, sizes.many_idle_peers).await?;
        println!("{}", report::table(&figures, &[]));
        return Ok(());
    }
    eprintln!("generating the {} preset…", sizes.preset);
    let street = data::street(sizes.preset, args.seed)?;
    let sample = street.first().context("the generator wrote no building")?;
    eprintln!(
        "{} building documents, {} households",
        street.len(),
        street.iter().map(|b| b.households).sum::<usize>()
    );

    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let grid_dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let mut relays = [
        Relay::start(Kind::Linli, &bin_dir, dirs.0.path())?,
        Relay::start(Kind::Samod, &bin_dir, dirs.1.path())?,
    ];
    let mut figures: [Vec<Figure>; 2] = [Vec::new(), Vec::new()];
    let started = Instant::now();

    // Each workload runs on linli, then on samod, before the next begins,
    // so that both see the same state of a noisy machine. A workload that
    // fails on one relay fails alone (its rows show "–"), and each
    // workload's rows are printed (to stderr) as soon as it is done, so a
    // long run that is stopped still leaves its figures.
    macro_rules! each {
        ($name:literal, |$r:ident| $body:expr) => {
            eprintln!("{}…", $name);
            let mut done: [Vec<Figure>; 2] = [Vec::new(), Vec::new()];
            for (i, $r) in relays.iter_mut().enumerate() {
                let f: anyhow::Result<Vec<Figure>> = $body;
                match f {
                    Ok(f) => done[i] = f,
                    Err(e) => eprintln!("  {} failed on {}: {e:#}", $name, $r.kind.name()),
                }
            }
            eprint!("{}", report::table(&done[0], &done[1]));
            for (column, mut f) in figures.iter_mut().zip(done) {
                column.append(&mut f);
            }
        };
    }

    if !args.grid_only && !args.large_docs {
        each!("latency, idle", |r| workloads::latency_idle(
            r, &sizes, sample
        )
        .await);
        // The floor, on the disk the relays' data is on, right after the
        // idle latency it bounds.
        let floor_dir = tempfile::tempdir()?;
        for column in figures.iter_mut() {
            let idle_p50 = column
                .iter()
                .find(|f| f.workload == "edit → visible, idle" && f.metric == "p50")
                .map(|f| std::time::Duration::from_secs_f64(f.value / 1000.0));
            column.append(&mut floor::floor(floor_dir.path(), idle_p50).await?);
        }
        each!("latency, under load", |r| workloads::latency_under_load(
            r, &sizes, sample
        )
        .await);
        each!("saturation", |r| workloads::saturation(r, &sizes, sample)
            .await);
        each!("idle peers", |r| workloads::idle_peers(r, &sizes, sample)
            .await);
    }
    if !args.grid_only {
        let mut stored = Vec::new();
        each!("store the street", |r| {
            workloads::upload_street(r, &sizes, &street)
                .await
                .map(|(s, f)| {
                    stored.push(s);
                    f
                })
        });
        let stored = stored
            .into_iter()
            .next()
            .context("the street was stored on neither relay")?;
        if !args.large_docs {
            each!("fetch one building", |r| {
                workloads::fetch_building(r, &sizes, &stored, "fresh device fetches one building")
                    .await
            });
        }
        let big = data::big_building(sizes.preset, args.seed, sizes.big_households)?;
        let big_name: &'static str =
            Box::leak(format!("one {}-household document", big.households).into_boxed_str());
        each!("fetch a large document", |r| {
            big_doc::fetch_big(r, &big, sizes.fetches.min(5), big_name).await
        });
        each!("street admin's first sync against a local load", |r| {
            street_admin::first_sync_against_local_load(
                r,
                &street,
                &stored.buildings,
                sizes.street_syncs,
            )
            .await
        });
        if !args.large_docs {
            each!("street sync", |r| {
                workloads::street_sync(
                    r,
                    sizes.street_syncs,
                    &stored,
                    "street admin's first full sync",
                )
                .await
            });
            each!("cold start", |r| workloads::cold_start(r, &stored).await);
            each!("street sync from cold", |r| {
                workloads::street_sync(r, 1, &stored, "full sync, first after a restart").await
            });
            each!("disk", |r| workloads::disk_per_household(r, &stored));
            each!("long history", |r| workloads::long_history(
                r, &sizes, sample
            )
            .await);
            // Last, on fresh relays: a relay that took thousands of peers
            // holds on to memory afterwards (samod's passed 6 GB and held up
            // the street's upload when this ran earlier).
            drop(relays);
            let idle_dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
            relays = [
                Relay::start(Kind::Linli, &bin_dir, idle_dirs.0.path())?,
                Relay::start(Kind::Samod, &bin_dir, idle_dirs.1.path())?,
            ];
            each!("many idle peers", |r| idle_many::idle_many(
                r,
                sizes.many_idle_peers
            )
            .await);
            // The grid starts from fresh relays, so its memory figures are the
            // grid's own and not what the street left loaded.
            drop(relays);
            relays = [
                Relay::start(Kind::Linli, &bin_dir, grid_dirs.0.path())?,
                Relay::start(Kind::Samod, &bin_dir, grid_dirs.1.path())?,
            ];
        }
    }
    let grid: &[_] = if args.no_grid || args.large_docs {
        &[]
    } else {
        &sizes.grid
    };
    let cells = grid.iter().filter(|c| {
        args.cell
            .as_deref()
            .is_none_or(|want| c.name.contains(want))
    });
    let drivers = grid::Driver::ALL
        .into_iter()
        .filter(|d| args.driver.as_deref().is_none_or(|want| d.flag() == want));
    for cell in cells {
        for driver in drivers.clone() {
            eprintln!("grid: {}, {driver:?} driver…", cell.name);
            let mut cell_figures: [Vec<Figure>; 2] = [Vec::new(), Vec::new()];
            for (i, r) in relays.iter().enumerate() {
                // A cell past what this machine's peers can read fails
                // alone (the relay drops a peer that falls too far behind);
                // its rows then show "–".
                match grid::run_cell(r, &sizes, cell, driver, sample).await {
                    Ok(f) => cell_figures[i] = f,
                    Err(e) => eprintln!("  failed on {}: {e:#}", r.kind.name()),
                }
            }
            eprint!("{}", report::table(&cell_figures[0], &cell_figures[1]));
            for (column, mut f) in figures.iter_mut().zip(cell_figures) {
                column.append(&mut f);
            }
        }
    }

    println!(
        "{} building documents ({} households) and {} small documents; {} preset; {:.0} s in all\n",
        street.len(),
        street.iter().map(|b| b.households).sum::<usize>(),
        sizes.small_docs,
        sizes.preset,
        started.elapsed().as_secs_f64()
    );
    println!("{}", report::table(&figures[0], &figures[1]));
    Ok(())
}
