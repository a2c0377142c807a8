//! `linli conflicts` and `linli resolve`: fields two people changed
//! concurrently, shown to a person, settled by a person.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::DocumentId;
use linli_records::conflicts::{Resolution, list_conflicts, resolve_conflict};
use serde_json::json;

use super::Context;
use super::lookup::edit_err;
use super::output::{format_time, print_json, who_wrote};

/// List fields with concurrent values (of one document, or of every
/// document on this device): the document, the path, and each value with
/// who wrote it and when. Settle one with `linli resolve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this document (automerge URL).
    pub url: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Settle a conflict: keep value N (as numbered by `linli conflicts`).
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// The document (automerge URL).
    pub url: String,
    /// The field's path as `linli conflicts` prints it, e.g.
    /// households/h1/members/m1/phone.
    pub path: String,
    /// The number of the value to keep (1, 2, …).
    #[arg(long, required_unless_present = "value", conflicts_with = "value")]
    pub pick: Option<usize>,
    /// Or a new value for the field, as JSON (e.g. '"133-3333-3333"'), when
    /// neither is right.
    #[arg(long)]
    pub value: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let docs = match &args.url {
        Some(url) => vec![DocumentId::parse_id_or_url(url.trim()).context("not a document URL")?],
        None => client.documents()?,
    };
    let mut all = Vec::new();
    for doc in docs {
        let conflicts = client.read(doc, list_conflicts)??;
        for c in conflicts {
            all.push((doc, c));
        }
    }
    if args.json {
        let out: Vec<_> = all
            .iter()
            .map(|(doc, c)| {
                json!({
                    "url": doc.url(),
                    "path": c.path.join("/"),
                    "values": c.values.iter().enumerate().map(|(i, v)| json!({
                        "pick": i + 1,
                        "value": v.value,
                        "actor": v.actor,
                        "author": v.author,
                        "this_device": client.is_own_actor(&v.actor),
                        "time": v.time,
                        "winner": v.winner,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!("no conflicts");
        return Ok(ExitCode::SUCCESS);
    }
    for (doc, c) in &all {
        println!("{}  {}", doc.url(), c.path.join("/"));
        for (i, v) in c.values.iter().enumerate() {
            let who = who_wrote(
                v.author.as_deref(),
                client.is_own_actor(&v.actor),
                &v.actor,
                12,
            );
            let when = v
                .time
                .filter(|t| *t > 0)
                .map_or("?".to_owned(), format_time);
            let shown = if v.winner { "  (shown now)" } else { "" };
            println!("  [{}] {}  by {who} at {when}{shown}", i + 1, v.value);
        }
    }
    println!(
        "{} conflict(s); keep one with `linli resolve URL PATH --pick N`",
        all.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(ctx: &Context, args: ResolveArgs) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let doc = DocumentId::parse_id_or_url(args.url.trim()).context("not a document URL")?;
    let path: Vec<String> = args
        .path
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let conflicts = client.read(doc, list_conflicts)??;
    let Some(conflict) = conflicts.iter().find(|c| c.path == path) else {
        bail!(
            "no conflict at {} (see `linli conflicts {}`)",
            args.path,
            doc.url()
        );
    };
    let (resolution, said) = match (&args.value, args.pick) {
        (Some(text), _) => {
            let value: serde_json::Value = serde_json::from_str(text).with_context(|| {
                format!("--value must be JSON, e.g. '\"text\"' or 42; got {text}")
            })?;
            let said = format!("set to {value}");
            (Resolution::Write(value), said)
        }
        (None, pick) => {
            let Some(value) = pick
                .and_then(|p| p.checked_sub(1))
                .and_then(|i| conflict.values.get(i))
            else {
                bail!(
                    "--pick must be 1 to {} for {}",
                    conflict.values.len(),
                    args.path
                );
            };
            let said = format!("kept {}", value.value);
            (
                Resolution::Keep {
                    op: value.op.clone(),
                },
                said,
            )
        }
    };
    client.change(doc, |tx| {
        resolve_conflict(tx, &path, &resolution).map_err(edit_err)
    })?;
    println!("{}: {said}", args.path);
    Ok(ExitCode::SUCCESS)
}
