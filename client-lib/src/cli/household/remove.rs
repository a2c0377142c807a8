//! `linli household remove`: a household goes, with its members and visits.

use std::process::ExitCode;

use linli_records::building;

use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};

/// Remove a household with its members and visits.
#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let (b, hid) = lookup::household_building(&client, &street, &args.id)?;
    client.change(b.doc, |tx| {
        building::remove_household(tx, &hid).map_err(edit_err)
    })?;
    println!("household {hid} removed");
    Ok(ExitCode::SUCCESS)
}
