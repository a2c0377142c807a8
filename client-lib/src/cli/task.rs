//! `linli task …`: the community task boards, as volunteers and building
//! heads use them. Events are written by `--as` (the person id this device
//! remembers); for claim, start and done that is the volunteer's id.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::records::Loaded;
use linli_records::directory::Directory;
use linli_records::ids::{BoardId, PersonId, TaskId, VolunteerId};
use linli_records::task_board::{self, NewTask, Task, TaskBoard, TaskEdit};
use linli_records::task_event::{EventKind, TaskEvent};
use linli_records::task_fold::{ClaimOutcome, IgnoreReason, TaskState, TaskStatus};
use rand::Rng as _;
use serde_json::{Value, json};

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, format_time, now_ms, parse_date, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    /// Raise a task on a community's board; prints its id.
    New {
        /// The board's id (see `linli street show`); may be left out when
        /// the street has only one board.
        #[arg(long)]
        board: Option<String>,
        /// e.g. repair, errand, visit.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        detail: String,
        /// The building (id or name); taken from --household when not given.
        #[arg(long)]
        building: Option<String>,
        #[arg(long)]
        household: Option<String>,
        /// Due by the end of this day (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        deadline: Option<String>,
    },
    /// Correct a task's kind, title, detail or deadline (its events and who
    /// raised it stay as they are).
    Edit {
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
    },
    /// Claim a task for yourself (`--as` your volunteer id). Works offline:
    /// if someone else claimed it earlier, after syncing everyone sees the
    /// earlier claim win and `task show` tells you.
    Claim(EventArgs),
    /// Report that you started work on a task you hold.
    Start(EventArgs),
    /// Report that a task you hold is done.
    Done(EventArgs),
    /// Withdraw a task.
    Cancel(EventArgs),
    /// Rate a done task for the resident (1–5 stars).
    Rate {
        id: String,
        #[arg(long)]
        stars: u8,
        #[arg(long, default_value = "")]
        feedback: String,
    },
    /// List tasks.
    List {
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
    },
    /// Show a task: its state, its events and what became of your claim.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// The task's id.
    pub id: String,
    /// A progress note.
    #[arg(long, default_value = "")]
    pub note: String,
}

fn status_word(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Open => "open",
        TaskStatus::Claimed => "claimed",
        TaskStatus::InProgress => "in-progress",
        TaskStatus::Done => "done",
        TaskStatus::Cancelled => "cancelled",
    }
}

fn task_json(
    dir: &Directory,
    board: &Loaded<BoardId, TaskBoard>,
    id: &TaskId,
    task: &Task,
    state: &TaskState,
    me: Option<&str>,
) -> Value {
    let community = &board.value.board.community;
    json!({
        "id": id,
        "board": board.id,
        "community": community,
        "community_name": dir.communities.get(community).map(|c| c.name.clone()),
        "period": board.value.board.period,
        "task": task,
        "status": status_word(state.status),
        "assignee": state.assignee,
        "state": state,
        "your_claim": me.and_then(|p| VolunteerId::new(p).ok()).map(|v| state.claim_outcome(&v)),
    })
}

/// Why the fold ignored an event, in words.
fn reason_text(r: &IgnoreReason) -> String {
    match r {
        IgnoreReason::TaskClosed => "the task was already closed".into(),
        IgnoreReason::ClaimLost { assignee } => format!("claim lost to {assignee}"),
        IgnoreReason::NotAssignee => "not by the assignee".into(),
        IgnoreReason::NotDone => "the task is not done".into(),
        IgnoreReason::BadRating => "stars outside 1–5".into(),
        IgnoreReason::Duplicate => "repeats what already happened".into(),
        _ => format!("{r:?}"),
    }
}

fn overdue(task: &Task, state: &TaskState, now: i64) -> bool {
    !state.status.is_closed() && task.deadline.is_some_and(|d| d < now)
}

pub fn run(ctx: &Context, command: TaskCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let boards = client.boards(&street)?;
    let (id, kind, note) = match command {
        TaskCommand::New {
            board,
            kind,
            title,
            detail,
            building,
            household,
            deadline,
        } => {
            let by = PersonId::new(ctx.person(&client)?)?;
            let board = match board {
                Some(b) => boards
                    .iter()
                    .find(|l| l.id.as_str() == b.trim())
                    .with_context(|| {
                        format!("no board {b} on this device (see `linli street show`)")
                    })?,
                None => match boards.as_slice() {
                    [only] => only,
                    [] => bail!(
                        "no task board on this device; a street admin adds one with `linli street add-board`"
                    ),
                    _ => bail!("several boards: pass --board ID (see `linli street show`)"),
                },
            };
            let (building, household) = match (building, household) {
                (_, Some(h)) => {
                    let buildings = client.buildings(&street)?;
                    let (b, hid, _) = lookup::household(&buildings, &h)?;
                    (b.id.clone(), Some(hid))
                }
                (Some(b), None) => (lookup::building(&street.directory, &b)?, None),
                (None, None) => bail!("say where: --building B or --household H"),
            };
            let deadline = deadline
                .map(|d| parse_date(&d).map(|ms| ms + super::output::days(1) - 1))
                .transpose()?;
            let id = TaskId::new(format!("t-{:08x}", rand::rng().random::<u32>()))?;
            let new = NewTask {
                id: id.clone(),
                kind: kind.trim().to_owned(),
                title: title.trim().to_owned(),
                detail,
                building,
                household,
                deadline,
            };
            let now = now_ms();
            client.change(board.doc, |tx| {
                task_board::create_task(tx, &new, &by, now).map_err(edit_err)
            })?;
            println!("{id}");
            return Ok(ExitCode::SUCCESS);
        }
        TaskCommand::Edit {
            id,
            kind,
            title,
            detail,
            deadline,
        } => {
            let (b, id, task) = lookup::task(&boards, &id)?;
            let deadline = match deadline.as_deref().map(str::trim) {
                None => None,
                Some("none") => Some(None),
                Some(d) => Some(Some(parse_date(d)? + super::output::days(1) - 1)),
            };
            let edit = TaskEdit {
                kind: kind
                    .map(|k| k.trim().to_owned())
                    .filter(|k| *k != task.kind),
                title: title
                    .map(|t| t.trim().to_owned())
                    .filter(|t| *t != task.title),
                detail: detail.filter(|d| *d != task.detail),
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
            return Ok(ExitCode::SUCCESS);
        }
        TaskCommand::Claim(a) => (a.id, EventKind::Claimed, a.note),
        TaskCommand::Start(a) => (a.id, EventKind::Started, a.note),
        TaskCommand::Done(a) => (a.id, EventKind::Done, a.note),
        TaskCommand::Cancel(a) => (a.id, EventKind::Cancelled, a.note),
        TaskCommand::Rate {
            id,
            stars,
            feedback,
        } => {
            if !(1..=5).contains(&stars) {
                bail!("--stars must be 1 to 5");
            }
            (id, EventKind::Rated { stars, feedback }, String::new())
        }
        TaskCommand::List {
            status,
            overdue: only_overdue,
            mine,
            json,
        } => {
            let me = if mine {
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
                    if status
                        .as_deref()
                        .is_some_and(|s| s.trim() != status_word(state.status))
                    {
                        continue;
                    }
                    if only_overdue && !overdue(task, &state, now) {
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
            if json {
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
            return Ok(ExitCode::SUCCESS);
        }
        TaskCommand::Show { id, json } => {
            let me = match &ctx.person {
                Some(p) => Some(p.clone()),
                None => client.person_id()?,
            };
            let (b, id, task) = lookup::task(&boards, &id)?;
            let state = task.state();
            if json {
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
                        EventKind::Rated { stars, feedback } => {
                            format!("rated {stars}★ {feedback}")
                        }
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
            return Ok(ExitCode::SUCCESS);
        }
    };
    // An event on an existing task.
    let by = PersonId::new(ctx.person(&client)?)?;
    let (b, id, _) = lookup::task(&boards, &id)?;
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
