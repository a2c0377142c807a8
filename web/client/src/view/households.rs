//! A building's households (searched and filtered) and a household's page.

use linli_records::building::{Building, Household, Member};
use linli_records::ids::MemberId;
use linli_records::task_fold::TaskStatus;
use serde::{Deserialize, Serialize};

use crate::device::Device;

const DAY_MS: i64 = 86_400_000;

/// One line of a building's household list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HouseholdLine {
    pub id: String,
    pub unit: String,
    pub floor: Option<i32>,
    pub room: String,
    pub names: Vec<String>,
    /// The household's tags and its residents' tags.
    pub tags: Vec<String>,
    /// The last visit's time (ms), if any.
    pub last_visit: Option<i64>,
}

/// Which households a building head wants to see.
#[derive(Debug, Default, Deserialize)]
pub struct HouseholdFilter {
    /// Part of a room, "unit-room" or a resident's name; empty for all.
    #[serde(default)]
    pub query: String,
    /// Only households carrying this tag (on the household or a resident).
    #[serde(default)]
    pub tag: Option<String>,
    /// Only households not visited in this many days (never counts).
    #[serde(default)]
    pub not_visited_days: Option<u32>,
}

/// A household's page.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HouseholdPage {
    pub id: String,
    pub building_id: String,
    pub building: String,
    pub unit: String,
    pub floor: Option<i32>,
    pub room: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub members: Vec<MemberLine>,
    /// Newest first.
    pub visits: Vec<VisitLine>,
    /// Needs raised for this household on boards this phone holds, newest first.
    pub tasks: Vec<HelpLine>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct MemberLine {
    pub id: String,
    pub name: String,
    pub gender: Option<String>,
    pub birth_year: i32,
    pub phone: Option<String>,
    pub relation: String,
    pub tags: Vec<String>,
    pub note: String,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct VisitLine {
    pub id: String,
    pub by: String,
    pub at: i64,
    pub note: String,
}

/// A need raised for a household, as its page lists it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HelpLine {
    pub id: String,
    pub title: String,
    pub status: TaskStatus,
    pub assignee: Option<String>,
    pub created_at: i64,
}

/// The households of building `building_id` that pass `filter`, in
/// address order.
pub fn households(
    device: &Device,
    building_id: &str,
    filter: &HouseholdFilter,
    now_ms: i64,
) -> Vec<HouseholdLine> {
    let Some((_, b)) = device
        .buildings()
        .find(|(_, b)| b.building.id.as_str() == building_id)
    else {
        return Vec::new();
    };
    let query = filter.query.trim();
    let cutoff = filter
        .not_visited_days
        .map(|d| now_ms.saturating_sub(i64::from(d).saturating_mul(DAY_MS)));
    let mut out: Vec<HouseholdLine> = b
        .households
        .iter()
        .filter(|(_, hh)| matches(hh, query))
        .filter(|(_, hh)| filter.tag.as_deref().is_none_or(|t| hh.has_tag(t)))
        .filter(|(_, hh)| cutoff.is_none_or(|c| hh.not_visited_since(c)))
        .map(|(id, hh)| {
            let tags: Vec<String> = hh.all_tags().into_iter().map(str::to_owned).collect();
            HouseholdLine {
                id: id.as_str().to_owned(),
                unit: hh.fields.unit.clone(),
                floor: hh.fields.floor,
                room: hh.fields.room.clone(),
                names: ordered_members(hh).map(|(_, m)| m.name.clone()).collect(),
                tags,
                last_visit: hh.last_visit(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.unit, a.floor, room_key(&a.room), &a.id).cmp(&(
            &b.unit,
            b.floor,
            room_key(&b.room),
            &b.id,
        ))
    });
    out
}

fn matches(hh: &Household, query: &str) -> bool {
    if query.is_empty() {
        return true;
    }
    let address = format!("{}-{}", hh.fields.unit, hh.fields.room);
    hh.fields.room.contains(query)
        || address.contains(query)
        || hh.members.values().any(|m| m.name.contains(query))
}

/// Rooms sort as numbers where they are numbers ("902" before "1001").
fn room_key(room: &str) -> (u64, &str) {
    (room.parse().unwrap_or(u64::MAX), room)
}

/// Members with the household head first, then by birth year.
fn ordered_members(hh: &Household) -> impl Iterator<Item = (&MemberId, &Member)> {
    let mut members: Vec<_> = hh.members.iter().collect();
    members.sort_by_key(|(id, m)| {
        (
            m.relation.as_str() != "head",
            m.birth_year,
            id.as_str().to_owned(),
        )
    });
    members.into_iter()
}

/// The page of household `id`, if it is on this phone.
pub fn household(device: &Device, id: &str) -> Option<HouseholdPage> {
    device.buildings().find_map(|(_, b)| page(device, &b, id))
}

fn page(device: &Device, b: &Building, id: &str) -> Option<HouseholdPage> {
    let (hid, hh) = b.households.iter().find(|(hid, _)| hid.as_str() == id)?;
    let mut visits: Vec<VisitLine> = hh
        .visits
        .iter()
        .map(|(vid, v)| VisitLine {
            id: vid.as_str().to_owned(),
            by: v.by.as_str().to_owned(),
            at: v.at,
            note: v.note.clone(),
        })
        .collect();
    visits.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let mut tasks: Vec<HelpLine> = device
        .boards()
        .flat_map(|(_, board)| board.tasks.into_iter())
        .filter(|(_, t)| t.household.as_ref() == Some(hid))
        .map(|(tid, t)| {
            let state = t.state();
            HelpLine {
                id: tid.as_str().to_owned(),
                title: t.title,
                status: state.status,
                assignee: state.assignee.map(|a| a.as_str().to_owned()),
                created_at: t.created_at,
            }
        })
        .collect();
    tasks.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Some(HouseholdPage {
        id: hid.as_str().to_owned(),
        building_id: b.building.id.as_str().to_owned(),
        building: b.building.name.clone(),
        unit: hh.fields.unit.clone(),
        floor: hh.fields.floor,
        room: hh.fields.room.clone(),
        tags: hh.fields.tags.iter().cloned().collect(),
        notes: hh.fields.notes.clone(),
        members: ordered_members(hh)
            .map(|(mid, m)| MemberLine {
                id: mid.as_str().to_owned(),
                name: m.name.clone(),
                gender: m.gender.map(|g| g.as_str().to_owned()),
                birth_year: m.birth_year,
                phone: m.phone.clone(),
                relation: m.relation.as_str().to_owned(),
                tags: m.tags.iter().cloned().collect(),
                note: m.note.clone(),
            })
            .collect(),
        visits,
        tasks,
    })
}
