//! `linli task claim|start|done|cancel|rate`: append an event to an
//! existing task, then say what this device now sees of it.

use std::process::ExitCode;

use anyhow::bail;
use linli_records::ids::{PersonId, VolunteerId};
use linli_records::task_board::{self, TaskBoard};
use linli_records::task_event::{EventKind, TaskEvent};
use linli_records::task_fold::ClaimOutcome;

use super::words::{reason_text, status_word};
use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};
use crate::cli::output::now_ms;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id.
    pub id: String,
    /// A progress note.
    #[arg(long, default_value = "")]
    pub note: String,
}

/// Rate a done task for the resident (1–5 stars).
#[derive(Debug, clap::Args)]
pub struct RateArgs {
    id: String,
    #[arg(long)]
    stars: u8,
    #[arg(long, default_value = "")]
    feedback: String,
}

/// Records `kind` (claimed, started, done, cancelled) on the task.
pub fn run(ctx: &Context, args: Args, kind: EventKind) -> anyhow::Result<ExitCode> {
    append(ctx, &args.id, kind, args.note)
}

/// Records a rating on the task.
pub fn rate(ctx: &Context, args: RateArgs) -> anyhow::Result<ExitCode> {
    if !(1..=5).contains(&args.stars) {
        bail!("--stars must be 1 to 5");
    }
    let kind = EventKind::Rated {
        stars: args.stars,
        feedback: args.feedback,
    };
    append(ctx, &args.id, kind, String::new())
}

fn append(ctx: &Context, id: &str, kind: EventKind, note: String) -> anyhow::Result<ExitCode> {
    let super::Opened { client, boards, .. } = super::open(ctx)?;
    let by = PersonId::new(ctx.person(&client)?)?;
    let (b, id, _) = lookup::task(&boards, id)?;
    let event = TaskEvent::new(&id, now_ms(), by.clone(), kind, note);
    client.change(b.doc, |tx| {
        task_board::append_event(tx, &id, &event).map_err(edit_err)
    })?;
    // Tell what this device now sees; after a sync it may differ.
    let board = client.read(b.doc, TaskBoard::load)??;
    let state = board.tasks[&id].state();
    let word = event.kind.name().to_owned();
    let ignored = state.ignored.iter().find(|i| i.event == event.id);
    match (&event.kind, ignored) {
        (EventKind::Claimed, _) => match state.claim_outcome(&VolunteerId::from(&by)) {
            ClaimOutcome::Assigned => println!(
                "task {id} claimed; it is yours unless an earlier claim arrives when you sync"
            ),
            ClaimOutcome::Lost { assignee } => {
                println!("claim recorded, but {assignee} already holds task {id}")
            }
            _ => println!("claim recorded, but task {id} is already closed"),
        },
        (_, Some(i)) => println!(
            "{word} recorded, but it does not count: {}",
            reason_text(&i.reason)
        ),
        _ => println!(
            "task {id}: {word} recorded; now {}",
            status_word(state.status)
        ),
    }
    Ok(ExitCode::SUCCESS)
}
