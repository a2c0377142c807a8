//! `linli-bench app`: the field app's figures of issue 10 ("Measured"), in
//! Debian's Chromium against the release relay serving the app it embeds,
//! with real role tokens, beside the `linli` CLI's time for the same edit.
//! Prints a markdown table: each figure, its goal, and whether it is met.
//!
//! The street comes from linli-gen and is set up with the `linli` CLI as a
//! street office would (`street.rs`); the browser is driven by
//! `web/bench/app.mjs`; the CLI's side is timed here (`cli_visit.rs`).

pub(crate) mod browser;
mod cli_visit;
mod slow_link;
pub(crate) mod street;
mod table;

use std::path::PathBuf;
use std::time::Duration;

use linli_gen::{DEFAULT_SEED, Preset};
use serde_json::json;

use crate::relay::Relay;
use slow_link::SlowLink;
use street::Cli;

/// Measuring the field app (`linli-bench app`).
#[derive(clap::Args)]
pub struct Args {
    /// A street of 10 buildings and one run of each step: checks that the
    /// harness works; the figures mean little.
    #[arg(long)]
    quick: bool,
    /// Repetitions of each timed step (the median is reported); the grid
    /// worker's device opens at most 3 times.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Folder holding linli-relay and linli (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// The field app's folder (with `dist/`, `bench/app.mjs` and
    /// `node_modules/`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../web"))]
    web: PathBuf,
    /// The Chromium to drive (never a downloaded one).
    #[arg(long, env = "LINLI_CHROMIUM", default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// Buildings of the grid worker's device.
const GRID_BUILDINGS: usize = 10;

/// At most this many openings of the grid worker's device: each took
/// minutes on the street preset.
const GRID_REPS: usize = 3;

pub async fn run(args: Args) -> anyhow::Result<()> {
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    if !args.chromium.exists() {
        anyhow::bail!(
            "{} is missing: apt-get install -y chromium fonts-noto-cjk",
            args.chromium.display()
        );
    }
    let (shape, reps) = if args.quick {
        let mut shape = Preset::Community.shape();
        shape.buildings_per_community = GRID_BUILDINGS as u32;
        (shape, 1)
    } else {
        (Preset::Street.shape(), args.reps.max(1))
    };
    let work = tempfile::tempdir()?;
    let data = work.path().join("relay");
    let mut relay = Relay::start_linli_defaults(&bin_dir, &data)?;
    let linli = bin_dir.join("linli");
    eprintln!(
        "setting up a street of {} buildings, {} households, with the linli CLI…",
        shape.buildings(),
        shape.households()
    );
    let street = street::set_up(
        &mut relay,
        &linli,
        shape,
        args.seed,
        work.path(),
        GRID_BUILDINGS,
    )?;
    let head_building = std::slice::from_ref(&street.buildings[0]);
    let head = street::token(&relay, "building-head", head_building, "head-wang")?;
    let grid = street::token(&relay, "grid-worker", &street.buildings, "grid-zhao")?;
    let cli_head = street::token(&relay, "building-head", head_building, "head-wang-laptop")?;

    let relay_addr = relay
        .url
        .trim_start_matches("ws://")
        .trim_end_matches("/sync")
        .to_owned();
    let slow = SlowLink::start(relay_addr.clone(), slow_link::Shape::fast_3g()).await?;
    let config = json!({
        "url": format!("http://{relay_addr}/"),
        "slow_url": format!("http://{}/", slow.addr),
        "directory": street.directory,
        "head": {"token": head, "as": "head-wang", "household": street.household},
        "grid": {
            "token": grid,
            "as": "grid-zhao",
            "buildings": street.buildings.len(),
            "reps": reps.min(GRID_REPS),
        },
        "households": street.households_per_building,
        "reps": reps,
        "dist": args.web.join("dist"),
        "chromium": args.chromium,
    });
    eprintln!("the browser's side…");
    let mut app = browser::run(&args.web, "app.mjs", &config).await?;
    // Only the first sign-in went through the slow link.
    app["first_signin"]["bytes_down"] = slow.bytes_down().into();
    drop(slow);

    eprintln!("the CLI's side…");
    let device = Cli {
        program: linli,
        dir: work.path().join("head-laptop"),
    };
    device.run(&[
        "--token",
        &cli_head,
        "init",
        "--relay",
        &relay.url,
        "--as",
        "head-wang",
    ])?;
    device.run(&["street", "use", &street.directory])?;
    let cli = cli_visit::visits(&device, &street.household, reps)?;

    println!(
        "{} buildings, {} households ({}); a building head of one building, a grid worker of {}; median of {reps}\n",
        shape.buildings(),
        shape.households(),
        if args.quick { "quick" } else { "street preset" },
        street.buildings.len(),
    );
    println!("{}", table::render(&app, &cli, reps, reps.min(GRID_REPS))?);
    Ok(())
}

/// The median of `times` (the mean of the middle two when even).
fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    match t.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => t[n / 2],
        n => (t[n / 2 - 1] + t[n / 2]) / 2,
    }
}
