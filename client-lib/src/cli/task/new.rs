//! `linli task new`: raise a task on a community's board.

use std::process::ExitCode;

use anyhow::bail;
use linli_records::ids::{PersonId, TaskId};
use linli_records::task_board::{self, NewTask};
use rand::Rng as _;

use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};
use crate::cli::output::{days, now_ms, parse_date};

/// Raise a task on a community's board; prints its id.
#[derive(Debug, clap::Args)]
pub struct Args {
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
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let super::Opened {
        client,
        street,
        boards,
    } = super::open(ctx)?;
    let by = PersonId::new(ctx.person(&client)?)?;
    let board = lookup::board(&boards, args.board.as_deref())?;
    let (building, household) = match (args.building, args.household) {
        (_, Some(h)) => {
            let buildings = client.buildings(&street)?;
            let (b, hid, _) = lookup::household(&buildings, &h)?;
            (b.id.clone(), Some(hid))
        }
        (Some(b), None) => (lookup::building(&street.directory, &b)?, None),
        (None, None) => bail!("say where: --building B or --household H"),
    };
    let deadline = args
        .deadline
        .map(|d| parse_date(&d).map(|ms| ms + days(1) - 1))
        .transpose()?;
    let id = TaskId::new(format!("t-{:08x}", rand::rng().random::<u32>()))?;
    let new = NewTask {
        id: id.clone(),
        kind: args.kind.trim().to_owned(),
        title: args.title.trim().to_owned(),
        detail: args.detail,
        building,
        household,
        deadline,
    };
    let now = now_ms();
    client.change(board.doc, |tx| {
        task_board::create_task(tx, &new, &by, now).map_err(edit_err)
    })?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}
