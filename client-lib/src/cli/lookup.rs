//! Finding records by what a person types, over the documents on this
//! device. The matching itself is `linli_records::lookup`; this file hands
//! it the loaded documents and adds what needs the device (is a building's
//! document here?).

use anyhow::{Context as _, bail};
use linli_client::records::{Loaded, Street};
use linli_client::{Client, DocumentId, EditError};
use linli_records::building::{Building, Household};
use linli_records::ids::{BoardId, BuildingId, HouseholdId, TaskId, TeamId, VolunteerId};
use linli_records::lookup::{self, LookupError};
use linli_records::task_board::{Task, TaskBoard};
use linli_records::team::{Team, Volunteer};

pub use linli_records::lookup::community;

/// A records write error as an edit failure (rolls the edit back).
pub fn edit_err(e: impl std::fmt::Display) -> EditError {
    EditError::other(e.to_string())
}

/// A team by id or name.
pub fn team(dir: &linli_records::directory::Directory, text: &str) -> anyhow::Result<TeamId> {
    Ok(lookup::team(dir, text)?)
}

/// A building by id, or by name when only one building has it.
pub fn building(
    dir: &linli_records::directory::Directory,
    text: &str,
) -> anyhow::Result<BuildingId> {
    Ok(lookup::building(dir, text)?)
}

/// The document of building `id`, which must be on this device.
pub fn building_doc(
    client: &Client,
    street: &Street,
    id: &BuildingId,
) -> anyhow::Result<DocumentId> {
    let entry = street
        .directory
        .buildings
        .get(id)
        .with_context(|| format!("no building {id} in the street directory"))?;
    let url = entry
        .doc
        .as_ref()
        .with_context(|| format!("building {id} has no document yet"))?;
    let doc = linli_client::records::doc_id(url)?;
    if !client.contains(doc)? {
        bail!("building {id}'s document is not on this device yet; run `linli sync`");
    }
    Ok(doc)
}

/// The household `id` and the building holding it.
pub fn household<'a>(
    buildings: &'a [Loaded<BuildingId, Building>],
    id: &str,
) -> anyhow::Result<(&'a Loaded<BuildingId, Building>, HouseholdId, &'a Household)> {
    Ok(lookup::household(buildings, |b| &b.value, id)?)
}

/// The household `id` and the building holding it, read from this device
/// without loading every building: the others are only asked whether they
/// hold it ([`Building::holds_household`]), and only the one that does is
/// read in full.
pub fn household_building(
    client: &Client,
    street: &Street,
    id: &str,
) -> anyhow::Result<(Loaded<BuildingId, Building>, HouseholdId)> {
    let hid = HouseholdId::new(id.trim()).map_err(|source| LookupError::BadId {
        what: "household",
        source,
    })?;
    for (bid, entry) in &street.directory.buildings {
        let Some(url) = &entry.doc else { continue };
        let doc = linli_client::records::doc_id(url)?;
        if !client.contains(doc)? || !client.read(doc, |d| Building::holds_household(d, &hid))? {
            continue;
        }
        let value = client
            .read(doc, Building::load)?
            .with_context(|| format!("document {doc} is not a valid building document"))?;
        let building = Loaded {
            id: bid.clone(),
            doc,
            value,
        };
        return Ok((building, hid));
    }
    Err(LookupError::NoHousehold(hid).into())
}

/// The task `id` and the board holding it.
pub fn task<'a>(
    boards: &'a [Loaded<BoardId, TaskBoard>],
    id: &str,
) -> anyhow::Result<(&'a Loaded<BoardId, TaskBoard>, TaskId, &'a Task)> {
    Ok(lookup::task(boards, |b| &b.value, id)?)
}

/// The volunteer `id` and the team holding them.
pub fn volunteer<'a>(
    teams: &'a [Loaded<TeamId, Team>],
    id: &str,
) -> anyhow::Result<(&'a Loaded<TeamId, Team>, VolunteerId, &'a Volunteer)> {
    Ok(lookup::volunteer(teams, |t| &t.value, id)?)
}

/// The board `id` (see `linli street show`), or, without one, the only
/// board on this device.
pub fn board<'a>(
    boards: &'a [Loaded<BoardId, TaskBoard>],
    id: Option<&str>,
) -> anyhow::Result<&'a Loaded<BoardId, TaskBoard>> {
    match id {
        Some(b) => boards
            .iter()
            .find(|l| l.id.as_str() == b.trim())
            .with_context(|| format!("no board {b} on this device (see `linli street show`)")),
        None => match boards {
            [only] => Ok(only),
            [] => bail!(
                "no task board on this device; a street admin adds one with `linli street add-board`"
            ),
            _ => bail!("several boards: pass --board ID (see `linli street show`)"),
        },
    }
}
