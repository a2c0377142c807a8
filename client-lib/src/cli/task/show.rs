//! `linli task show`: one task, its events and what became of your claim.

use std::process::ExitCode;

use linli_records::ids::VolunteerId;
use linli_records::task_event::EventKind;
use linli_records::task_fold::ClaimOutcome;

use super::words::{overdue, reason_text, status_word, task_json};
use crate::cli::Context;
use crate::cli::lookup;
use crate::cli::output::{format_date, format_time, now_ms, print_json, print_table};

/// Show a task: its state, its events and what became of your claim.
#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let super::Opened {
        client,
        street,
        boards,
    } = super::open(ctx)?;
    let me = match &ctx.person {
        Some(p) => Some(p.clone()),
        None => client.person_id()?,
    };
    let (b, id, task) = lookup::task(&boards, &args.id)?;
    let state = task.state();
    if args.json {
        print_json(&task_json(
            &street.directory,
            b,
            &id,
            task,
            &state,
            me.as_deref(),
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("task:      {id}  [{}]", status_word(state.status));
    println!("title:     {}", task.title);
    println!("kind:      {}", task.kind);
    if !task.detail.is_empty() {
        println!("detail:    {}", task.detail);
    }
    println!("board:     {} {}", b.id, b.value.board.period);
    println!("building:  {}", task.building);
    if let Some(h) = &task.household {
        println!("household: {h}");
    }
    println!(
        "raised:    {} by {}",
        format_time(task.created_at),
        task.created_by
    );
    if let Some(d) = task.deadline {
        let late = if overdue(task, &state, now_ms()) {
            " (overdue)"
        } else {
            ""
        };
        println!("deadline:  {}{late}", format_date(d));
    }
    if let Some(a) = &state.assignee {
        println!("assignee:  {a}");
    }
    if let Some(r) = &state.rating {
        println!("rating:    {} star(s) {}", r.stars, r.feedback);
    }
    if let Some(me) = me.as_deref().and_then(|p| VolunteerId::new(p).ok()) {
        match state.claim_outcome(&me) {
            ClaimOutcome::Assigned => println!("you hold this task"),
            ClaimOutcome::Lost { assignee } => println!("your claim lost to {assignee}"),
            ClaimOutcome::TooLate => println!("your claim came after the task was closed"),
            ClaimOutcome::NotClaimed => {}
        }
    }
    println!();
    let mut events = task.events.clone();
    events.sort();
    let ignored: std::collections::BTreeMap<_, _> = state
        .ignored
        .iter()
        .map(|i| (i.event.clone(), &i.reason))
        .collect();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let what = match &e.kind {
                EventKind::Rated { stars, feedback } => format!("rated {stars}★ {feedback}"),
                k => k.name().to_owned(),
            };
            vec![
                format_time(e.at),
                e.by.to_string(),
                what,
                e.note.clone(),
                ignored
                    .get(&e.id)
                    .map_or(String::new(), |r| format!("ignored: {}", reason_text(r))),
            ]
        })
        .collect();
    print_table(&["WHEN", "BY", "EVENT", "NOTE", ""], &rows);
    Ok(ExitCode::SUCCESS)
}
