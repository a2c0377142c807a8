//! `linli sync`: sync every document with the relay once.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use linli_client::ClientError;

use super::Context;

/// Sync every document with the relay until nothing is pending. Prints a
/// one-line summary; exits with code 2 if some changes could not be
/// confirmed by the relay (or it could not be reached), 3 if the street
/// office revoked this device's token.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let relay = ctx
        .relay(&client)?
        .ok_or(ClientError::NoRelay)
        .context("cannot sync")?;
    let runtime = ctx.runtime()?;
    let timeout = Duration::from_secs(args.timeout);
    let mut report = runtime.block_on(client.sync_until_idle(relay.clone(), timeout))?;
    // The street's directory may name documents this device has not got
    // yet (a new building, board or team): ask for them and sync again.
    if let Ok(street) = client.street()
        && client.want_street_documents(&street)? > 0
    {
        report = runtime.block_on(client.sync_until_idle(relay.clone(), timeout))?;
    }
    // Likewise on a district office's device: the streets' directories and
    // the boards shared down.
    if let Ok(hub) = client.district()
        && client.want_district_documents(&hub)? > 0
    {
        report = runtime.block_on(client.sync_until_idle(relay, timeout))?;
    }
    println!("synced: {report}");
    Ok(ExitCode::SUCCESS)
}
