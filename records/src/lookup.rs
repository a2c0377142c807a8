//! Finding records by what a person types: a community, building or team
//! by id or by name in the directory; a household, task or volunteer by id
//! across the documents that may hold it. Text is trimmed first, so a
//! pasted id with a stray space still matches.
//!
//! The searches over documents take the caller's own wrapper (a loaded
//! document with its id and where it is stored, say) and a function giving
//! its contents, and hand the wrapper back: the caller then knows which
//! document to write.

use crate::IdError;
use crate::building::{Building, Household};
use crate::directory::Directory;
use crate::ids::{BuildingId, CommunityId, HouseholdId, TaskId, TeamId, VolunteerId};
use crate::task_board::{Task, TaskBoard};
use crate::team::{Team, Volunteer};

/// Nothing matches what the person typed; the message says where to look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The text cannot be an id of that kind.
    #[error("not a {what} id")]
    BadId {
        /// "household", "task" or "volunteer".
        what: &'static str,
        /// Why not.
        #[source]
        source: IdError,
    },
    /// No team has this id or name.
    #[error("no team {0:?} in the street directory (see `linli street show`)")]
    NoTeam(String),
    /// No building has this id or name.
    #[error("no building {0:?} in the street directory (see `linli street show`)")]
    NoBuilding(String),
    /// Several buildings have this name.
    #[error("several buildings are called {0:?}; give the building id (see `linli street show`)")]
    AmbiguousBuilding(String),
    /// No building document at hand holds the household.
    #[error("no household {0} in the buildings on this device (see `linli household list`)")]
    NoHousehold(HouseholdId),
    /// No board at hand holds the task.
    #[error("no task {0} on the boards on this device (see `linli task list`)")]
    NoTask(TaskId),
    /// No team document at hand holds the volunteer.
    #[error("no volunteer {0} in the teams on this device (see `linli volunteer list`)")]
    NoVolunteer(VolunteerId),
}

/// A community by id or name; a name not in the directory gives the id it
/// would get (so a new community can be named before it is registered).
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
pub fn team(dir: &Directory, text: &str) -> Result<TeamId, LookupError> {
    let text = text.trim();
    dir.teams
        .iter()
        .find(|(id, t)| id.as_str() == text || t.name == text)
        .map(|(id, _)| id.clone())
        .ok_or_else(|| LookupError::NoTeam(text.to_owned()))
}

/// A building by id, or by name when only one building has it.
pub fn building(dir: &Directory, text: &str) -> Result<BuildingId, LookupError> {
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
        [] => Err(LookupError::NoBuilding(text.to_owned())),
        _ => Err(LookupError::AmbiguousBuilding(text.to_owned())),
    }
}

/// The household `id`, and the one of `buildings` holding it.
pub fn household<'a, B>(
    buildings: &'a [B],
    building: impl Fn(&'a B) -> &'a Building,
    id: &str,
) -> Result<(&'a B, HouseholdId, &'a Household), LookupError> {
    let id = HouseholdId::new(id.trim()).map_err(|source| LookupError::BadId {
        what: "household",
        source,
    })?;
    for b in buildings {
        if let Some(hh) = building(b).households.get(&id) {
            return Ok((b, id, hh));
        }
    }
    Err(LookupError::NoHousehold(id))
}

/// The task `id`, and the one of `boards` holding it.
pub fn task<'a, B>(
    boards: &'a [B],
    board: impl Fn(&'a B) -> &'a TaskBoard,
    id: &str,
) -> Result<(&'a B, TaskId, &'a Task), LookupError> {
    let id = TaskId::new(id.trim()).map_err(|source| LookupError::BadId {
        what: "task",
        source,
    })?;
    for b in boards {
        if let Some(task) = board(b).tasks.get(&id) {
            return Ok((b, id, task));
        }
    }
    Err(LookupError::NoTask(id))
}

/// The volunteer `id`, and the one of `teams` holding them.
pub fn volunteer<'a, T>(
    teams: &'a [T],
    team: impl Fn(&'a T) -> &'a Team,
    id: &str,
) -> Result<(&'a T, VolunteerId, &'a Volunteer), LookupError> {
    let id = VolunteerId::new(id.trim()).map_err(|source| LookupError::BadId {
        what: "volunteer",
        source,
    })?;
    for t in teams {
        if let Some(v) = team(t).volunteers.get(&id) {
            return Ok((t, id, v));
        }
    }
    Err(LookupError::NoVolunteer(id))
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use super::*;
    use crate::building::BuildingRef;
    use crate::directory;
    use crate::team::TeamRef;

    fn street() -> Directory {
        let mut doc = AutoCommit::new();
        directory::init(&mut doc, "幸福街").unwrap();
        for (compound, name) in [("东湖1区", "1栋"), ("东湖2区", "1栋"), ("东湖1区", "2栋")]
        {
            let building = BuildingRef {
                id: BuildingId::derive("东湖社区", compound, name),
                community: "东湖社区".into(),
                compound: compound.into(),
                name: name.into(),
            };
            directory::register_building(&mut doc, &building, None).unwrap();
        }
        let team = TeamRef {
            id: TeamId::new("t-pioneers").unwrap(),
            name: "党员先锋队".into(),
        };
        directory::register_team(&mut doc, &team, None).unwrap();
        Directory::load(&doc).unwrap()
    }

    #[test]
    fn a_building_is_found_by_id_or_by_a_name_only_it_has() {
        let dir = street();
        let two = BuildingId::derive("东湖社区", "东湖1区", "2栋");
        assert_eq!(building(&dir, " 2栋 "), Ok(two.clone()));
        assert_eq!(building(&dir, two.as_str()), Ok(two));
        assert_eq!(
            building(&dir, "1栋"),
            Err(LookupError::AmbiguousBuilding("1栋".into()))
        );
        assert_eq!(
            building(&dir, "9栋"),
            Err(LookupError::NoBuilding("9栋".into()))
        );
    }

    #[test]
    fn teams_and_communities_are_found_by_id_or_name() {
        let dir = street();
        let pioneers = TeamId::new("t-pioneers").unwrap();
        assert_eq!(team(&dir, "党员先锋队"), Ok(pioneers.clone()));
        assert_eq!(team(&dir, "t-pioneers"), Ok(pioneers));
        assert!(matches!(team(&dir, "x"), Err(LookupError::NoTeam(_))));
        let east = CommunityId::derive("东湖社区");
        assert_eq!(community(&dir, "东湖社区"), east);
        assert_eq!(community(&dir, east.as_str()), east);
        assert_eq!(community(&dir, "新社区"), CommunityId::derive("新社区"));
    }

    fn building_doc(name: &str, household: Option<&HouseholdId>) -> Building {
        let mut doc = AutoCommit::new();
        let building = BuildingRef {
            id: BuildingId::derive("东湖社区", "", name),
            community: "东湖社区".into(),
            compound: String::new(),
            name: name.into(),
        };
        crate::building::init(&mut doc, &building).unwrap();
        if let Some(id) = household {
            crate::building::put_household(&mut doc, id, &Default::default()).unwrap();
        }
        Building::load(&doc).unwrap()
    }

    #[test]
    fn a_household_is_found_in_whichever_building_holds_it() {
        let id = HouseholdId::new("h-0001").unwrap();
        let held = [
            ("1栋", building_doc("1栋", None)),
            ("2栋", building_doc("2栋", Some(&id))),
        ];
        let (holder, found, _) = household(&held, |(_, b)| b, " h-0001 ").unwrap();
        assert_eq!((holder.0, found), ("2栋", id));
        assert!(matches!(
            household(&held, |(_, b)| b, "h-0002"),
            Err(LookupError::NoHousehold(_))
        ));
        assert!(matches!(
            household(&held, |(_, b)| b, "h\u{7}1"),
            Err(LookupError::BadId {
                what: "household",
                ..
            })
        ));
    }
}
