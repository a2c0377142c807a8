//! `linli-bench hub`: the district hub's storage measured. The saturation
//! workload (writers editing as fast as the relay acknowledges, each with
//! a reader) on linli-relay with SQLite, with PostgreSQL, and on two
//! linli-relay processes sharing one PostgreSQL (writers and readers split
//! evenly between them): edits per second side by side.
//!
//! PostgreSQL is the one `--postgres` names (a role that may create
//! databases; each run makes fresh ones), else a throwaway cluster started
//! here with `fsync` on, as a real hub runs, on a Unix socket in a
//! temporary folder.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use linli_gen::DEFAULT_SEED;
use linli_store_pg::test_cluster::TestCluster;

use crate::data;
use crate::relay::{Kind, Relay};
use crate::report::Figure;
use crate::workloads::{self, Sizes};

#[derive(clap::Args)]
pub struct Args {
    /// Tiny sizes: checks that the workload runs; the figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// Folder holding linli-relay (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// A PostgreSQL server to run on (connection string of a role that may
    /// CREATE DATABASE). Default: a throwaway cluster started here.
    #[arg(long, env = "LINLI_BENCH_POSTGRES")]
    postgres: Option<String>,
    /// Seed of the synthetic street the edited building comes from.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    let street = data::street(sizes.preset, args.seed)?;
    let sample = street.first().context("the generator wrote no building")?;
    let cluster = match args.postgres {
        Some(given) => TestCluster::on(given),
        None => TestCluster::start_durable()?,
    };

    eprintln!("saturation on SQLite…");
    let dir = tempfile::tempdir()?;
    let sqlite = {
        let relay = Relay::start(Kind::Linli, &bin_dir, dir.path())?;
        workloads::saturation(&relay, &sizes, sample).await?
    };

    eprintln!("saturation on PostgreSQL, one process…");
    let db = cluster.create_database().await?;
    let dir = tempfile::tempdir()?;
    let one = {
        let relay = Relay::start_linli_on(&bin_dir, dir.path(), &db)?;
        workloads::saturation(&relay, &sizes, sample).await?
    };

    eprintln!("saturation on PostgreSQL, two processes…");
    let db = cluster.create_database().await?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let two = {
        let a = Relay::start_linli_on(&bin_dir, dir_a.path(), &db)?;
        // The second process finds the first's tokens in the database and
        // makes none: it gets the first's token file, as a second hub node
        // would be deployed.
        std::fs::copy(
            dir_a.path().join("admin-token"),
            dir_b.path().join("admin-token"),
        )?;
        let b = Relay::start_linli_on(&bin_dir, dir_b.path(), &db)?;
        workloads::saturation_on(&[&a, &b], &sizes, sample).await?
    };

    print!("{}", table(&sqlite, &one, &two));
    Ok(())
}

/// The three runs' figures side by side, as markdown.
fn table(sqlite: &[Figure], one: &[Figure], two: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| workload | metric | SQLite | PostgreSQL, 1 process | PostgreSQL, 2 processes |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    for f in sqlite {
        let find = |figures: &[Figure]| {
            figures
                .iter()
                .find(|g| g.workload == f.workload && g.metric == f.metric)
                .map_or("–".to_owned(), |g| format!("{:.0}", g.value))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} |",
            f.workload,
            f.metric,
            f.value,
            find(one),
            find(two)
        );
    }
    out
}
