//! Finding records by what a person types: ids or names of communities,
//! buildings and teams; households, tasks and volunteers by id across the
//! street's documents on this device.

use anyhow::{Context as _, bail};
use linli_client::records::{Loaded, Street};
use linli_client::{Client, DocumentId, EditError};
use linli_records::building::{Building, Household};
use linli_records::directory::Directory;
use linli_records::ids::{
    BoardId, BuildingId, CommunityId, HouseholdId, TaskId, TeamId, VolunteerId,
};
use linli_records::task_board::{Task, TaskBoard};
use linli_records::team::{Team, Volunteer};

/// A records write error as an edit failure (rolls the edit back).
pub fn edit_err(e: impl std::fmt::Display) -> EditError {
    EditError::other(e.to_string())
}

/// A community by id or name; a name not in the directory gives the id it
/// would get.
pub fn community(dir: &Directory, text: &str) -> CommunityId {
    let text = text.trim();
    if let Some((id, _)) = dir.communities.iter().find(|(id, _)| id.as_str() == text) {
        return id.clone();
    }
    dir.communities
        .iter()
        .find(|(_, c)| c.name == text)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| CommunityId::derive(text))
}

/// A team by id or name.
pub fn team(dir: &Directory, text: &str) -> anyhow::Result<TeamId> {
    let text = text.trim();
    dir.teams
        .iter()
        .find(|(id, t)| id.as_str() == text || t.name == text)
        .map(|(id, _)| id.clone())
        .with_context(|| {
            format!("no team {text:?} in the street directory (see `linli street show`)")
        })
}

/// A building by id, or by name when only one building has it.
pub fn building(dir: &Directory, text: &str) -> anyhow::Result<BuildingId> {
    let text = text.trim();
    if let Some((id, _)) = dir.buildings.iter().find(|(id, _)| id.as_str() == text) {
        return Ok(id.clone());
    }
    let named: Vec<_> = dir
        .buildings
        .iter()
        .filter(|(_, b)| b.name == text)
        .collect();
    match named.as_slice() {
        [(id, _)] => Ok((*id).clone()),
        [] => bail!("no building {text:?} in the street directory (see `linli street show`)"),
        _ => bail!(
            "several buildings are called {text:?}; give the building id (see `linli street show`)"
        ),
    }
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
    let id = HouseholdId::new(id.trim()).context("not a household id")?;
    for b in buildings {
        if let Some(hh) = b.value.households.get(&id) {
            return Ok((b, id, hh));
        }
    }
    bail!("no household {id} in the buildings on this device (see `linli household list`)")
}

/// The task `id` and the board holding it.
pub fn task<'a>(
    boards: &'a [Loaded<BoardId, TaskBoard>],
    id: &str,
) -> anyhow::Result<(&'a Loaded<BoardId, TaskBoard>, TaskId, &'a Task)> {
    let id = TaskId::new(id.trim()).context("not a task id")?;
    for b in boards {
        if let Some(task) = b.value.tasks.get(&id) {
            return Ok((b, id, task));
        }
    }
    bail!("no task {id} on the boards on this device (see `linli task list`)")
}

/// The volunteer `id` and the team holding them.
pub fn volunteer<'a>(
    teams: &'a [Loaded<TeamId, Team>],
    id: &str,
) -> anyhow::Result<(&'a Loaded<TeamId, Team>, VolunteerId, &'a Volunteer)> {
    let id = VolunteerId::new(id.trim()).context("not a volunteer id")?;
    for t in teams {
        if let Some(v) = t.value.volunteers.get(&id) {
            return Ok((t, id, v));
        }
    }
    bail!("no volunteer {id} in the teams on this device (see `linli volunteer list`)")
}
