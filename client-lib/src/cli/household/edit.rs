//! `linli household edit`: change a household's address, tags or notes.

use std::process::ExitCode;

use anyhow::Context as _;
use linli_records::building;

use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};

/// Change a household's address, tags or notes.
#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    #[arg(long)]
    unit: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    floor: Option<i32>,
    #[arg(long)]
    room: Option<String>,
    #[arg(long = "add-tag")]
    add_tags: Vec<String>,
    #[arg(long = "remove-tag")]
    remove_tags: Vec<String>,
    #[arg(long)]
    notes: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let (b, hid) = lookup::household_building(&client, &street, &args.id)?;
    let hh = b
        .value
        .households
        .get(&hid)
        .with_context(|| format!("household {hid} vanished while reading it"))?;
    let mut fields = hh.fields.clone();
    if let Some(unit) = args.unit {
        fields.unit = unit.trim().to_owned();
    }
    if args.floor.is_some() {
        fields.floor = args.floor;
    }
    if let Some(room) = args.room {
        fields.room = room.trim().to_owned();
    }
    for t in args.add_tags {
        fields.tags.insert(t.trim().to_owned());
    }
    for t in args.remove_tags {
        fields.tags.remove(t.trim());
    }
    if let Some(notes) = args.notes {
        fields.notes = notes;
    }
    if fields == hh.fields {
        println!("nothing to change");
        return Ok(ExitCode::SUCCESS);
    }
    client.change(b.doc, |tx| {
        building::put_household(tx, &hid, &fields).map_err(edit_err)
    })?;
    println!("household {hid} saved");
    Ok(ExitCode::SUCCESS)
}
