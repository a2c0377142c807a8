//! `GET /api/office/key-groups` (重点人群): per community and building, how
//! many households are in each group and how many of those in a key group
//! were not visited in N days, with who is responsible for the building;
//! and `GET /api/office/households`, one building's households.

use std::collections::BTreeMap;

use linli_records::building::Building;
use linli_records::dates::DAY_MS;
use linli_records::vocab::Relation;
use serde::Serialize;

use super::Street;

/// The groups a street office looks after (重点人群): a household is in
/// one when it or a resident carries the tag. Other tags (party member,
/// renter) are counted too, but a household that has only those is not
/// "in a key group" and is not chased for visits.
pub const KEY_TAGS: &[&str] = &[
    "elderly-alone",
    "disabled",
    "low-income",
    "chronic-illness",
    "left-behind-child",
    "veteran",
    "needs-regular-visit",
];

/// Counts for a building or a community.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub households: u64,
    /// Households in at least one key group.
    pub key_households: u64,
    /// Of those, the ones with no visit in the last `days`.
    pub not_visited: u64,
    /// Households per tag (every tag seen, key or not).
    pub tags: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct BuildingRow {
    pub id: String,
    pub name: String,
    pub community: String,
    pub community_name: String,
    pub compound_name: String,
    /// Names of the live building-head and grid-worker tokens scoped to it.
    pub heads: Vec<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct CommunityRow {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct KeyGroups {
    pub days: u32,
    pub key_tags: Vec<&'static str>,
    pub street: Counts,
    pub communities: Vec<CommunityRow>,
    pub buildings: Vec<BuildingRow>,
}

fn is_key(hh: &linli_records::building::Household) -> bool {
    KEY_TAGS.iter().any(|t| hh.has_tag(t))
}

fn count(into: &mut Counts, b: &Building, cutoff: i64) {
    for hh in b.households.values() {
        into.households += 1;
        for t in hh.all_tags() {
            *into.tags.entry(t.to_owned()).or_default() += 1;
        }
        if is_key(hh) {
            into.key_households += 1;
            if hh.not_visited_since(cutoff) {
                into.not_visited += 1;
            }
        }
    }
}

/// `heads` maps a building id to the names responsible for it.
pub fn key_groups(
    street: &Street,
    days: u32,
    now: i64,
    heads: &BTreeMap<String, Vec<String>>,
) -> KeyGroups {
    let cutoff = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    let dir = &street.directory;
    let mut street_counts = Counts::default();
    let mut communities: BTreeMap<String, Counts> = BTreeMap::new();
    let mut buildings = Vec::new();
    for (id, b) in &street.buildings {
        let entry = dir.buildings.get(id);
        let mut counts = Counts::default();
        count(&mut counts, b, cutoff);
        count(&mut street_counts, b, cutoff);
        let community = entry.map(|e| e.community.to_string()).unwrap_or_default();
        count(communities.entry(community.clone()).or_default(), b, cutoff);
        buildings.push(BuildingRow {
            id: id.to_string(),
            name: entry.map_or_else(|| b.building.name.clone(), |e| e.name.clone()),
            community_name: community_name(street, &community),
            community,
            compound_name: b.building.compound.clone(),
            heads: heads.get(id.as_str()).cloned().unwrap_or_default(),
            counts,
        });
    }
    // As people list them: by community, compound, then building number
    // (2栋 before 10栋).
    buildings.sort_by(|a, b| {
        (&a.community_name, &a.compound_name, a.name.len(), &a.name).cmp(&(
            &b.community_name,
            &b.compound_name,
            b.name.len(),
            &b.name,
        ))
    });
    KeyGroups {
        days,
        key_tags: KEY_TAGS.to_vec(),
        street: street_counts,
        communities: communities
            .into_iter()
            .map(|(id, counts)| CommunityRow {
                name: community_name(street, &id),
                id,
                counts,
            })
            .collect(),
        buildings,
    }
}

fn community_name(street: &Street, id: &str) -> String {
    street
        .directory
        .communities
        .iter()
        .find(|(c, _)| c.as_str() == id)
        .map_or_else(|| id.to_owned(), |(_, c)| c.name.clone())
}

/// Which households of a building to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Which {
    #[default]
    All,
    /// In a key group.
    Key,
    /// In a key group and not visited in `days`.
    NotVisited,
}

#[derive(Debug, Serialize)]
pub struct HouseholdRow {
    pub id: String,
    pub unit: String,
    pub floor: Option<i32>,
    pub room: String,
    /// The household head first, then the others.
    pub names: Vec<String>,
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    pub key: bool,
    pub last_visit: Option<i64>,
}

/// The households of `building` (None when the token may not read it).
pub fn households(
    street: &Street,
    building: &str,
    which: Which,
    tag: Option<&str>,
    days: u32,
    now: i64,
) -> Option<Vec<HouseholdRow>> {
    let (_, b) = street
        .buildings
        .iter()
        .find(|(id, _)| id.as_str() == building)?;
    let cutoff = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    Some(
        b.households
            .iter()
            .filter(|(_, hh)| match which {
                Which::All => true,
                Which::Key => is_key(hh),
                Which::NotVisited => is_key(hh) && hh.not_visited_since(cutoff),
            })
            .filter(|(_, hh)| tag.is_none_or(|t| hh.has_tag(t)))
            .map(|(id, hh)| {
                let mut members: Vec<_> = hh.members.values().collect();
                members.sort_by_key(|m| (m.relation != Relation::Head, m.birth_year));
                HouseholdRow {
                    id: id.to_string(),
                    unit: hh.fields.unit.clone(),
                    floor: hh.fields.floor,
                    room: hh.fields.room.clone(),
                    names: members.iter().map(|m| m.name.clone()).collect(),
                    phones: members.iter().filter_map(|m| m.phone.clone()).collect(),
                    tags: hh.all_tags().into_iter().map(str::to_owned).collect(),
                    key: is_key(hh),
                    last_visit: hh.last_visit(),
                }
            })
            .collect(),
    )
}
