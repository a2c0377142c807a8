//! `linli doc set`: write one value into a document, offline.

use std::process::ExitCode;

use anyhow::Context as _;
use linli_client::{ClientError, DocumentId, json};

use crate::cli::Context;

/// Set a value in a local document (works offline; the next sync sends it).
///
/// Example: linli doc set automerge:… households/h1/phone '"13800000000"'
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document's automerge URL (automerge:…) or bare id.
    #[arg(value_name = "URL")]
    pub url: String,

    /// Slash-separated map keys from the root, e.g. households/h1/phone.
    /// Missing intermediate maps are created.
    #[arg(value_name = "PATH")]
    pub path: String,

    /// The value as JSON: "text" (with the quotes), 42, 1.5, true, null,
    /// [..] for a list, {..} for a map.
    #[arg(value_name = "JSON_VALUE", allow_hyphen_values = true)]
    pub value: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let doc = DocumentId::parse_id_or_url(args.url.trim()).map_err(ClientError::from)?;
    let path = json::parse_path(&args.path)?;
    let value: serde_json::Value = serde_json::from_str(&args.value).with_context(|| {
        "JSON_VALUE is not valid JSON (text needs double quotes inside single quotes: '\"text\"')"
    })?;
    let client = ctx.open()?;
    if !client.contains(doc)? {
        return Err(ClientError::NotFound { doc })
            .context("fetch it first with `linli doc show URL` (needs the relay once)");
    }
    client.change(doc, |tx| {
        json::set_path(tx, &path, &value)?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
