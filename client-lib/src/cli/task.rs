//! `linli task …`: the community task boards, as volunteers and building
//! heads use them, one file per subcommand under `task/`. Events are
//! written by `--as` (the person id this device remembers); for claim,
//! start and done that is the volunteer's id.

mod edit;
mod event;
mod list;
mod new;
mod show;
pub(in crate::cli) mod words;

use std::process::ExitCode;

use linli_client::Client;
use linli_client::records::{Loaded, Street};
use linli_records::ids::BoardId;
use linli_records::task_board::TaskBoard;
use linli_records::task_event::EventKind;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    New(new::Args),
    Edit(edit::Args),
    /// Claim a task for yourself (`--as` your volunteer id). Works offline:
    /// if someone else claimed it earlier, after syncing everyone sees the
    /// earlier claim win and `task show` tells you.
    Claim(event::Args),
    /// Report that you started work on a task you hold.
    Start(event::Args),
    /// Report that a task you hold is done.
    Done(event::Args),
    /// Withdraw a task.
    Cancel(event::Args),
    Rate(event::RateArgs),
    List(list::Args),
    Show(show::Args),
}

pub fn run(ctx: &Context, command: TaskCommand) -> anyhow::Result<ExitCode> {
    match command {
        TaskCommand::New(args) => new::run(ctx, args),
        TaskCommand::Edit(args) => edit::run(ctx, args),
        TaskCommand::Claim(args) => event::run(ctx, args, EventKind::Claimed),
        TaskCommand::Start(args) => event::run(ctx, args, EventKind::Started),
        TaskCommand::Done(args) => event::run(ctx, args, EventKind::Done),
        TaskCommand::Cancel(args) => event::run(ctx, args, EventKind::Cancelled),
        TaskCommand::Rate(args) => event::rate(ctx, args),
        TaskCommand::List(args) => list::run(ctx, args),
        TaskCommand::Show(args) => show::run(ctx, args),
    }
}

/// What every task command starts from.
struct Opened {
    client: Client,
    street: Street,
    /// The task boards on this device.
    boards: Vec<Loaded<BoardId, TaskBoard>>,
}

fn open(ctx: &Context) -> anyhow::Result<Opened> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let boards = client.boards(&street)?;
    Ok(Opened {
        client,
        street,
        boards,
    })
}
