//! `linli household …`: list, show, add, edit and remove households.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::bail;
use linli_client::records::Loaded;
use linli_records::building::{self, Building, Household, HouseholdFields};
use linli_records::ids::{BuildingId, HouseholdId};
use linli_records::vocab::Relation;
use serde_json::{Value, json};

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{days, format_date, now_ms, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum HouseholdCommand {
    /// List households (of every building on this device, or one).
    List {
        /// Only this building (id or name).
        #[arg(long)]
        building: Option<String>,
        /// Only households with this tag, on the household or a member.
        #[arg(long)]
        tag: Option<String>,
        /// Only households not visited in the last N days (or never).
        #[arg(long, value_name = "N")]
        not_visited_days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Show one household with its members and visits.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a household to a building.
    Add {
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
    },
    /// Change a household's address, tags or notes.
    Edit {
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
    },
    /// Remove a household with its members and visits.
    Remove { id: String },
}

/// A household as `--json` shows it.
pub fn household_json(b: &Loaded<BuildingId, Building>, id: &HouseholdId, hh: &Household) -> Value {
    json!({
        "id": id,
        "building": b.id,
        "building_name": b.value.building.name,
        "community": b.value.building.community,
        "compound": b.value.building.compound,
        "last_visit": last_visit(hh),
        "household": hh,
    })
}

fn last_visit(hh: &Household) -> Option<i64> {
    hh.visits.values().map(|v| v.at).max()
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

pub fn run(ctx: &Context, command: HouseholdCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    match command {
        HouseholdCommand::List {
            building,
            tag,
            not_visited_days,
            json,
        } => {
            let only = building
                .map(|b| lookup::building(&street.directory, &b))
                .transpose()?;
            let buildings = client.buildings(&street)?;
            let cutoff = not_visited_days.map(|n| now_ms() - days(i64::from(n)));
            let mut out = Vec::new();
            let mut rows = Vec::new();
            for b in &buildings {
                if only.as_ref().is_some_and(|o| *o != b.id) {
                    continue;
                }
                for (id, hh) in &b.value.households {
                    if let Some(tag) = &tag
                        && !hh.fields.tags.contains(tag)
                        && !hh.members.values().any(|m| m.tags.contains(tag))
                    {
                        continue;
                    }
                    if let Some(cutoff) = cutoff
                        && last_visit(hh).is_some_and(|at| at >= cutoff)
                    {
                        continue;
                    }
                    let head = hh
                        .members
                        .values()
                        .find(|m| m.relation == Relation::Head)
                        .or_else(|| hh.members.values().next())
                        .map_or(String::new(), |m| m.name.clone());
                    let mut tags: BTreeSet<&String> = hh.fields.tags.iter().collect();
                    tags.extend(hh.members.values().flat_map(|m| m.tags.iter()));
                    rows.push(vec![
                        id.to_string(),
                        b.value.building.name.clone(),
                        address(&hh.fields),
                        head,
                        hh.members.len().to_string(),
                        tags.into_iter().cloned().collect::<Vec<_>>().join(","),
                        last_visit(hh).map_or("never".to_owned(), format_date),
                    ]);
                    out.push(household_json(b, id, hh));
                }
            }
            if json {
                print_json(&out)?;
            } else {
                print_table(
                    &[
                        "HOUSEHOLD",
                        "BUILDING",
                        "ADDRESS",
                        "HEAD",
                        "MEMBERS",
                        "TAGS",
                        "LAST VISIT",
                    ],
                    &rows,
                );
                println!("{} household(s)", rows.len());
            }
        }
        HouseholdCommand::Show { id, json } => {
            let buildings = client.buildings(&street)?;
            let (b, id, hh) = lookup::household(&buildings, &id)?;
            if json {
                print_json(&household_json(b, &id, hh))?;
                return Ok(ExitCode::SUCCESS);
            }
            let bv = &b.value.building;
            println!("household: {id}");
            println!(
                "building:  {} {} {} ({})",
                bv.community, bv.compound, bv.name, b.id
            );
            println!("address:   {}", address(&hh.fields));
            let tags: Vec<&str> = hh.fields.tags.iter().map(String::as_str).collect();
            println!("tags:      {}", tags.join(", "));
            println!("notes:     {}", hh.fields.notes);
            println!();
            let rows: Vec<Vec<String>> = hh
                .members
                .iter()
                .map(|(mid, m)| {
                    vec![
                        mid.to_string(),
                        m.name.clone(),
                        m.gender.map_or(String::new(), |g| g.to_string()),
                        m.birth_year.to_string(),
                        m.relation.to_string(),
                        m.phone.clone().unwrap_or_default(),
                        m.tags.iter().cloned().collect::<Vec<_>>().join(","),
                        m.note.clone(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "MEMBER", "NAME", "GENDER", "BORN", "RELATION", "PHONE", "TAGS", "NOTE",
                ],
                &rows,
            );
            if !hh.visits.is_empty() {
                println!();
                let mut visits: Vec<_> = hh.visits.values().collect();
                visits.sort_by_key(|v| v.at);
                let rows: Vec<Vec<String>> = visits
                    .iter()
                    .map(|v| vec![format_date(v.at), v.by.to_string(), v.note.clone()])
                    .collect();
                print_table(&["VISITED", "BY", "NOTE"], &rows);
            }
        }
        HouseholdCommand::Add {
            building,
            unit,
            floor,
            room,
            id,
            tags,
            notes,
        } => {
            let bid = lookup::building(&street.directory, &building)?;
            let doc = lookup::building_doc(&client, &street, &bid)?;
            let (unit, room) = (unit.trim().to_owned(), room.trim().to_owned());
            let hid = match id {
                Some(id) => HouseholdId::new(id.trim())?,
                None => HouseholdId::derive(&bid, &unit, floor, &room),
            };
            let fields = HouseholdFields {
                unit,
                floor,
                room,
                tags: tags.into_iter().map(|t| t.trim().to_owned()).collect(),
                notes,
            };
            client.change(doc, |tx| {
                let current = Building::load(tx).map_err(edit_err)?;
                if current.households.contains_key(&hid) {
                    return Err(edit_err(format!("household {hid} already exists")));
                }
                building::put_household(tx, &hid, &fields).map_err(edit_err)
            })?;
            println!("{hid}");
        }
        HouseholdCommand::Edit {
            id,
            unit,
            floor,
            room,
            add_tags,
            remove_tags,
            notes,
        } => {
            let buildings = client.buildings(&street)?;
            let (b, hid, hh) = lookup::household(&buildings, &id)?;
            let mut fields = hh.fields.clone();
            if let Some(unit) = unit {
                fields.unit = unit.trim().to_owned();
            }
            if floor.is_some() {
                fields.floor = floor;
            }
            if let Some(room) = room {
                fields.room = room.trim().to_owned();
            }
            for t in add_tags {
                fields.tags.insert(t.trim().to_owned());
            }
            for t in remove_tags {
                fields.tags.remove(t.trim());
            }
            if let Some(notes) = notes {
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
        }
        HouseholdCommand::Remove { id } => {
            let buildings = client.buildings(&street)?;
            let (b, hid, _) = lookup::household(&buildings, &id)?;
            client.change(b.doc, |tx| {
                building::remove_household(tx, &hid).map_err(edit_err)
            })?;
            println!("household {hid} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
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
