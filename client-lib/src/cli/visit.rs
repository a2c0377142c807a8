//! `linli visit log`: record a visit to a household.

use std::process::ExitCode;

use linli_records::building::{self, Visit};
use linli_records::ids::{PersonId, VisitId};

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, now_ms, parse_date};

#[derive(Debug, clap::Subcommand)]
pub enum VisitCommand {
    /// Record that you (`--as`) visited a household.
    Log {
        household: String,
        /// What you found or did.
        #[arg(long, default_value = "")]
        note: String,
        /// The day of the visit (YYYY-MM-DD, UTC); now when not given.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
}

pub fn run(ctx: &Context, command: VisitCommand) -> anyhow::Result<ExitCode> {
    let VisitCommand::Log {
        household,
        note,
        date,
    } = command;
    let client = ctx.open()?;
    let by = PersonId::new(ctx.person(&client)?)?;
    let street = ctx.street(&client)?;
    let buildings = client.buildings(&street)?;
    let (b, hid, _) = lookup::household(&buildings, &household)?;
    let at = match date {
        Some(d) => parse_date(&d)?,
        None => now_ms(),
    };
    let id = VisitId::derive(&hid, &by, at);
    let visit = Visit { by, at, note };
    client.change(b.doc, |tx| {
        building::put_visit(tx, &hid, &id, &visit).map_err(edit_err)
    })?;
    println!("visit to {hid} on {} recorded", format_date(at));
    Ok(ExitCode::SUCCESS)
}
