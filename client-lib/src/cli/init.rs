//! `linli init`: create the local store and remember the relay.

use std::process::ExitCode;

use super::Context;

/// Create (or open) this device's linli data and remember the relay (and,
/// with `--token`, this device's token, kept in the owner-only local store;
/// with `--as`, who uses this device).
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
    if let Some(person) = &ctx.person {
        client.set_person_id(person)?;
    }
    println!("linli data: {}", ctx.dir.display());
    println!("relay:      {}", linli_client::redact_url(&url));
    println!("peer id:    {}", client.peer_id());
    if ctx.token.is_some() {
        println!("token:      saved (not shown)");
    }
    if let Some(person) = &ctx.person {
        println!("you are:    {person}");
    }
    Ok(ExitCode::SUCCESS)
}
