//! `linli task edit`: correct what a task says.

use std::process::ExitCode;

use linli_records::task_board::{self, TaskEdit};

use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};
use crate::cli::output::{days, parse_date};

/// Correct a task's kind, title, detail or deadline (its events and who
/// raised it stay as they are).
#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    detail: Option<String>,
    /// Due by the end of this day (YYYY-MM-DD, UTC), or `none`.
    #[arg(long, value_name = "DATE")]
    deadline: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let super::Opened { client, boards, .. } = super::open(ctx)?;
    let (b, id, task) = lookup::task(&boards, &args.id)?;
    let deadline = match args.deadline.as_deref().map(str::trim) {
        None => None,
        Some("none") => Some(None),
        Some(d) => Some(Some(parse_date(d)? + days(1) - 1)),
    };
    let edit = TaskEdit {
        kind: args
            .kind
            .map(|k| k.trim().to_owned())
            .filter(|k| *k != task.kind),
        title: args
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| *t != task.title),
        detail: args.detail.filter(|d| *d != task.detail),
        deadline: deadline.filter(|d| *d != task.deadline),
    };
    if edit == TaskEdit::default() {
        println!("nothing to change");
        return Ok(ExitCode::SUCCESS);
    }
    client.change(b.doc, |tx| {
        task_board::edit_task(tx, &id, &edit).map_err(edit_err)
    })?;
    println!("task {id} saved");
    Ok(ExitCode::SUCCESS)
}
