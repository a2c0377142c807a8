//! `linli init`: create the local store and remember the relay.

use std::process::ExitCode;

use super::Context;

/// Create (or open) this device's linli data and remember the relay.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The relay's websocket URL, e.g. ws://relay.example:8080/sync
    /// (wss:// for TLS; a URL without a path gets /sync).
    #[arg(long, value_name = "URL")]
    pub relay: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let url = client.set_relay(&args.relay)?;
    println!("linli data: {}", ctx.dir.display());
    println!("relay:      {}", linli_client::redact_url(&url));
    println!("peer id:    {}", client.peer_id());
    Ok(ExitCode::SUCCESS)
}
