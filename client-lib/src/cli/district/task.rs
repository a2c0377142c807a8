//! `linli district task add`: a task on a district board, for the
//! volunteers of every community the board is shared down to.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::Client;
use linli_records::ids::{BuildingId, PersonId, TaskId};
use linli_records::task_board::{self, NewTask};
use rand::Rng as _;

use super::{read_only_message, write_err};
use crate::cli::Context;
use crate::cli::lookup::edit_err;
use crate::cli::output::{days, now_ms, parse_date};

#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    Add(AddArgs),
}

/// Raise a task on a district board; prints its id. Volunteers claim it
/// with `linli task claim ID` on their own street's relay.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The board's share id (see `linli district show`).
    #[arg(long)]
    board: String,
    /// e.g. visit, errand.
    #[arg(long)]
    kind: String,
    #[arg(long)]
    title: String,
    /// Details, without names or phone numbers.
    #[arg(long, default_value = "")]
    detail: String,
    /// The building it serves, when it serves one (a street's building
    /// id); a district task usually serves none.
    #[arg(long, default_value = DISTRICT_WIDE)]
    building: String,
    /// Due by the end of this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    deadline: Option<String>,
}

/// The building id of a task that serves no one building.
const DISTRICT_WIDE: &str = "district-wide";

pub fn run(ctx: &Context, client: &Client, command: TaskCommand) -> anyhow::Result<ExitCode> {
    let TaskCommand::Add(args) = command;
    let hub = client.district()?;
    let share = args.board.trim();
    let entry = hub.district.shared.get(share).with_context(|| {
        format!("the district shares no board {share} (see `linli district show`)")
    })?;
    let doc = linli_client::records::doc_id(&entry.doc)?;
    if !client.contains(doc)? {
        bail!("board {share}'s document is not on this device yet; run `linli sync`");
    }
    if client.is_read_only(doc)? {
        bail!(read_only_message());
    }
    let by = PersonId::new(ctx.person(client)?)?;
    let (kind, title) = (args.kind.trim(), args.title.trim());
    if kind.is_empty() || title.is_empty() {
        bail!("a task needs --kind and --title");
    }
    let building = BuildingId::new(args.building.trim()).context("--building")?;
    let deadline = args
        .deadline
        .map(|d| parse_date(&d).map(|ms| ms + days(1) - 1))
        .transpose()?;
    let id = TaskId::new(format!("t-{:08x}", rand::rng().random::<u32>()))?;
    let new = NewTask {
        id: id.clone(),
        kind: kind.to_owned(),
        title: title.to_owned(),
        detail: args.detail,
        building,
        household: None,
        deadline,
    };
    let now = now_ms();
    client
        .change(doc, |tx| {
            task_board::create_task(tx, &new, &by, now).map_err(edit_err)
        })
        .map_err(write_err)?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}
