//! `linli hours log|list|remove`: service hours, in the volunteer's team
//! document.

use std::process::ExitCode;

use linli_records::ids::{HoursEntryId, TaskId};
use linli_records::team::{self, HoursEntry};

use serde_json::json;

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, now_ms, parse_date, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum HoursCommand {
    /// Log minutes of service by a volunteer (by default you, `--as`).
    Log {
        /// The volunteer's id; `--as` when not given.
        #[arg(long)]
        volunteer: Option<String>,
        #[arg(long)]
        minutes: u32,
        /// The day served (YYYY-MM-DD, UTC); now when not given.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The community served (id or name).
        #[arg(long)]
        community: Option<String>,
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
    /// Remove an entry logged by mistake (its id from `hours list`).
    Remove { id: String },
}

pub fn run(ctx: &Context, command: HoursCommand) -> anyhow::Result<ExitCode> {
    match command {
        HoursCommand::Log {
            volunteer,
            minutes,
            date,
            community,
            task,
            note,
        } => log(ctx, volunteer, minutes, date, community, task, note),
        HoursCommand::List {
            volunteer,
            team,
            json,
        } => list(ctx, volunteer, team, json),
        HoursCommand::Remove { id } => remove(ctx, &id),
    }
}

fn list(
    ctx: &Context,
    volunteer: Option<String>,
    team: Option<String>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let teams = client.teams(&street)?;
    let only_team = team
        .map(|t| lookup::team(&street.directory, &t))
        .transpose()?;
    let only_volunteer = volunteer
        .map(|v| lookup::volunteer(&teams, &v).map(|(_, id, _)| id))
        .transpose()?;
    let mut entries: Vec<_> = teams
        .iter()
        .filter(|t| only_team.as_ref().is_none_or(|o| *o == t.id))
        .flat_map(|t| t.value.hours.iter().map(move |(id, h)| (t, id, h)))
        .filter(|(_, _, h)| only_volunteer.as_ref().is_none_or(|v| *v == h.volunteer))
        .collect();
    entries.sort_by(|a, b| b.2.start.cmp(&a.2.start).then(a.1.cmp(b.1)));
    if as_json {
        let out: Vec<_> = entries
            .iter()
            .map(|(t, id, h)| json!({"id": id, "team": t.id, "entry": h}))
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(t, id, h)| {
            let name = t
                .value
                .volunteers
                .get(&h.volunteer)
                .map_or("", |v| v.name.as_str());
            vec![
                id.to_string(),
                format!("{} {name}", h.volunteer),
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
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let teams = client.teams(&street)?;
    let id = HoursEntryId::new(id.trim())?;
    let Some((t, entry)) = teams
        .iter()
        .find_map(|t| t.value.hours.get(&id).map(|h| (t, h)))
    else {
        anyhow::bail!("no hours entry {id} on this device (see `linli hours list`)");
    };
    client.change(t.doc, |tx| team::remove_hours(tx, &id).map_err(edit_err))?;
    println!(
        "removed {id}: {} minute(s) by {} on {}",
        entry.minutes,
        entry.volunteer,
        format_date(entry.start)
    );
    Ok(ExitCode::SUCCESS)
}

fn log(
    ctx: &Context,
    volunteer: Option<String>,
    minutes: u32,
    date: Option<String>,
    community: Option<String>,
    task: Option<String>,
    note: String,
) -> anyhow::Result<ExitCode> {
    if minutes == 0 {
        anyhow::bail!("--minutes must be more than 0");
    }
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let teams = client.teams(&street)?;
    let volunteer = match volunteer {
        Some(v) => v,
        None => ctx.person(&client)?,
    };
    let (t, vid, v) = lookup::volunteer(&teams, &volunteer)?;
    let start = match date {
        Some(d) => parse_date(&d)?,
        None => now_ms(),
    };
    let task = task.map(|t| TaskId::new(t.trim())).transpose()?;
    let mut community = community.map(|c| lookup::community(&street.directory, &c));
    if community.is_none()
        && let Some(task) = &task
    {
        let boards = client.boards(&street)?;
        if let Ok((b, ..)) = lookup::task(&boards, task.as_str()) {
            community = Some(b.value.board.community.clone());
        }
    }
    let id = HoursEntryId::derive(&vid, start);
    let entry = HoursEntry {
        volunteer: vid.clone(),
        start,
        minutes,
        community,
        task,
        note,
    };
    client.change(t.doc, |tx| {
        team::put_hours(tx, &id, &entry).map_err(edit_err)
    })?;
    println!(
        "{minutes} minute(s) logged for {} ({vid}) on {} as entry {id}",
        v.name,
        format_date(start)
    );
    Ok(ExitCode::SUCCESS)
}
