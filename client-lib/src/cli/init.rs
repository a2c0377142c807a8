//! `linli init`: create the local store and remember the relay.

use std::process::ExitCode;

use super::Context;

/// Create (or open) this device's linli data and remember the relay (and,
/// with `--token`, this device's token, kept in the owner-only local store).
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
    if let Some(token) = &ctx.token {
        client.set_token(token)?;
    }
    println!("linli data: {}", ctx.dir.display());
    println!("relay:      {}", linli_client::redact_url(&url));
    println!("peer id:    {}", client.peer_id());
    if ctx.token.is_some() {
        println!("token:      saved (not shown)");
    }
    Ok(ExitCode::SUCCESS)
}
