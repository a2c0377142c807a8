//! `linli doc show`: print a document as JSON.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use linli_client::{ClientError, DocumentId, json};

use crate::cli::Context;

/// Print a document as JSON. A document that is not on this device is
/// fetched from the relay first (if one is configured).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document's automerge URL (automerge:…) or bare id.
    #[arg(value_name = "URL")]
    pub url: String,

    /// Compact, machine-readable JSON on one line instead of pretty JSON.
    #[arg(long)]
    pub json: bool,

    /// Seconds to wait for the relay when fetching.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let doc = DocumentId::parse_id_or_url(args.url.trim()).map_err(ClientError::from)?;
    let client = ctx.open()?;
    if !client.contains(doc)? {
        let Some(relay) = ctx.relay(&client)? else {
            return Err(ClientError::NotFound { doc })
                .context("no relay is configured to fetch it from (run `linli init --relay URL`)");
        };
        let runtime = ctx.runtime()?;
        runtime.block_on(client.fetch(relay, doc, Duration::from_secs(args.timeout)))?;
    }
    let value = client.read(doc, json::to_json)?;
    let text = if args.json {
        serde_json::to_string(&value)?
    } else {
        serde_json::to_string_pretty(&value)?
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
