//! The team document: one per volunteer team.
//!
//! ```text
//! { kind: "linli/team", schema: 1, id: TeamId, name: "党员先锋队",
//!   volunteers: { <VolunteerId>: { name, phone, affiliation, skills: { <skill>: true },
//!                                  availability } },
//!   hours: { <HoursEntryId>: { volunteer: VolunteerId, start: ms, minutes,
//!                              community?: CommunityId, task?: TaskId, note } } }
//! ```
//!
//! The `hours` log is where service hours were kept before they moved to
//! the community's task boards ([`crate::hours`], which volunteers may
//! write; this document, with everyone's phone number, only team leaders
//! may). linli no longer logs hours here, but reads, counts and removes
//! those already logged. It is a map by id, not a list: two leaders logging
//! different services offline both keep theirs, and logging the same
//! service twice (same [`HoursEntryId::derive`]) writes the same entry.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{CommunityId, HoursEntryId, TaskId, TeamId, VolunteerId};
use crate::root::{self, DocKind};
use crate::vocab::{Affiliation, Availability};

/// Which team a team document is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    /// The team's id.
    pub id: TeamId,
    /// The team's name, e.g. "党员先锋队".
    pub name: String,
}

/// A whole team document, read with [`Team::load`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The document's schema version.
    pub schema: u64,
    /// Which team this is.
    pub team: TeamRef,
    /// Volunteers by id.
    pub volunteers: BTreeMap<VolunteerId, Volunteer>,
    /// Service-hours log by id.
    pub hours: BTreeMap<HoursEntryId, HoursEntry>,
}

/// One volunteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volunteer {
    /// Full name.
    pub name: String,
    /// Phone number as written.
    pub phone: String,
    /// Where the volunteer comes from.
    pub affiliation: Affiliation,
    /// Skills such as `elderly-care`, `home-repair`.
    pub skills: BTreeSet<String>,
    /// When the volunteer is usually available.
    pub availability: Availability,
}

/// One logged service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntry {
    /// Who served.
    pub volunteer: VolunteerId,
    /// When the service started, ms since the epoch. Figures count an entry
    /// in the period containing `start`.
    pub start: i64,
    /// How long, in minutes.
    pub minutes: u32,
    /// The community served, if recorded.
    pub community: Option<CommunityId>,
    /// The task served, if any.
    pub task: Option<TaskId>,
    /// Free note.
    pub note: String,
}

impl Team {
    /// Reads a team document.
    pub fn load<D: ReadDoc + ?Sized>(doc: &D) -> Result<Self, ShapeError> {
        let schema = root::check(doc, DocKind::Team)?;
        let root = At::ROOT;
        let id_at = root.child("id");
        let team = TeamRef {
            id: TeamId::new(fields::req_str(doc, &ROOT, "id", &id_at)?)
                .map_err(|e| id_at.bad(e.to_string()))?,
            name: fields::req_str(doc, &ROOT, "name", &root.child("name"))?,
        };
        let mut volunteers = BTreeMap::new();
        let v_at = root.child("volunteers");
        if let Some(obj) = fields::opt_map(doc, &ROOT, "volunteers", &v_at)? {
            for (id, v, key) in fields::entries(doc, &obj, &v_at, VolunteerId::new)? {
                volunteers.insert(id, load_volunteer(doc, &v, &v_at.child(&key))?);
            }
        }
        let mut hours = BTreeMap::new();
        let h_at = root.child("hours");
        if let Some(obj) = fields::opt_map(doc, &ROOT, "hours", &h_at)? {
            for (id, h, key) in fields::entries(doc, &obj, &h_at, HoursEntryId::new)? {
                hours.insert(id, load_hours(doc, &h, &h_at.child(&key))?);
            }
        }
        Ok(Team {
            schema,
            team,
            volunteers,
            hours,
        })
    }
}

fn load_volunteer<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<Volunteer, ShapeError> {
    let aff_at = at.child("affiliation");
    let avail_at = at.child("availability");
    let affiliation = fields::req_str(doc, obj, "affiliation", &aff_at)?;
    let availability = fields::req_str(doc, obj, "availability", &avail_at)?;
    Ok(Volunteer {
        name: fields::req_str(doc, obj, "name", &at.child("name"))?,
        phone: fields::str_or_empty(doc, obj, "phone", &at.child("phone"))?,
        affiliation: fields::word(&affiliation, &aff_at, Affiliation::parse)?,
        skills: fields::set(doc, obj, "skills", &at.child("skills"))?,
        availability: fields::word(&availability, &avail_at, Availability::parse)?,
    })
}

fn load_hours<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<HoursEntry, ShapeError> {
    let v_at = at.child("volunteer");
    let m_at = at.child("minutes");
    let c_at = at.child("community");
    let t_at = at.child("task");
    Ok(HoursEntry {
        volunteer: VolunteerId::new(fields::req_str(doc, obj, "volunteer", &v_at)?)
            .map_err(|e| v_at.bad(e.to_string()))?,
        start: fields::req_i64(doc, obj, "start", &at.child("start"))?,
        minutes: fields::narrow(fields::req_i64(doc, obj, "minutes", &m_at)?, &m_at)?,
        community: fields::opt_str(doc, obj, "community", &c_at)?
            .map(|c| CommunityId::new(c).map_err(|e| c_at.bad(e.to_string())))
            .transpose()?,
        task: fields::opt_str(doc, obj, "task", &t_at)?
            .map(|t| TaskId::new(t).map_err(|e| t_at.bad(e.to_string())))
            .transpose()?,
        note: fields::str_or_empty(doc, obj, "note", &at.child("note"))?,
    })
}

// ---- writes -------------------------------------------------------------

/// Makes `tx`'s document the team document for `team` (see
/// [`crate::building::init`] for the rules).
pub fn init<T: Transactable + ?Sized>(tx: &mut T, team: &TeamRef) -> Result<(), WriteError> {
    let fresh = root::init(tx, DocKind::Team)?;
    let root = At::ROOT;
    if !fresh {
        let found = fields::req_str(tx, &ROOT, "id", &root.child("id"))?;
        if found != team.id.as_str() {
            return Err(WriteError::WrongDocument {
                what: "team",
                expected: team.id.to_string(),
                found,
            });
        }
    }
    fields::put_str(tx, &ROOT, "id", team.id.as_str())?;
    fields::put_str(tx, &ROOT, "name", &team.name)?;
    fields::ensure_map(tx, &ROOT, "volunteers", &root.child("volunteers"))?;
    fields::ensure_map(tx, &ROOT, "hours", &root.child("hours"))?;
    Ok(())
}

fn collection<T: Transactable + ?Sized>(tx: &mut T, key: &str) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::Team)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, key, &root.child(key))
}

/// Creates or updates volunteer `id`, writing only fields that differ.
pub fn put_volunteer<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &VolunteerId,
    volunteer: &Volunteer,
) -> Result<(), WriteError> {
    let all = collection(tx, "volunteers")?;
    let root = At::ROOT;
    let at = root.child("volunteers");
    let at = at.child(id.as_str());
    let v = fields::ensure_map(tx, &all, id.as_str(), &at)?;
    fields::put_str(tx, &v, "name", &volunteer.name)?;
    fields::put_str(tx, &v, "phone", &volunteer.phone)?;
    fields::put_str(tx, &v, "affiliation", volunteer.affiliation.as_str())?;
    fields::put_set(tx, &v, "skills", &volunteer.skills, &at.child("skills"))?;
    fields::put_str(tx, &v, "availability", volunteer.availability.as_str())?;
    Ok(())
}

/// Deletes volunteer `id` (their logged hours stay).
pub fn remove_volunteer<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &VolunteerId,
) -> Result<(), WriteError> {
    let all = collection(tx, "volunteers")?;
    fields::delete(tx, &all, id.as_str())
}

/// Logs (or corrects) service-hours entry `id`.
pub fn put_hours<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HoursEntryId,
    entry: &HoursEntry,
) -> Result<(), WriteError> {
    let all = collection(tx, "hours")?;
    let root = At::ROOT;
    let at = root.child("hours");
    let h = fields::ensure_map(tx, &all, id.as_str(), &at.child(id.as_str()))?;
    fields::put_str(tx, &h, "volunteer", entry.volunteer.as_str())?;
    fields::put_i64(tx, &h, "start", entry.start)?;
    fields::put_i64(tx, &h, "minutes", i64::from(entry.minutes))?;
    fields::put_opt_str(
        tx,
        &h,
        "community",
        entry.community.as_ref().map(|c| c.as_str()),
    )?;
    fields::put_opt_str(tx, &h, "task", entry.task.as_ref().map(|t| t.as_str()))?;
    fields::put_str(tx, &h, "note", &entry.note)?;
    Ok(())
}

/// Deletes service-hours entry `id`.
pub fn remove_hours<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HoursEntryId,
) -> Result<(), WriteError> {
    let all = collection(tx, "hours")?;
    fields::delete(tx, &all, id.as_str())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use automerge::AutoCommit;

    pub(crate) fn team_ref() -> TeamRef {
        TeamRef {
            id: TeamId::derive("党员先锋队"),
            name: "党员先锋队".into(),
        }
    }

    pub(crate) fn volunteer(name: &str) -> Volunteer {
        Volunteer {
            name: name.into(),
            phone: "184-0127-5098".into(),
            affiliation: Affiliation::InServicePartyMember,
            skills: ["tutoring".to_owned(), "cooking".to_owned()].into(),
            availability: Availability::Weekends,
        }
    }

    #[test]
    fn written_team_reads_back() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &team_ref()).unwrap();
        let v = VolunteerId::new("v00001").unwrap();
        put_volunteer(&mut doc, &v, &volunteer("郝娟")).unwrap();
        let entry = HoursEntry {
            volunteer: v.clone(),
            start: 1_700_000_000_000,
            minutes: 90,
            community: Some(CommunityId::derive("东湖社区")),
            task: Some(TaskId::new("t1").unwrap()),
            note: "陪同就医".into(),
        };
        let hid = HoursEntryId::derive(&v, entry.start);
        put_hours(&mut doc, &hid, &entry).unwrap();
        doc.commit();
        let team = Team::load(&doc).unwrap();
        assert_eq!(team.team, team_ref());
        assert_eq!(team.volunteers[&v], volunteer("郝娟"));
        assert_eq!(team.hours[&hid], entry);
    }

    #[test]
    fn logging_the_same_service_twice_writes_one_entry() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &team_ref()).unwrap();
        let v = VolunteerId::new("v00001").unwrap();
        let entry = HoursEntry {
            volunteer: v.clone(),
            start: 5,
            minutes: 30,
            community: None,
            task: None,
            note: String::new(),
        };
        put_hours(&mut doc, &HoursEntryId::derive(&v, 5), &entry).unwrap();
        doc.commit();
        put_hours(&mut doc, &HoursEntryId::derive(&v, 5), &entry).unwrap();
        assert!(doc.commit().is_none());
        assert_eq!(Team::load(&doc).unwrap().hours.len(), 1);
    }
}
