//! The street the field app is measured on, set up as a street office
//! would: linli-gen's CSV files imported by the admin with the `linli` CLI,
//! the relay told its directory, and role tokens made with the relay's
//! admin subcommand.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use linli_gen::Shape;
use serde_json::Value;

use crate::relay::Relay;

/// Runs a program and returns its stdout; fails with its stderr.
pub fn run(program: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(program)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("LINLI_AS")
        .env_remove("LINLI_TOKEN")
        .env_remove("LINLI_DIR")
        .output()
        .with_context(|| format!("run {}", program.display()))?;
    if !out.status.success() {
        bail!(
            "{} {args:?} failed: {}{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A device of the `linli` CLI: its program and data folder.
pub struct Cli {
    pub program: PathBuf,
    pub dir: PathBuf,
}

impl Cli {
    pub fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let dir = self.dir.to_str().context("device folder is not UTF-8")?;
        run(&self.program, &[&["--dir", dir], args].concat())
    }
}

/// What the browser and the CLI need of the street.
pub struct Street {
    pub directory: String,
    /// A community's buildings (ids), the head's first.
    pub buildings: Vec<String>,
    /// A household of the head's building.
    pub household: String,
    pub households_per_building: u32,
}

/// Generates the street, imports it as the street admin and makes the
/// relay follow its directory (restarting it, so nothing waits on a timer).
pub fn set_up(
    relay: &mut Relay,
    linli: &Path,
    shape: Shape,
    seed: u64,
    work: &Path,
    grid_buildings: usize,
) -> anyhow::Result<Street> {
    let (admin, directory) = import(relay, linli, shape, seed, "东湖街道", work)?;
    admin.run(&["sync", "--timeout", "600"])?;
    let data = relay.data().to_str().context("UTF-8 path")?.to_owned();
    run(
        relay.program(),
        &["directory", "set", &directory, "--data", &data],
    )?;
    relay.restart()?;

    let shown: Value = serde_json::from_str(&admin.run(&["street", "show", "--json"])?)?;
    let buildings = community_buildings(&shown, grid_buildings)?;
    let listed: Value = serde_json::from_str(&admin.run(&[
        "household",
        "list",
        "--building",
        &buildings[0],
        "--json",
    ])?)?;
    let household = listed
        .get(0)
        .and_then(|h| h["id"].as_str())
        .context("the head's building has no household")?
        .to_owned();
    Ok(Street {
        directory,
        buildings,
        household,
        households_per_building: shape.households_per_building,
    })
}

/// Generates a street named `name` and imports it as its street admin, on
/// a `linli` device in `work`: the admin's device and the directory URL.
/// Nothing is synced yet.
pub fn import(
    relay: &Relay,
    linli: &Path,
    shape: Shape,
    seed: u64,
    name: &str,
    work: &Path,
) -> anyhow::Result<(Cli, String)> {
    let generated = linli_gen::generate(shape, seed);
    let residents = work.join("residents.csv");
    let volunteers = work.join("volunteers.csv");
    std::fs::write(&residents, &generated.residents_csv)?;
    std::fs::write(&volunteers, &generated.volunteers_csv)?;
    let admin = Cli {
        program: linli.to_path_buf(),
        dir: work.join("admin-device"),
    };
    let token = relay
        .token
        .clone()
        .context("linli-relay made no admin token")?;
    admin.run(&[
        "--token", &token, "init", "--relay", &relay.url, "--as", "admin-li",
    ])?;
    let directory = admin.run(&["street", "init", name])?.trim().to_owned();
    for file in [&residents, &volunteers] {
        let said = admin.run(&["import", file.to_str().context("UTF-8 path")?])?;
        if !said.contains(" 0 row(s) rejected") {
            bail!("import of {} rejected rows: {said}", file.display());
        }
    }
    Ok((admin, directory))
}

/// Up to `n` buildings of one community (a grid worker's grid), by id.
fn community_buildings(shown: &Value, n: usize) -> anyhow::Result<Vec<String>> {
    let all = shown["directory"]["buildings"]
        .as_object()
        .context("no buildings in the directory")?;
    let mut ids: Vec<(&str, &str)> = all
        .iter()
        .map(|(id, b)| (b["community"].as_str().unwrap_or_default(), id.as_str()))
        .collect();
    ids.sort();
    let community = ids.first().context("no building")?.0;
    let grid: Vec<String> = ids
        .iter()
        .filter(|(c, _)| *c == community)
        .take(n)
        .map(|(_, id)| (*id).to_owned())
        .collect();
    if grid.len() < n {
        bail!("a community has {} buildings, {n} wanted", grid.len());
    }
    Ok(grid)
}

/// Makes a token with the relay's admin subcommand; returns its secret.
pub fn token(relay: &Relay, role: &str, scope: &[String], name: &str) -> anyhow::Result<String> {
    let scope = scope
        .iter()
        .map(|b| format!("building:{b}"))
        .collect::<Vec<_>>()
        .join(",");
    let data = relay.data().to_str().context("UTF-8 path")?;
    let args = [
        "token", "create", "--role", role, "--scope", &scope, "--name", name, "--data", data,
    ];
    Ok(run(relay.program(), &args)?.trim().to_owned())
}
