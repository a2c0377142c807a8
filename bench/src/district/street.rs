//! One street for the district benchmark, set up as a street office would:
//! linli-gen's CSV files imported with the `linli` CLI, a community's task
//! boards with a few tasks each, and the relay told its directory. Not
//! timed: the benchmark measures the feeding of the hub, not this.

use std::path::Path;

use anyhow::Context;
use linli_gen::Shape;
use serde_json::Value;

use crate::app::street::{import, run};
use crate::relay::Relay;

/// Task boards per street (one a month), each shared up to the hub.
pub const BOARDS: usize = 2;
/// Tasks raised on each board.
const TASKS_PER_BOARD: usize = 5;

/// Imports street number `n` into `relay` (running) through a `linli`
/// device in `work`; returns the street directory's URL.
pub fn set_up(
    relay: &Relay,
    linli: &Path,
    shape: Shape,
    seed: u64,
    n: usize,
    work: &Path,
) -> anyhow::Result<String> {
    let (admin, directory) = import(relay, linli, shape, seed, &format!("街道{n}"), work)?;
    let shown: Value = serde_json::from_str(&admin.run(&["street", "show", "--json"])?)?;
    let (building, first) = shown["directory"]["buildings"]
        .as_object()
        .and_then(|all| all.iter().next())
        .context("no building in the directory")?;
    let community = first["community"]
        .as_str()
        .context("a building without its community")?
        .to_owned();
    for month in 0..BOARDS {
        let period = format!("2026-{:02}", month + 1);
        let made: Value = serde_json::from_str(&admin.run(&[
            "street",
            "add-board",
            "--community",
            &community,
            "--period",
            &period,
            "--json",
        ])?)?;
        let board = made["id"].as_str().context("add-board printed no id")?;
        for t in 0..TASKS_PER_BOARD {
            admin.run(&[
                "task",
                "new",
                "--board",
                board,
                "--kind",
                "errand",
                "--title",
                &format!("代买药品 {t}"),
                "--building",
                building,
            ])?;
        }
    }
    admin.run(&["sync", "--timeout", "600"])?;
    let data = relay.data().to_str().context("UTF-8 path")?;
    run(
        relay.program(),
        &["directory", "set", &directory, "--data", data],
    )?;
    Ok(directory)
}
