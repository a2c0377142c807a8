//! `linli hours log|list|remove`: service hours, logged by the volunteer on
//! the community's task board (`linli_records::hours` says why there).
//! Hours logged before they moved there stay in team documents and are
//! listed, counted and removable as before.

use std::process::ExitCode;

use anyhow::Context as _;
use linli_client::Client;
use linli_client::records::{Loaded, Street};
use linli_records::hours::{self, HoursPlace, ListedHours, NewHours};
use linli_records::ids::{BoardId, HoursEntryId, PersonId, TeamId};
use linli_records::task_board::TaskBoard;
use linli_records::team::{self, Team};
use serde_json::json;

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, now_ms, parse_date, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum HoursCommand {
    /// Log minutes of service by a volunteer (by default you, `--as`), on
    /// the community's task board: with --task, the task's board; without,
    /// the board of --community (which may be left out when this device
    /// holds one community's boards) for the month served.
    Log {
        /// The volunteer's id; `--as` when not given (a team leader may log
        /// for a member of their team).
        #[arg(long)]
        volunteer: Option<String>,
        /// 1 to 1440 (one entry per day of service).
        #[arg(long)]
        minutes: u32,
        /// The day served (YYYY-MM-DD, UTC); now when not given.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The community served (id or name), for service without a task.
        #[arg(long)]
        community: Option<String>,
        /// The board to log on (its id from `linli street show`), when the
        /// community has several and none is for the month served.
        #[arg(long)]
        board: Option<String>,
        /// The task served.
        #[arg(long)]
        task: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List logged hours, newest first, with each entry's id.
    List {
        /// Only this volunteer's.
        #[arg(long)]
        volunteer: Option<String>,
        /// Only this team's (id or name).
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove an entry logged by mistake (its id from `hours list`). Only
    /// the person who logged it, or the volunteer it is for, may.
    Remove { id: String },
}

pub fn run(ctx: &Context, command: HoursCommand) -> anyhow::Result<ExitCode> {
    match command {
        HoursCommand::Log {
            volunteer,
            minutes,
            date,
            community,
            board,
            task,
            note,
        } => log(
            ctx,
            LogArgs {
                volunteer,
                minutes,
                date,
                community,
                board,
                task,
                note,
            },
        ),
        HoursCommand::List {
            volunteer,
            team,
            json,
        } => list(ctx, volunteer, team, json),
        HoursCommand::Remove { id } => remove(ctx, &id),
    }
}

/// What the hours commands start from.
struct Opened {
    client: Client,
    street: Street,
    boards: Vec<Loaded<BoardId, TaskBoard>>,
    teams: Vec<Loaded<TeamId, Team>>,
}

fn open(ctx: &Context) -> anyhow::Result<Opened> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let boards = client.boards(&street)?;
    let teams = client.teams(&street)?;
    Ok(Opened {
        client,
        street,
        boards,
        teams,
    })
}

fn all(o: &Opened) -> Vec<ListedHours> {
    let boards: Vec<TaskBoard> = o.boards.iter().map(|b| b.value.clone()).collect();
    let teams: Vec<Team> = o.teams.iter().map(|t| t.value.clone()).collect();
    hours::all_hours(&boards, &teams)
}

fn list(
    ctx: &Context,
    volunteer: Option<String>,
    team: Option<String>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let o = open(ctx)?;
    let only_team = team
        .map(|t| lookup::team(&o.street.directory, &t))
        .transpose()?;
    let team_doc = only_team
        .as_ref()
        .and_then(|t| o.teams.iter().find(|l| l.id == *t));
    let only_volunteer = volunteer.map(|v| v.trim().to_owned());
    let entries: Vec<ListedHours> = all(&o)
        .into_iter()
        .filter(|h| match (&only_team, team_doc) {
            (None, _) => true,
            (Some(_), Some(t)) => h.is_for_team(&t.value),
            (Some(t), None) => h.team.as_ref() == Some(t),
        })
        .filter(|h| {
            only_volunteer
                .as_deref()
                .is_none_or(|v| h.volunteer.as_str() == v)
        })
        .collect();
    if as_json {
        // `entry` holds the fields, as before hours moved to the boards;
        // `place` says which document holds it.
        let out: Vec<_> = entries
            .iter()
            .map(|h| json!({"id": h.id, "team": h.team, "place": h.place, "entry": h}))
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|h| {
            let name = o
                .teams
                .iter()
                .find_map(|t| t.value.volunteers.get(&h.volunteer))
                .map_or("", |v| v.name.as_str());
            vec![
                h.id.to_string(),
                format!("{} {name}", h.volunteer).trim().to_owned(),
                format_date(h.start),
                h.minutes.to_string(),
                h.task.as_ref().map(ToString::to_string).unwrap_or_default(),
                h.note.clone(),
            ]
        })
        .collect();
    print_table(
        &["ENTRY", "VOLUNTEER", "DATE", "MINUTES", "TASK", "NOTE"],
        &rows,
    );
    println!("{} entr(ies)", rows.len());
    Ok(ExitCode::SUCCESS)
}

fn remove(ctx: &Context, id: &str) -> anyhow::Result<ExitCode> {
    let o = open(ctx)?;
    let id = HoursEntryId::new(id.trim())?;
    let Some(entry) = all(&o).into_iter().find(|h| h.id == id) else {
        anyhow::bail!("no hours entry {id} on this device (see `linli hours list`)");
    };
    match &entry.place {
        HoursPlace::Board(b) => {
            let by = PersonId::new(ctx.person(&o.client)?)?;
            let doc = o
                .boards
                .iter()
                .find(|l| l.id == *b)
                .with_context(|| format!("board {b} is not on this device"))?
                .doc;
            o.client.change(doc, |tx| {
                hours::remove_hours(tx, &id, &by).map_err(edit_err)
            })?;
        }
        // An entry of the old team log: the team document's writers (its
        // leader, the office) may remove it, as before.
        HoursPlace::Team(t) => {
            let doc = o
                .teams
                .iter()
                .find(|l| l.id == *t)
                .with_context(|| format!("team {t} is not on this device"))?
                .doc;
            o.client
                .change(doc, |tx| team::remove_hours(tx, &id).map_err(edit_err))?;
        }
    }
    println!(
        "removed {id}: {} minute(s) by {} on {}",
        entry.minutes,
        entry.volunteer,
        format_date(entry.start)
    );
    Ok(ExitCode::SUCCESS)
}

struct LogArgs {
    volunteer: Option<String>,
    minutes: u32,
    date: Option<String>,
    community: Option<String>,
    board: Option<String>,
    task: Option<String>,
    note: String,
}

fn log(ctx: &Context, args: LogArgs) -> anyhow::Result<ExitCode> {
    hours::check_minutes(args.minutes)?;
    let o = open(ctx)?;
    let by = PersonId::new(ctx.person(&o.client)?)?;
    let volunteer = match args.volunteer {
        Some(v) => v,
        None => by.to_string(),
    };
    let (t, vid, v) = lookup::volunteer(&o.teams, &volunteer)?;
    let start = match args.date {
        Some(d) => parse_date(&d)?,
        None => now_ms(),
    };
    let (board, task) = match (&args.task, &args.board) {
        (Some(task), _) => {
            let (b, tid, _) = lookup::task(&o.boards, task)?;
            (b, Some(tid))
        }
        (None, Some(b)) => (
            o.boards
                .iter()
                .find(|l| l.id.as_str() == b.trim())
                .with_context(|| {
                    format!("no board {b} on this device (see `linli street show`)")
                })?,
            None,
        ),
        (None, None) => {
            let community = match &args.community {
                Some(c) => lookup::community(&o.street.directory, c),
                None => only_community(&o.boards)?,
            };
            let b = hours::board_for_service(&o.boards, |l| &l.value.board, &community, start)?;
            (b, None)
        }
    };
    let new = NewHours {
        volunteer: vid.clone(),
        team: Some(t.id.clone()),
        start,
        minutes: args.minutes,
        task,
        note: args.note,
    };
    let id = o.client.change(board.doc, |tx| {
        hours::log_hours(tx, &new, &by).map_err(edit_err)
    })?;
    println!(
        "{} minute(s) logged for {} ({vid}) on {} as entry {id}",
        args.minutes,
        v.name,
        format_date(start)
    );
    Ok(ExitCode::SUCCESS)
}

/// The community of the boards on this device, when they are all one
/// community's (as on a volunteer's phone).
fn only_community(
    boards: &[Loaded<BoardId, TaskBoard>],
) -> anyhow::Result<linli_records::ids::CommunityId> {
    let mut communities: Vec<_> = boards.iter().map(|b| &b.value.board.community).collect();
    communities.sort();
    communities.dedup();
    match communities.as_slice() {
        [only] => Ok((*only).clone()),
        [] => anyhow::bail!(
            "no task board on this device to log hours on; a street admin adds one with `linli street add-board`"
        ),
        _ => anyhow::bail!(
            "this device holds several communities' boards: pass --community or --task"
        ),
    }
}
