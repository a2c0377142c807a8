//! `linli task list`: the tasks on the boards on this device.

use std::process::ExitCode;

use linli_records::ids::VolunteerId;
use linli_records::task_fold::ClaimOutcome;

use super::words::{overdue, status_word, task_json};
use crate::cli::Context;
use crate::cli::output::{format_date, now_ms, print_json, print_table};

/// List tasks.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// open, claimed, in-progress, done or cancelled.
    #[arg(long)]
    status: Option<String>,
    /// Only tasks past their deadline and not closed.
    #[arg(long)]
    overdue: bool,
    /// Only tasks you hold or claimed.
    #[arg(long)]
    mine: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let super::Opened {
        client,
        street,
        boards,
    } = super::open(ctx)?;
    let me = if args.mine {
        Some(ctx.person(&client)?)
    } else {
        None
    };
    let now = now_ms();
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for b in &boards {
        for (id, task) in &b.value.tasks {
            let state = task.state();
            if args
                .status
                .as_deref()
                .is_some_and(|s| s.trim() != status_word(state.status))
            {
                continue;
            }
            if args.overdue && !overdue(task, &state, now) {
                continue;
            }
            if let Some(me) = &me {
                let v = VolunteerId::new(me.as_str())?;
                if state.claim_outcome(&v) == ClaimOutcome::NotClaimed {
                    continue;
                }
            }
            rows.push(vec![
                id.to_string(),
                status_word(state.status).to_owned(),
                task.kind.clone(),
                task.title.clone(),
                state
                    .assignee
                    .as_ref()
                    .map_or(String::new(), |a| a.to_string()),
                task.deadline.map_or(String::new(), format_date),
                if overdue(task, &state, now) {
                    "overdue".into()
                } else {
                    String::new()
                },
            ]);
            out.push(task_json(
                &street.directory,
                b,
                id,
                task,
                &state,
                ctx.person.as_deref(),
            ));
        }
    }
    if args.json {
        print_json(&out)?;
    } else {
        print_table(
            &[
                "TASK", "STATUS", "KIND", "TITLE", "ASSIGNEE", "DEADLINE", "",
            ],
            &rows,
        );
        println!("{} task(s)", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
