//! `linli-bench office`: the street office's figures page on a street
//! (issue 11's "Scale"), and the figures to choose where figures are
//! computed.
//!
//! On the relay: `GET /api/office/figures` (and key groups), cold (just
//! after a restart: every document read from SQLite) and warm (cached
//! records). In the browser: the office's PC signing in by link and
//! opening the figures page until every number is shown, first time and
//! cached. The alternative, computing in the browser over every document,
//! needs every document on the PC first: timed here as a fresh `linli`
//! device fetching the whole street, with the bytes it holds after.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use linli_gen::{DEFAULT_SEED, Preset};
use serde_json::{Value, json};

use crate::app::browser;
use crate::app::street::{self, Cli};
use crate::relay::Relay;

#[derive(clap::Args)]
pub struct Args {
    /// The community preset and one run of each step: checks the harness.
    #[arg(long)]
    quick: bool,
    /// Repetitions of each timed step (the median is reported).
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Folder holding linli-relay and linli (default: next to this program).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// The web app's folder (with `dist/`, `bench/office.mjs`, `node_modules/`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../web"))]
    web: PathBuf,
    #[arg(long, env = "LINLI_CHROMIUM", default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// A GET with a bearer token over a plain socket: (status, body bytes, time).
fn get(addr: &str, path: &str, token: &str) -> anyhow::Result<(u16, usize, Duration)> {
    let start = Instant::now();
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(600)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)?;
    let took = start.elapsed();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("not an HTTP answer")?;
    let head = String::from_utf8_lossy(&answer[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, answer.len() - split - 4, took))
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    match xs.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2,
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let bin_dir = crate::relay::bin_dir(args.bin_dir)?;
    if !args.chromium.exists() {
        bail!(
            "{} is missing: apt-get install -y chromium fonts-noto-cjk",
            args.chromium.display()
        );
    }
    let (shape, reps) = if args.quick {
        (Preset::Community.shape(), 1)
    } else {
        (Preset::Street.shape(), args.reps.max(1))
    };
    let work = tempfile::tempdir()?;
    let mut relay = Relay::start_linli_defaults(&bin_dir, &work.path().join("relay"))?;
    let linli = bin_dir.join("linli");
    eprintln!(
        "setting up a street of {} buildings, {} households, with the linli CLI…",
        shape.buildings(),
        shape.households()
    );
    let street = street::set_up(&mut relay, &linli, shape, args.seed, work.path(), 1)?;
    let token = relay.token.clone().context("no admin token")?;

    eprintln!("the relay's side…");
    // Cold: a fresh process reads every document from SQLite. (A restart
    // may move the relay to another port.)
    relay.restart()?;
    let addr = relay
        .url
        .trim_start_matches("ws://")
        .trim_end_matches("/sync")
        .to_owned();
    let figures = "/api/office/figures?from=2020-01-01";
    let (status, figures_bytes, cold) = get(&addr, figures, &token)?;
    if status != 200 {
        bail!("GET {figures}: HTTP {status}");
    }
    let mut warm = Vec::new();
    let mut key_groups = Vec::new();
    let mut key_groups_bytes = 0;
    for _ in 0..reps {
        warm.push(get(&addr, figures, &token)?.2);
        let (_, bytes, took) = get(&addr, "/api/office/key-groups?days=30", &token)?;
        key_groups.push(took);
        key_groups_bytes = bytes;
    }

    eprintln!("the browser's side…");
    let config = json!({
        "url": format!("http://{addr}/"),
        "directory": street.directory,
        "token": token,
        "reps": reps,
        "chromium": args.chromium,
    });
    let page = browser::run(&args.web, "office.mjs", &config).await?;

    eprintln!("the alternative: every document on the office's PC…");
    let laptop = Cli {
        program: linli,
        dir: work.path().join("office-laptop"),
    };
    laptop.run(&[
        "--token",
        &token,
        "init",
        "--relay",
        &relay.url,
        "--as",
        "office-pc",
    ])?;
    let start = Instant::now();
    laptop.run(&["street", "use", &street.directory])?;
    laptop.run(&["sync", "--timeout", "900"])?;
    let fetch_all = start.elapsed();
    let held = dir_bytes(&laptop.dir)?;

    let (warm, key_groups) = (median(warm), median(key_groups));
    let out: Value = json!({
        "street": {"buildings": shape.buildings(), "households": shape.households()},
        "relay": {
            "figures_cold_ms": ms(cold),
            "figures_warm_ms": ms(warm),
            "figures_bytes": figures_bytes,
            "key_groups_warm_ms": ms(key_groups),
            "key_groups_bytes": key_groups_bytes,
        },
        "browser": page,
        "every_document": {"cli_fetch_ms": ms(fetch_all), "bytes": held},
    });
    println!(
        "{} buildings, {} households ({}); median of {reps}\n",
        shape.buildings(),
        shape.households(),
        if args.quick { "quick" } else { "street preset" }
    );
    let b = |k: &str| out["browser"][k].as_f64().unwrap_or(f64::NAN);
    let open = b("open_ms");
    let met = if open <= 2000.0 { "met" } else { "NOT met" };
    println!("| step | linli | goal |\n|---|---|---|");
    println!("| figures page opened (app cached, signed in) | {open:.0} ms | ≤ 2 s: {met} |");
    println!(
        "| figures page, first sign-in by link | {:.0} ms | |",
        b("first_open_ms")
    );
    println!(
        "| GET /api/office/figures, cold (after a restart) | {:.0} ms, {figures_bytes} bytes | |",
        ms(cold)
    );
    println!("| GET /api/office/figures, warm | {:.1} ms | |", ms(warm));
    println!(
        "| GET /api/office/key-groups, warm | {:.1} ms, {key_groups_bytes} bytes | |",
        ms(key_groups)
    );
    println!(
        "| every document to a fresh `linli` device (the browser alternative's floor) | {:.0} ms, {held} bytes held | |",
        ms(fetch_all)
    );
    println!("\n{out}");
    Ok(())
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &std::path::Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
