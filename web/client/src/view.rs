//! What the screens show, read from the documents by linli-records and
//! handed to the page as JSON. The page renders these as they are: search,
//! ordering and "saved on the relay" are decided here, not in components.

use linli_records::building::{Household, Member};
use serde::Serialize;

use crate::device::Device;

/// One building this phone holds (only those the relay shared with it).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BuildingCard {
    pub id: String,
    pub doc: String,
    pub name: String,
    pub community: String,
    pub compound: String,
    pub households: usize,
}

/// One line of a building's household list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HouseholdLine {
    pub id: String,
    pub unit: String,
    pub floor: Option<i32>,
    pub room: String,
    pub names: Vec<String>,
    pub tags: Vec<String>,
    /// The last visit's time (ms), if any.
    pub last_visit: Option<i64>,
}

/// A household's page.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HouseholdPage {
    pub id: String,
    pub building: String,
    pub unit: String,
    pub floor: Option<i32>,
    pub room: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub members: Vec<MemberLine>,
    /// Newest first.
    pub visits: Vec<VisitLine>,
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

/// The status line: the same facts `linli status` reports.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Status {
    /// This phone's changes the relay has not confirmed.
    pub pending: usize,
    /// When the oldest of them was made (ms), if any.
    pub oldest_ms: Option<i64>,
    /// Whether a relay session is up.
    pub connected: bool,
    /// Whether the street's directory has arrived.
    pub has_directory: bool,
}

pub fn status(device: &Device) -> Status {
    let unconfirmed = device.unconfirmed();
    Status {
        pending: unconfirmed.changes,
        oldest_ms: unconfirmed.oldest_secs.map(|s| s.saturating_mul(1000)),
        connected: device.connected(),
        has_directory: device.directory().is_some(),
    }
}

/// The buildings whose documents are on this phone, by name.
pub fn buildings(device: &Device) -> Vec<BuildingCard> {
    let mut out: Vec<BuildingCard> = device
        .documents()
        .filter_map(|(doc, _)| {
            let b = device.building(doc)?;
            Some(BuildingCard {
                id: b.building.id.as_str().to_owned(),
                doc: doc.to_string(),
                name: b.building.name,
                community: b.building.community,
                compound: b.building.compound,
                households: b.households.len(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.community, &a.compound, &a.name).cmp(&(&b.community, &b.compound, &b.name))
    });
    out
}

/// The households of building `building_id` whose room, address or a
/// member's name contains `query` (all when empty), in address order.
pub fn households(device: &Device, building_id: &str, query: &str) -> Vec<HouseholdLine> {
    let query = query.trim();
    let Some(b) = device
        .documents()
        .filter_map(|(doc, _)| device.building(doc))
        .find(|b| b.building.id.as_str() == building_id)
    else {
        return Vec::new();
    };
    let mut out: Vec<HouseholdLine> = b
        .households
        .iter()
        .filter(|(_, hh)| matches(hh, query))
        .map(|(id, hh)| HouseholdLine {
            id: id.as_str().to_owned(),
            unit: hh.fields.unit.clone(),
            floor: hh.fields.floor,
            room: hh.fields.room.clone(),
            names: ordered_members(hh).map(|(_, m)| m.name.clone()).collect(),
            tags: hh.fields.tags.iter().cloned().collect(),
            last_visit: hh.visits.values().map(|v| v.at).max(),
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
fn ordered_members(
    hh: &Household,
) -> impl Iterator<Item = (&linli_records::ids::MemberId, &Member)> {
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
    device
        .documents()
        .filter_map(|(doc, _)| device.building(doc))
        .find_map(|b| {
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
            Some(HouseholdPage {
                id: hid.as_str().to_owned(),
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
            })
        })
}
