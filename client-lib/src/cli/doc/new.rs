//! `linli doc new`: create an empty document.

use std::process::ExitCode;

use crate::cli::Context;

/// Create a new, empty document on this device and print its automerge URL
/// (only the URL, on stdout). It reaches the relay with the next sync.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let doc = client.create()?;
    println!("{}", doc.url());
    Ok(ExitCode::SUCCESS)
}
