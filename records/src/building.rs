//! The building document: one per building, the only place personal data
//! lives.
//!
//! ```text
//! { kind: "linli/building", schema: 1,
//!   id: BuildingId, community: "东湖社区", compound: "东湖1区", name: "1栋",
//!   households: { <HouseholdId>: {
//!       unit: "1", floor: 3, room: "301",          // floor may be absent
//!       tags: { <tag>: true }, notes: "…",
//!       members: { <MemberId>: { name, gender?: "M"|"F", birth_year,
//!                                phone?, relation, tags: { <tag>: true }, note } },
//!       visits:  { <VisitId>: { by: PersonId, at: ms, note } } } } }
//! ```
//!
//! Every collection is a map keyed by id, so two people adding different
//! members or visits offline both keep theirs after merging; two people
//! changing the same field leave a conflict (see [`crate::conflicts`]).

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{BuildingId, HouseholdId, MemberId, PersonId, VisitId};
use crate::root::{self, DocKind};
use crate::vocab::{Gender, Relation};

/// Which building a building document is for. The names are copies of the
/// directory's, kept so a building document (and its CSV export) stands on
/// its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingRef {
    /// The building's id.
    pub id: BuildingId,
    /// Community (社区) name.
    pub community: String,
    /// Compound (小区) name; may be empty.
    pub compound: String,
    /// Building name, e.g. "1栋".
    pub name: String,
}

/// A whole building document, read with [`Building::load`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Building {
    /// The document's schema version.
    pub schema: u64,
    /// Which building this is.
    pub building: BuildingRef,
    /// Households by id.
    pub households: BTreeMap<HouseholdId, Household>,
}

/// The fields of a household other than its members and visits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFields {
    /// Unit (单元), e.g. "2"; may be empty.
    pub unit: String,
    /// Floor, if known.
    pub floor: Option<i32>,
    /// Room, e.g. "301".
    pub room: String,
    /// Household tags, e.g. `needs-regular-visit`.
    pub tags: BTreeSet<String>,
    /// Free notes about the household.
    pub notes: String,
}

/// One household.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// Address, tags and notes.
    #[serde(flatten)]
    pub fields: HouseholdFields,
    /// Residents by id.
    pub members: BTreeMap<MemberId, Member>,
    /// Visit log by id.
    pub visits: BTreeMap<VisitId, Visit>,
}

/// One resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Full name.
    pub name: String,
    /// Gender, if recorded.
    pub gender: Option<Gender>,
    /// Year of birth.
    pub birth_year: i32,
    /// Phone number as written, if any.
    pub phone: Option<String>,
    /// Relation to the household head.
    pub relation: Relation,
    /// Tags such as `elderly-alone`, `disabled`, `low-income`.
    pub tags: BTreeSet<String>,
    /// A note about this resident (the CSV `notes` column).
    pub note: String,
}

/// One visit to a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Who visited.
    pub by: PersonId,
    /// When, in ms since the epoch.
    pub at: i64,
    /// What was found or done.
    pub note: String,
}

impl Household {
    /// When the household was last visited, if ever.
    pub fn last_visit(&self) -> Option<i64> {
        self.visits.values().map(|v| v.at).max()
    }

    /// The household's tags and its members', each once, sorted: a
    /// household is in a group (e.g. `elderly-alone`) when it or one of
    /// its residents is tagged so.
    pub fn all_tags(&self) -> BTreeSet<&str> {
        self.fields
            .tags
            .iter()
            .chain(self.members.values().flat_map(|m| m.tags.iter()))
            .map(String::as_str)
            .collect()
    }

    /// Whether the household or one of its residents has `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.fields.tags.contains(tag) || self.members.values().any(|m| m.tags.contains(tag))
    }

    /// Whether no visit is recorded at or after `cutoff` (ms since the
    /// epoch): "not visited in N days" is `not_visited_since(now − N days)`.
    pub fn not_visited_since(&self, cutoff: i64) -> bool {
        self.last_visit().is_none_or(|at| at < cutoff)
    }
}

impl Building {
    /// Whether the building document `doc` holds household `id`, without
    /// reading the whole document: finding one household among many
    /// buildings need not load every building.
    pub fn holds_household<D: ReadDoc + ?Sized>(doc: &D, id: &HouseholdId) -> bool {
        let root = At::ROOT;
        let at = root.child("households");
        matches!(
            fields::opt_map(doc, &ROOT, "households", &at),
            Ok(Some(all)) if matches!(fields::opt_map(doc, &all, id.as_str(), &at), Ok(Some(_)))
        )
    }

    /// Reads a building document. Unknown extra fields are ignored, missing
    /// required ones and wrong types are reported with their path.
    pub fn load<D: ReadDoc + ?Sized>(doc: &D) -> Result<Self, ShapeError> {
        let schema = root::check(doc, DocKind::Building)?;
        let building = load_ref(doc)?;
        let root = At::ROOT;
        let at = root.child("households");
        let mut households = BTreeMap::new();
        if let Some(obj) = fields::opt_map(doc, &ROOT, "households", &at)? {
            for (id, hh, key) in fields::entries(doc, &obj, &at, HouseholdId::new)? {
                households.insert(id, load_household(doc, &hh, &at.child(&key))?);
            }
        }
        Ok(Building {
            schema,
            building,
            households,
        })
    }
}

fn load_ref<D: ReadDoc + ?Sized>(doc: &D) -> Result<BuildingRef, ShapeError> {
    let root = At::ROOT;
    let at = root.child("id");
    let id = fields::req_str(doc, &ROOT, "id", &at)?;
    Ok(BuildingRef {
        id: BuildingId::new(id).map_err(|e| at.bad(e.to_string()))?,
        community: fields::str_or_empty(doc, &ROOT, "community", &root.child("community"))?,
        compound: fields::str_or_empty(doc, &ROOT, "compound", &root.child("compound"))?,
        name: fields::req_str(doc, &ROOT, "name", &root.child("name"))?,
    })
}

fn load_household<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<Household, ShapeError> {
    let floor_at = at.child("floor");
    let floor = fields::opt_i64(doc, obj, "floor", &floor_at)?
        .map(|f| fields::narrow(f, &floor_at))
        .transpose()?;
    let fields = HouseholdFields {
        unit: fields::str_or_empty(doc, obj, "unit", &at.child("unit"))?,
        floor,
        room: fields::str_or_empty(doc, obj, "room", &at.child("room"))?,
        tags: fields::set(doc, obj, "tags", &at.child("tags"))?,
        notes: fields::str_or_empty(doc, obj, "notes", &at.child("notes"))?,
    };
    let mut members = BTreeMap::new();
    let members_at = at.child("members");
    if let Some(m) = fields::opt_map(doc, obj, "members", &members_at)? {
        for (id, member, key) in fields::entries(doc, &m, &members_at, MemberId::new)? {
            members.insert(id, load_member(doc, &member, &members_at.child(&key))?);
        }
    }
    let mut visits = BTreeMap::new();
    let visits_at = at.child("visits");
    if let Some(v) = fields::opt_map(doc, obj, "visits", &visits_at)? {
        for (id, visit, key) in fields::entries(doc, &v, &visits_at, VisitId::new)? {
            visits.insert(id, load_visit(doc, &visit, &visits_at.child(&key))?);
        }
    }
    Ok(Household {
        fields,
        members,
        visits,
    })
}

fn load_member<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<Member, ShapeError> {
    let gender_at = at.child("gender");
    let gender = fields::opt_str(doc, obj, "gender", &gender_at)?
        .map(|g| fields::word(&g, &gender_at, Gender::parse))
        .transpose()?;
    let year_at = at.child("birth_year");
    let relation_at = at.child("relation");
    let relation = fields::req_str(doc, obj, "relation", &relation_at)?;
    Ok(Member {
        name: fields::req_str(doc, obj, "name", &at.child("name"))?,
        gender,
        birth_year: fields::narrow(fields::req_i64(doc, obj, "birth_year", &year_at)?, &year_at)?,
        phone: fields::opt_str(doc, obj, "phone", &at.child("phone"))?,
        relation: fields::word(&relation, &relation_at, Relation::parse)?,
        tags: fields::set(doc, obj, "tags", &at.child("tags"))?,
        note: fields::str_or_empty(doc, obj, "note", &at.child("note"))?,
    })
}

fn load_visit<D: ReadDoc + ?Sized>(doc: &D, obj: &ObjId, at: &At<'_>) -> Result<Visit, ShapeError> {
    let by_at = at.child("by");
    let by = fields::req_str(doc, obj, "by", &by_at)?;
    Ok(Visit {
        by: PersonId::new(by).map_err(|e| by_at.bad(e.to_string()))?,
        at: fields::req_i64(doc, obj, "at", &at.child("at"))?,
        note: fields::str_or_empty(doc, obj, "note", &at.child("note"))?,
    })
}

// ---- writes -------------------------------------------------------------

/// Makes `tx`'s document the building document for `building`: writes the
/// root fields into an empty document, updates the names of the same
/// building, and refuses a document that belongs to another building.
pub fn init<T: Transactable + ?Sized>(
    tx: &mut T,
    building: &BuildingRef,
) -> Result<(), WriteError> {
    let fresh = root::init(tx, DocKind::Building)?;
    if !fresh {
        let root = At::ROOT;
        let at = root.child("id");
        let found = fields::req_str(tx, &ROOT, "id", &at)?;
        if found != building.id.as_str() {
            return Err(WriteError::WrongDocument {
                what: "building",
                expected: building.id.to_string(),
                found,
            });
        }
    }
    fields::put_str(tx, &ROOT, "id", building.id.as_str())?;
    fields::put_str(tx, &ROOT, "community", &building.community)?;
    fields::put_str(tx, &ROOT, "compound", &building.compound)?;
    fields::put_str(tx, &ROOT, "name", &building.name)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, "households", &root.child("households"))?;
    Ok(())
}

fn households<T: Transactable + ?Sized>(tx: &mut T) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::Building)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, "households", &root.child("households"))
}

fn household<T: Transactable + ?Sized>(tx: &mut T, id: &HouseholdId) -> Result<ObjId, WriteError> {
    let all = households(tx)?;
    let root = At::ROOT;
    let at = root.child("households");
    fields::opt_map(tx, &all, id.as_str(), &at.child(id.as_str()))?.ok_or_else(|| {
        WriteError::NotFound {
            what: "household",
            id: id.to_string(),
        }
    })
}

/// Creates household `id` or updates its fields; members and visits are
/// left as they are. Writes only the fields that differ.
pub fn put_household<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HouseholdId,
    fields: &HouseholdFields,
) -> Result<(), WriteError> {
    let hh = put_household_address(tx, id, &fields.unit, fields.floor, &fields.room)?;
    let root = At::ROOT;
    let at = root.child("households");
    let at = at.child(id.as_str());
    fields::put_set(tx, &hh, "tags", &fields.tags, &at.child("tags"))?;
    fields::put_str(tx, &hh, "notes", &fields.notes)?;
    Ok(())
}

/// Creates household `id` (with empty tags, notes, members and visits) or
/// updates only its address fields. Returns the household's object.
pub(crate) fn put_household_address<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HouseholdId,
    unit: &str,
    floor: Option<i32>,
    room: &str,
) -> Result<ObjId, WriteError> {
    let all = households(tx)?;
    let root = At::ROOT;
    let at = root.child("households");
    let at = at.child(id.as_str());
    let hh = match fields::opt_map(tx, &all, id.as_str(), &at)? {
        Some(hh) => hh,
        None => {
            let hh = tx.put_object(&all, id.as_str(), automerge::ObjType::Map)?;
            fields::put_set(tx, &hh, "tags", &BTreeSet::new(), &at.child("tags"))?;
            fields::put_str(tx, &hh, "notes", "")?;
            fields::ensure_map(tx, &hh, "members", &at.child("members"))?;
            fields::ensure_map(tx, &hh, "visits", &at.child("visits"))?;
            hh
        }
    };
    fields::put_str(tx, &hh, "unit", unit)?;
    fields::put_opt_i64(tx, &hh, "floor", floor.map(i64::from))?;
    fields::put_str(tx, &hh, "room", room)?;
    Ok(hh)
}

/// Deletes household `id` with its members and visits.
pub fn remove_household<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HouseholdId,
) -> Result<(), WriteError> {
    let all = households(tx)?;
    fields::delete(tx, &all, id.as_str())
}

/// Creates or updates member `member` of household `household` (which must
/// exist). Writes only the fields that differ.
pub fn put_member<T: Transactable + ?Sized>(
    tx: &mut T,
    household: &HouseholdId,
    id: &MemberId,
    member: &Member,
) -> Result<(), WriteError> {
    let hh = self::household(tx, household)?;
    let root = At::ROOT;
    let at = root.child("households");
    let at = at.child(household.as_str());
    let members_at = at.child("members");
    let members = fields::ensure_map(tx, &hh, "members", &members_at)?;
    let m_at = members_at.child(id.as_str());
    let m = fields::ensure_map(tx, &members, id.as_str(), &m_at)?;
    fields::put_str(tx, &m, "name", &member.name)?;
    fields::put_opt_str(tx, &m, "gender", member.gender.map(Gender::as_str))?;
    fields::put_i64(tx, &m, "birth_year", i64::from(member.birth_year))?;
    fields::put_opt_str(tx, &m, "phone", member.phone.as_deref())?;
    fields::put_str(tx, &m, "relation", member.relation.as_str())?;
    fields::put_set(tx, &m, "tags", &member.tags, &m_at.child("tags"))?;
    fields::put_str(tx, &m, "note", &member.note)?;
    Ok(())
}

/// Deletes member `id` of household `household`.
pub fn remove_member<T: Transactable + ?Sized>(
    tx: &mut T,
    household: &HouseholdId,
    id: &MemberId,
) -> Result<(), WriteError> {
    let hh = self::household(tx, household)?;
    let root = At::ROOT;
    let at = root.child("households");
    let at = at.child(household.as_str());
    let members = fields::ensure_map(tx, &hh, "members", &at.child("members"))?;
    fields::delete(tx, &members, id.as_str())
}

/// Records (or corrects) visit `id` to household `household`.
pub fn put_visit<T: Transactable + ?Sized>(
    tx: &mut T,
    household: &HouseholdId,
    id: &VisitId,
    visit: &Visit,
) -> Result<(), WriteError> {
    let hh = self::household(tx, household)?;
    let root = At::ROOT;
    let at = root.child("households");
    let at = at.child(household.as_str());
    let visits_at = at.child("visits");
    let visits = fields::ensure_map(tx, &hh, "visits", &visits_at)?;
    let v = fields::ensure_map(tx, &visits, id.as_str(), &visits_at.child(id.as_str()))?;
    fields::put_str(tx, &v, "by", visit.by.as_str())?;
    fields::put_i64(tx, &v, "at", visit.at)?;
    fields::put_str(tx, &v, "note", &visit.note)?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use automerge::AutoCommit;

    pub(crate) fn building_ref() -> BuildingRef {
        BuildingRef {
            id: BuildingId::derive("东湖社区", "东湖1区", "1栋"),
            community: "东湖社区".into(),
            compound: "东湖1区".into(),
            name: "1栋".into(),
        }
    }

    pub(crate) fn member(name: &str, year: i32) -> Member {
        Member {
            name: name.into(),
            gender: Some(Gender::Female),
            birth_year: year,
            phone: Some("135-0544-8213".into()),
            relation: Relation::Head,
            tags: ["elderly-alone".to_owned()].into(),
            note: "需定期走访".into(),
        }
    }

    fn hid() -> HouseholdId {
        HouseholdId::new("c01-b001-h0001").unwrap()
    }

    #[test]
    fn written_building_reads_back() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &building_ref()).unwrap();
        let fields = HouseholdFields {
            unit: "1".into(),
            floor: Some(3),
            room: "301".into(),
            tags: ["low-income".to_owned()].into(),
            notes: "门铃坏了".into(),
        };
        put_household(&mut doc, &hid(), &fields).unwrap();
        let mid = MemberId::derive(&hid(), "王芳", 1948);
        put_member(&mut doc, &hid(), &mid, &member("王芳", 1948)).unwrap();
        let vid = VisitId::new("visit-1").unwrap();
        let visit = Visit {
            by: PersonId::new("head-wang").unwrap(),
            at: 1_700_000_000_000,
            note: "一切正常".into(),
        };
        put_visit(&mut doc, &hid(), &vid, &visit).unwrap();
        doc.commit();

        let b = Building::load(&doc).unwrap();
        assert_eq!(b.building, building_ref());
        let hh = &b.households[&hid()];
        assert_eq!(hh.fields, fields);
        assert_eq!(hh.members[&mid], member("王芳", 1948));
        assert_eq!(hh.visits[&vid], visit);
    }

    #[test]
    fn a_building_says_whether_it_holds_a_household() {
        let mut doc = AutoCommit::new();
        assert!(!Building::holds_household(&doc, &hid()), "not a building");
        init(&mut doc, &building_ref()).unwrap();
        assert!(!Building::holds_household(&doc, &hid()));
        put_household(&mut doc, &hid(), &HouseholdFields::default()).unwrap();
        assert!(Building::holds_household(&doc, &hid()));
        let other = HouseholdId::new("c01-b001-h0002").unwrap();
        assert!(!Building::holds_household(&doc, &other));
    }

    #[test]
    fn member_of_missing_household_is_not_found() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &building_ref()).unwrap();
        let mid = MemberId::derive(&hid(), "王芳", 1948);
        assert!(matches!(
            put_member(&mut doc, &hid(), &mid, &member("王芳", 1948)),
            Err(WriteError::NotFound {
                what: "household",
                ..
            })
        ));
    }

    #[test]
    fn another_buildings_document_is_refused() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &building_ref()).unwrap();
        let mut other = building_ref();
        other.id = BuildingId::new("b-other").unwrap();
        assert!(matches!(
            init(&mut doc, &other),
            Err(WriteError::WrongDocument { .. })
        ));
    }

    #[test]
    fn concurrent_members_both_survive_a_merge() {
        let mut a = AutoCommit::new();
        init(&mut a, &building_ref()).unwrap();
        put_household(&mut a, &hid(), &HouseholdFields::default()).unwrap();
        a.commit();
        let mut b = a.fork();
        let m1 = MemberId::derive(&hid(), "甲", 1950);
        let m2 = MemberId::derive(&hid(), "乙", 1960);
        put_member(&mut a, &hid(), &m1, &member("甲", 1950)).unwrap();
        put_member(&mut b, &hid(), &m2, &member("乙", 1960)).unwrap();
        a.merge(&mut b).unwrap();
        let hh = &Building::load(&a).unwrap().households[&hid()];
        assert_eq!(hh.members.len(), 2);
    }

    #[test]
    fn a_bad_birth_year_in_the_document_names_its_path() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &building_ref()).unwrap();
        put_household(&mut doc, &hid(), &HouseholdFields::default()).unwrap();
        let mid = MemberId::new("m1").unwrap();
        put_member(&mut doc, &hid(), &mid, &member("王芳", 1948)).unwrap();
        let hh = doc.get(&ROOT, "households").unwrap().unwrap().1;
        let hh = doc.get(&hh, hid().as_str()).unwrap().unwrap().1;
        let ms = doc.get(&hh, "members").unwrap().unwrap().1;
        let m = doc.get(&ms, "m1").unwrap().unwrap().1;
        doc.put(&m, "birth_year", "1948年").unwrap();
        let err = Building::load(&doc).unwrap_err().to_string();
        assert_eq!(
            err,
            "households/c01-b001-h0001/members/m1/birth_year: expected an integer, found the string \"1948年\""
        );
    }
}
