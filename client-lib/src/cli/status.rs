//! `linli status`: what is on this device and what the relay has not
//! confirmed yet.

use std::process::ExitCode;
use std::time::SystemTime;

use linli_client::sync::human_duration;
use linli_client::{DocumentId, Pending, redact_url};
use serde_json::json;

use super::Context;

/// Show the relay, the number of documents, the changes not yet confirmed
/// by the relay (count and age of the oldest), per document, and the
/// documents asked for that are not here: not fetched yet, or not shared
/// with this device.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let summary = client.summary()?;
    // Wanted documents the relay answered doc-unavailable for are not
    // coming until someone shares them: say so instead of "not fetched".
    let unshared = client.unshared()?;
    let (not_shared, not_fetched): (Vec<&DocumentId>, Vec<&DocumentId>) = summary
        .wanted
        .iter()
        .partition(|doc| unshared.contains(doc));
    let now = SystemTime::now();
    let age_secs = |p: &Pending| p.oldest_age(now).map(|d| d.as_secs());
    if args.json {
        let value = json!({
            "dir": ctx.dir.display().to_string(),
            "relay": summary.relay.as_deref().map(redact_url),
            "peer_id": client.peer_id().as_str(),
            "documents": summary.documents,
            "pending_changes": summary.pending.changes,
            "oldest_pending_age_secs": age_secs(&summary.pending),
            "pending_documents": summary.pending_documents.iter().map(|(doc, p)| json!({
                "url": doc.url(),
                "changes": p.changes,
                "oldest_pending_age_secs": age_secs(p),
            })).collect::<Vec<_>>(),
            "wanted": summary.wanted.iter().map(|d| d.url()).collect::<Vec<_>>(),
            "not_shared": not_shared.iter().map(|d| d.url()).collect::<Vec<_>>(),
        });
        println!("{value}");
        return Ok(ExitCode::SUCCESS);
    }
    let describe = |p: &Pending| match p.oldest_age(now) {
        Some(age) => format!(
            "{} change(s), oldest {} old",
            p.changes,
            human_duration(age)
        ),
        None => format!("{} change(s)", p.changes),
    };
    println!(
        "relay:     {}",
        summary
            .relay
            .as_deref()
            .unwrap_or("(none; run `linli init --relay URL`)")
    );
    println!("documents: {}", summary.documents);
    if summary.pending.is_empty() {
        println!("pending:   nothing; the relay has confirmed every change");
    } else {
        let oldest = summary
            .pending
            .oldest_age(now)
            .map(|age| format!(", oldest {} old", human_duration(age)))
            .unwrap_or_default();
        println!(
            "pending:   {} change(s) in {} document(s){oldest}",
            summary.pending.changes,
            summary.pending_documents.len()
        );
        for (doc, p) in &summary.pending_documents {
            println!("  {}  {}", doc.url(), describe(p));
        }
    }
    if !not_fetched.is_empty() {
        println!(
            "wanted:    {} document(s) not fetched yet",
            not_fetched.len()
        );
        for doc in &not_fetched {
            println!("  {}", doc.url());
        }
    }
    if !not_shared.is_empty() {
        println!(
            "not shared: {} document(s) not shared with this device (the relay answered \
             doc-unavailable: not there, or not readable with this device's token)",
            not_shared.len()
        );
        for doc in &not_shared {
            println!("  {}", doc.url());
        }
    }
    Ok(ExitCode::SUCCESS)
}
