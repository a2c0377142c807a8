//! `linli history`: who changed which field of a document, and when.

use std::process::ExitCode;

use anyhow::Context as _;
use linli_client::DocumentId;
use linli_records::dates::format_timestamp;

use super::Context;
use super::output::{printable, who_wrote};

/// Show every change of a document (or of the fields under PATH): when,
/// by which device, which fields, and — when the relay can be asked — the
/// name of the token that stored it on the relay.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document's automerge URL.
    pub url: String,
    /// Only changes to fields under this slash-separated path.
    #[arg(default_value = "")]
    pub path: String,
    /// Machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not ask the relay for names (offline).
    #[arg(long)]
    pub offline: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let doc = DocumentId::parse_id_or_url(&args.url).context("not a document URL")?;
    let mut entries = client.history(doc, &args.path)?;
    if !args.offline
        && let Some(relay) = ctx.relay(&client)?
    {
        let runtime = ctx.runtime()?;
        match runtime.block_on(client.relay_audit(relay, doc)) {
            Ok(names) => {
                for e in &mut entries {
                    e.stored_by = names.get(&e.change).cloned();
                }
            }
            Err(e) => eprintln!("linli: names from the relay unavailable ({e})"),
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(ExitCode::SUCCESS);
    }
    for e in &entries {
        let mut who = who_wrote(e.author.as_deref(), e.this_device, &e.actor, 16);
        if let Some(name) = &e.stored_by {
            who.push_str(&format!(", stored by {}", printable(name)));
        }
        println!(
            "{}  {who}  {}",
            format_timestamp(e.time_ms),
            e.fields.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
