//! `linli household add`: a new household in a building.

use std::process::ExitCode;

use linli_records::building::{self, Building, HouseholdFields};
use linli_records::ids::HouseholdId;

use crate::cli::Context;
use crate::cli::lookup::{self, edit_err};

/// Add a household to a building.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The building (id or name).
    #[arg(long)]
    building: String,
    #[arg(long, default_value = "")]
    unit: String,
    #[arg(long, allow_hyphen_values = true)]
    floor: Option<i32>,
    #[arg(long)]
    room: String,
    /// The household's id (derived from building, unit, floor and room
    /// when not given).
    #[arg(long)]
    id: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long, default_value = "")]
    notes: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let bid = lookup::building(&street.directory, &args.building)?;
    let doc = lookup::building_doc(&client, &street, &bid)?;
    let (unit, room) = (args.unit.trim().to_owned(), args.room.trim().to_owned());
    let hid = match args.id {
        Some(id) => HouseholdId::new(id.trim())?,
        None => HouseholdId::derive(&bid, &unit, args.floor, &room),
    };
    let fields = HouseholdFields {
        unit,
        floor: args.floor,
        room,
        tags: args.tags.into_iter().map(|t| t.trim().to_owned()).collect(),
        notes: args.notes,
    };
    client.change(doc, |tx| {
        let current = Building::load(tx).map_err(edit_err)?;
        if current.households.contains_key(&hid) {
            return Err(edit_err(format!("household {hid} already exists")));
        }
        building::put_household(tx, &hid, &fields).map_err(edit_err)
    })?;
    println!("{hid}");
    Ok(ExitCode::SUCCESS)
}
