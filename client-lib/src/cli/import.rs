//! `linli import FILE.csv`: residents or volunteers from a spreadsheet.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use linli_records::WriteError;
use linli_records::ids::DocUrl;
use linli_records::import_csv::{ImportDocs, ImportLimits, RunError, run_import};
use serde_json::json;

use super::Context;
use super::lookup::edit_err;
use super::output::{format_date, now_ms, print_json};

/// Import `residents.csv` or `volunteers.csv` (the format `linli export`
/// writes; which one is told by the header). Buildings, teams and
/// communities not yet in the directory are created and registered. Rows
/// that cannot be imported are listed with their line and reason; the rest
/// are imported. Importing the same file again changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file.
    pub file: PathBuf,
    /// Machine-readable JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let limits = ImportLimits::up_to(format_date(now_ms())[..4].parse().unwrap_or(2100));
    let directory_url = DocUrl::new(street.doc.url())?;
    let mut bar: Option<Progress> = None;
    let outcome = run_import(
        &mut Local { client: &client },
        &street.directory,
        &directory_url,
        &bytes,
        &limits,
        &mut |p| {
            let bar = bar.get_or_insert_with(|| Progress::new(p.total));
            bar.show(p.done, &p.what);
        },
    );
    if let Some(bar) = bar {
        bar.done();
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(RunError::File(e)) => {
            return Err(anyhow::Error::new(e).context("cannot import this file"));
        }
        Err(RunError::Docs(e)) => return Err(e),
    };
    if args.json {
        print_json(&json!({
            "kind": outcome.kind,
            "changes": outcome.changes,
            "imported": outcome.imported,
            "rejected": outcome.rejected,
        }))?;
    } else {
        for line in &outcome.lines {
            println!("{line}");
        }
        for row in &outcome.rejected {
            let reasons: Vec<String> = row.problems.iter().map(|p| p.to_string()).collect();
            println!("rejected line {}: {}", row.line, reasons.join("; "));
        }
        println!(
            "{} change(s), {} row(s) rejected",
            outcome.changes,
            outcome.rejected.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// This device's documents, for [`run_import`]: a document must be here
/// (synced) before it is changed.
struct Local<'a> {
    client: &'a linli_client::Client,
}

impl ImportDocs for Local<'_> {
    type Error = anyhow::Error;

    fn edit<R, F>(
        &mut self,
        url: Option<&DocUrl>,
        what: &str,
        edit: F,
    ) -> anyhow::Result<(DocUrl, R)>
    where
        R: Send + 'static,
        F: FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<R, WriteError>
            + Send
            + 'static,
    {
        match url {
            Some(url) => {
                let doc = linli_client::records::doc_id(url)?;
                if !self.client.contains(doc)? {
                    anyhow::bail!(
                        "{what}'s document is not on this device yet; run `linli sync` first"
                    );
                }
                let r = self.client.change(doc, |tx| edit(tx).map_err(edit_err))?;
                Ok((url.clone(), r))
            }
            None => {
                let (doc, r) = self.client.create_with(|tx| edit(tx).map_err(edit_err))?;
                Ok((DocUrl::new(doc.url())?, r))
            }
        }
    }
}

/// A progress bar on stderr for files with more than one building or team,
/// drawn only when stderr is a terminal (indicatif hides it otherwise, so
/// scripts and `--json` output stay clean).
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = if total > 1 {
            ProgressBar::new(total as u64)
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed}, ~{eta} left)")
        {
            bar.set_style(style);
        }
        Progress { bar }
    }

    /// `i` done; now importing `what`.
    fn show(&self, i: usize, what: &str) {
        self.bar.set_position(i as u64);
        self.bar.set_message(what.to_string());
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}
