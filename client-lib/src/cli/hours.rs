//! `linli hours log`: service hours, in the volunteer's team document.

use std::process::ExitCode;

use linli_records::ids::{HoursEntryId, TaskId};
use linli_records::team::{self, HoursEntry};

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, now_ms, parse_date};

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
}

pub fn run(ctx: &Context, command: HoursCommand) -> anyhow::Result<ExitCode> {
    let HoursCommand::Log {
        volunteer,
        minutes,
        date,
        community,
        task,
        note,
    } = command;
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
        "{minutes} minute(s) logged for {} ({vid}) on {}",
        v.name,
        format_date(start)
    );
    Ok(ExitCode::SUCCESS)
}
