//! `linli household …`: list, show, add, edit and remove households, one
//! file per subcommand under `household/`.

mod add;
mod edit;
mod list;
mod remove;
mod show;

use std::process::ExitCode;

use anyhow::bail;
use linli_client::records::Loaded;
use linli_records::building::{Building, Household, HouseholdFields};
use linli_records::ids::{BuildingId, HouseholdId};
use serde_json::{Value, json};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum HouseholdCommand {
    List(list::Args),
    Show(show::Args),
    Add(add::Args),
    Edit(edit::Args),
    Remove(remove::Args),
}

pub fn run(ctx: &Context, command: HouseholdCommand) -> anyhow::Result<ExitCode> {
    match command {
        HouseholdCommand::List(args) => list::run(ctx, args),
        HouseholdCommand::Show(args) => show::run(ctx, args),
        HouseholdCommand::Add(args) => add::run(ctx, args),
        HouseholdCommand::Edit(args) => edit::run(ctx, args),
        HouseholdCommand::Remove(args) => remove::run(ctx, args),
    }
}

/// A household as `--json` shows it.
pub fn household_json(b: &Loaded<BuildingId, Building>, id: &HouseholdId, hh: &Household) -> Value {
    json!({
        "id": id,
        "building": b.id,
        "building_name": b.value.building.name,
        "community": b.value.building.community,
        "compound": b.value.building.compound,
        "last_visit": hh.last_visit(),
        "household": hh,
    })
}

fn address(f: &HouseholdFields) -> String {
    let floor = f.floor.map(|f| format!("{f}F ")).unwrap_or_default();
    let unit = if f.unit.is_empty() {
        String::new()
    } else {
        format!("{}单元 ", f.unit)
    };
    format!("{unit}{floor}{}", f.room)
}

/// Fails unless `value` is a known word of a vocabulary.
pub fn parse_word<T>(
    what: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> anyhow::Result<T> {
    match parse(value) {
        Some(v) => Ok(v),
        None => bail!("{what} {value:?} is not one of: {}", all.join(", ")),
    }
}
