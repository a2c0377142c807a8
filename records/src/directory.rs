//! The directory document: one per street, readable by every token of the
//! street, so it holds no personal data — only what exists and where its
//! document is.
//!
//! ```text
//! { kind: "linli/directory", schema: 1, street: "…街道",
//!   communities: { <CommunityId>: { name, response_target_hours? } },
//!   areas:       { <AreaId>:      { name, community: CommunityId } },
//!   compounds:   { <CompoundId>:  { name, community: CommunityId, area?: AreaId,
//!                                   lane?: string } },
//!   buildings:   { <BuildingId>:  { name, community: CommunityId, compound?: CompoundId,
//!                                   address, doc?: "automerge:…" } },
//!   teams:       { <TeamId>:      { name, doc?: "automerge:…" } },
//!   boards:      { <BoardId>:     { community: CommunityId, period, doc?: "automerge:…" } } }
//! ```

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::building::BuildingRef;
use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{AreaId, BoardId, BuildingId, CommunityId, CompoundId, DocUrl, TeamId};
use crate::root::{self, DocKind};
use crate::task_board::TaskBoardRef;
use crate::team::TeamRef;

/// A whole directory, read with [`Directory::load`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// The document's schema version.
    pub schema: u64,
    /// The street's name.
    pub street: String,
    /// Communities by id.
    pub communities: BTreeMap<CommunityId, Community>,
    /// Areas (片区) by id.
    pub areas: BTreeMap<AreaId, Area>,
    /// Compounds by id.
    pub compounds: BTreeMap<CompoundId, Compound>,
    /// Buildings by id.
    pub buildings: BTreeMap<BuildingId, BuildingEntry>,
    /// Volunteer teams by id.
    pub teams: BTreeMap<TeamId, TeamEntry>,
    /// Task boards by id.
    pub boards: BTreeMap<BoardId, BoardEntry>,
}

/// A community (社区).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    /// Its name, e.g. "东湖社区".
    pub name: String,
    /// How soon a need should get its first response (接诉即办), in hours;
    /// `None` means the default, [`DEFAULT_RESPONSE_TARGET_HOURS`].
    pub response_target_hours: Option<u32>,
}

/// The response target of a community that sets none: 24 hours.
pub const DEFAULT_RESPONSE_TARGET_HOURS: u32 = 24;

impl Community {
    /// A community with the default response target.
    pub fn named(name: impl Into<String>) -> Self {
        Community {
            name: name.into(),
            response_target_hours: None,
        }
    }

    /// The response target in ms.
    pub fn response_target_ms(&self) -> i64 {
        i64::from(
            self.response_target_hours
                .unwrap_or(DEFAULT_RESPONSE_TARGET_HOURS),
        ) * 3_600_000
    }
}

/// An area (片区) of a community, led by an area head: the level above
/// compounds in an old neighbourhood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// Its name, e.g. "东片".
    pub name: String,
    /// The community it belongs to.
    pub community: CommunityId,
}

/// A compound (小区) of a community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compound {
    /// Its name, e.g. "东湖1区".
    pub name: String,
    /// The community it belongs to.
    pub community: CommunityId,
    /// The area it is in, if the community is divided into areas.
    pub area: Option<AreaId>,
    /// The street or lane (街/巷) it stands on, an optional grouping.
    pub lane: Option<String>,
}

/// A building and where its document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingEntry {
    /// Its name, e.g. "1栋".
    pub name: String,
    /// The community it belongs to.
    pub community: CommunityId,
    /// The compound it is in, if any.
    pub compound: Option<CompoundId>,
    /// Street address (free text; may be empty).
    pub address: String,
    /// Its building document, once created.
    pub doc: Option<DocUrl>,
}

/// A volunteer team and where its document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEntry {
    /// Its name.
    pub name: String,
    /// Its team document, once created.
    pub doc: Option<DocUrl>,
}

/// A task board and where its document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardEntry {
    /// The community it serves.
    pub community: CommunityId,
    /// Its period label, e.g. "2025-06".
    pub period: String,
    /// Its task board document, once created.
    pub doc: Option<DocUrl>,
}

/// One of the directory's collections, for [`remove`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// `communities`
    Communities,
    /// `areas`
    Areas,
    /// `compounds`
    Compounds,
    /// `buildings`
    Buildings,
    /// `teams`
    Teams,
    /// `boards`
    Boards,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Communities => "communities",
            Section::Areas => "areas",
            Section::Compounds => "compounds",
            Section::Buildings => "buildings",
            Section::Teams => "teams",
            Section::Boards => "boards",
        }
    }
}

impl Directory {
    /// Reads a directory document.
    pub fn load<D: ReadDoc + ?Sized>(doc: &D) -> Result<Self, ShapeError> {
        let schema = root::check(doc, DocKind::Directory)?;
        let root = At::ROOT;
        Ok(Directory {
            schema,
            street: fields::str_or_empty(doc, &ROOT, "street", &root.child("street"))?,
            communities: section(doc, "communities", CommunityId::new, |doc, o, at| {
                let target = at.child("response_target_hours");
                Ok(Community {
                    name: fields::req_str(doc, o, "name", &at.child("name"))?,
                    response_target_hours: fields::opt_i64(
                        doc,
                        o,
                        "response_target_hours",
                        &target,
                    )?
                    .map(|h| fields::narrow(h, &target))
                    .transpose()?,
                })
            })?,
            areas: section(doc, "areas", AreaId::new, |doc, o, at| {
                Ok(Area {
                    name: fields::req_str(doc, o, "name", &at.child("name"))?,
                    community: id(doc, o, "community", at, CommunityId::new)?,
                })
            })?,
            compounds: section(doc, "compounds", CompoundId::new, |doc, o, at| {
                Ok(Compound {
                    name: fields::req_str(doc, o, "name", &at.child("name"))?,
                    community: id(doc, o, "community", at, CommunityId::new)?,
                    area: opt_id(doc, o, "area", at, AreaId::new)?,
                    lane: fields::opt_str(doc, o, "lane", &at.child("lane"))?,
                })
            })?,
            buildings: section(doc, "buildings", BuildingId::new, |doc, o, at| {
                Ok(BuildingEntry {
                    name: fields::req_str(doc, o, "name", &at.child("name"))?,
                    community: id(doc, o, "community", at, CommunityId::new)?,
                    compound: opt_id(doc, o, "compound", at, CompoundId::new)?,
                    address: fields::str_or_empty(doc, o, "address", &at.child("address"))?,
                    doc: opt_id(doc, o, "doc", at, DocUrl::new)?,
                })
            })?,
            teams: section(doc, "teams", TeamId::new, |doc, o, at| {
                Ok(TeamEntry {
                    name: fields::req_str(doc, o, "name", &at.child("name"))?,
                    doc: opt_id(doc, o, "doc", at, DocUrl::new)?,
                })
            })?,
            boards: section(doc, "boards", BoardId::new, |doc, o, at| {
                Ok(BoardEntry {
                    community: id(doc, o, "community", at, CommunityId::new)?,
                    period: fields::req_str(doc, o, "period", &at.child("period"))?,
                    doc: opt_id(doc, o, "doc", at, DocUrl::new)?,
                })
            })?,
        })
    }

    /// The building with these names, if registered.
    pub fn find_building(
        &self,
        community: &str,
        compound: &str,
        name: &str,
    ) -> Option<&BuildingEntry> {
        self.buildings
            .get(&BuildingId::derive(community, compound, name))
    }

    /// The compound of a building, if it has one.
    pub fn compound_of(&self, building: &BuildingId) -> Option<&CompoundId> {
        self.buildings.get(building)?.compound.as_ref()
    }

    /// The area of a building (through its compound), if it has one.
    pub fn area_of(&self, building: &BuildingId) -> Option<&AreaId> {
        self.compounds
            .get(self.compound_of(building)?)?
            .area
            .as_ref()
    }

    /// The response target of `community` in ms (the default when the
    /// community is unknown or sets none).
    pub fn response_target_ms(&self, community: &CommunityId) -> i64 {
        self.communities
            .get(community)
            .map(Community::response_target_ms)
            .unwrap_or(i64::from(DEFAULT_RESPONSE_TARGET_HOURS) * 3_600_000)
    }

    /// The board of `community` for `period`, if registered.
    pub fn board(&self, community: &CommunityId, period: &str) -> Option<&BoardEntry> {
        self.boards.get(&BoardId::derive(community, period))
    }
}

type ReadEntry<D, V> = fn(&D, &ObjId, &At<'_>) -> Result<V, ShapeError>;

fn section<D, K, E, V>(
    doc: &D,
    key: &str,
    make_id: impl Fn(String) -> Result<K, E>,
    read: ReadEntry<D, V>,
) -> Result<BTreeMap<K, V>, ShapeError>
where
    D: ReadDoc + ?Sized,
    K: Ord,
    E: std::fmt::Display,
{
    let root = At::ROOT;
    let at = root.child(key);
    let mut out = BTreeMap::new();
    if let Some(obj) = fields::opt_map(doc, &ROOT, key, &at)? {
        for (k, o, text) in fields::entries(doc, &obj, &at, make_id)? {
            out.insert(k, read(doc, &o, &at.child(&text))?);
        }
    }
    Ok(out)
}

fn id<D: ReadDoc + ?Sized, I, E: std::fmt::Display>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
    make: impl Fn(String) -> Result<I, E>,
) -> Result<I, ShapeError> {
    let at = at.child(key);
    make(fields::req_str(doc, obj, key, &at)?).map_err(|e| at.bad(e.to_string()))
}

fn opt_id<D: ReadDoc + ?Sized, I, E: std::fmt::Display>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
    make: impl Fn(String) -> Result<I, E>,
) -> Result<Option<I>, ShapeError> {
    let at = at.child(key);
    fields::opt_str(doc, obj, key, &at)?
        .map(|s| make(s).map_err(|e| at.bad(e.to_string())))
        .transpose()
}

// ---- writes -------------------------------------------------------------

/// Makes `tx`'s document the street's directory, or renames the street.
pub fn init<T: Transactable + ?Sized>(tx: &mut T, street: &str) -> Result<(), WriteError> {
    root::init(tx, DocKind::Directory)?;
    fields::put_str(tx, &ROOT, "street", street)?;
    let root = At::ROOT;
    for s in [
        Section::Communities,
        Section::Areas,
        Section::Compounds,
        Section::Buildings,
        Section::Teams,
        Section::Boards,
    ] {
        fields::ensure_map(tx, &ROOT, s.key(), &root.child(s.key()))?;
    }
    Ok(())
}

fn entry<T: Transactable + ?Sized>(
    tx: &mut T,
    section: Section,
    id: &str,
) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::Directory)?;
    let root = At::ROOT;
    let at = root.child(section.key());
    let all = fields::ensure_map(tx, &ROOT, section.key(), &at)?;
    fields::ensure_map(tx, &all, id, &at.child(id))
}

/// Creates or updates community `id`.
pub fn put_community<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &CommunityId,
    community: &Community,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Communities, id.as_str())?;
    fields::put_str(tx, &e, "name", &community.name)?;
    fields::put_opt_i64(
        tx,
        &e,
        "response_target_hours",
        community.response_target_hours.map(i64::from),
    )
}

/// Creates or updates area `id`.
pub fn put_area<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &AreaId,
    area: &Area,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Areas, id.as_str())?;
    fields::put_str(tx, &e, "name", &area.name)?;
    fields::put_str(tx, &e, "community", area.community.as_str())
}

/// Creates or updates compound `id`.
pub fn put_compound<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &CompoundId,
    compound: &Compound,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Compounds, id.as_str())?;
    fields::put_str(tx, &e, "name", &compound.name)?;
    fields::put_str(tx, &e, "community", compound.community.as_str())?;
    fields::put_opt_str(tx, &e, "area", compound.area.as_ref().map(|a| a.as_str()))?;
    fields::put_opt_str(tx, &e, "lane", compound.lane.as_deref())
}

/// Puts compound `id` in `area` (or in none): its buildings' area head
/// changes with it, live on the relay.
pub fn set_compound_area<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &CompoundId,
    area: Option<&AreaId>,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Compounds, id.as_str())?;
    fields::put_opt_str(tx, &e, "area", area.map(|a| a.as_str()))
}

/// Moves building `id` to `compound` (or out of any): who may read it
/// follows, live on the relay.
pub fn set_building_compound<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &BuildingId,
    compound: Option<&CompoundId>,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Buildings, id.as_str())?;
    fields::put_opt_str(tx, &e, "compound", compound.map(|c| c.as_str()))
}

/// Creates or updates building `id`.
pub fn put_building<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &BuildingId,
    building: &BuildingEntry,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Buildings, id.as_str())?;
    fields::put_str(tx, &e, "name", &building.name)?;
    fields::put_str(tx, &e, "community", building.community.as_str())?;
    fields::put_opt_str(
        tx,
        &e,
        "compound",
        building.compound.as_ref().map(|c| c.as_str()),
    )?;
    fields::put_str(tx, &e, "address", &building.address)?;
    fields::put_opt_str(tx, &e, "doc", building.doc.as_ref().map(|d| d.as_str()))
}

/// Creates or updates team `id`.
pub fn put_team<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &TeamId,
    team: &TeamEntry,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Teams, id.as_str())?;
    fields::put_str(tx, &e, "name", &team.name)?;
    fields::put_opt_str(tx, &e, "doc", team.doc.as_ref().map(|d| d.as_str()))
}

/// Creates or updates board `id`.
pub fn put_board<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &BoardId,
    board: &BoardEntry,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Boards, id.as_str())?;
    fields::put_str(tx, &e, "community", board.community.as_str())?;
    fields::put_str(tx, &e, "period", &board.period)?;
    fields::put_opt_str(tx, &e, "doc", board.doc.as_ref().map(|d| d.as_str()))
}

/// Deletes entry `id` of `section`.
pub fn remove<T: Transactable + ?Sized>(
    tx: &mut T,
    section: Section,
    id: &str,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::Directory)?;
    let root = At::ROOT;
    let all = fields::ensure_map(tx, &ROOT, section.key(), &root.child(section.key()))?;
    fields::delete(tx, &all, id)
}

/// Registers a building with its community and compound (ids derived from
/// the names, as CSV import does) and, when given, its document URL. An
/// existing entry keeps its address, and its document URL when `doc` is
/// `None`.
pub fn register_building<T: Transactable + ?Sized>(
    tx: &mut T,
    building: &BuildingRef,
    doc: Option<&DocUrl>,
) -> Result<(), WriteError> {
    // Only the names: an area, a lane or a response target set since
    // stays as it is.
    let community = CommunityId::derive(&building.community);
    let c = entry(tx, Section::Communities, community.as_str())?;
    fields::put_str(tx, &c, "name", &building.community)?;
    let compound = if building.compound.is_empty() {
        None
    } else {
        let id = CompoundId::derive(&building.community, &building.compound);
        let k = entry(tx, Section::Compounds, id.as_str())?;
        fields::put_str(tx, &k, "name", &building.compound)?;
        fields::put_str(tx, &k, "community", community.as_str())?;
        Some(id)
    };
    let e = entry(tx, Section::Buildings, building.id.as_str())?;
    fields::put_str(tx, &e, "name", &building.name)?;
    fields::put_str(tx, &e, "community", community.as_str())?;
    fields::put_opt_str(tx, &e, "compound", compound.as_ref().map(|c| c.as_str()))?;
    if tx.get(&e, "address")?.is_none() {
        fields::put_str(tx, &e, "address", "")?;
    }
    if let Some(doc) = doc {
        fields::put_str(tx, &e, "doc", doc.as_str())?;
    }
    Ok(())
}

/// Registers a team and, when given, its document URL.
pub fn register_team<T: Transactable + ?Sized>(
    tx: &mut T,
    team: &TeamRef,
    doc: Option<&DocUrl>,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Teams, team.id.as_str())?;
    fields::put_str(tx, &e, "name", &team.name)?;
    if let Some(doc) = doc {
        fields::put_str(tx, &e, "doc", doc.as_str())?;
    }
    Ok(())
}

/// Registers a task board and, when given, its document URL.
pub fn register_board<T: Transactable + ?Sized>(
    tx: &mut T,
    board: &TaskBoardRef,
    doc: Option<&DocUrl>,
) -> Result<(), WriteError> {
    let e = entry(tx, Section::Boards, board.id().as_str())?;
    fields::put_str(tx, &e, "community", board.community.as_str())?;
    fields::put_str(tx, &e, "period", &board.period)?;
    if let Some(doc) = doc {
        fields::put_str(tx, &e, "doc", doc.as_str())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::tests::building_ref;
    use crate::task_board::tests::board_ref;
    use crate::team::tests::team_ref;
    use automerge::AutoCommit;

    fn url(s: &str) -> DocUrl {
        DocUrl::new(format!("automerge:{s}")).unwrap()
    }

    #[test]
    fn registered_entries_read_back() {
        let mut doc = AutoCommit::new();
        init(&mut doc, "东湖街道").unwrap();
        register_building(&mut doc, &building_ref(), Some(&url("b1"))).unwrap();
        register_team(&mut doc, &team_ref(), Some(&url("t1"))).unwrap();
        register_board(&mut doc, &board_ref(), None).unwrap();
        doc.commit();
        let d = Directory::load(&doc).unwrap();
        assert_eq!(d.street, "东湖街道");
        let community = CommunityId::derive("东湖社区");
        assert_eq!(d.communities[&community].name, "东湖社区");
        let b = d.find_building("东湖社区", "东湖1区", "1栋").unwrap();
        assert_eq!(b.doc, Some(url("b1")));
        assert_eq!(b.compound, Some(CompoundId::derive("东湖社区", "东湖1区")));
        assert_eq!(
            d.compounds[b.compound.as_ref().unwrap()].community,
            community
        );
        assert_eq!(d.teams[&team_ref().id].doc, Some(url("t1")));
        assert_eq!(d.board(&community, "2025-06").unwrap().doc, None);
    }

    #[test]
    fn registering_again_changes_nothing_and_keeps_the_address() {
        let mut doc = AutoCommit::new();
        init(&mut doc, "东湖街道").unwrap();
        let id = building_ref().id;
        register_building(&mut doc, &building_ref(), Some(&url("b1"))).unwrap();
        let mut entry = Directory::load(&doc).unwrap().buildings[&id].clone();
        entry.address = "东湖路1号".into();
        put_building(&mut doc, &id, &entry).unwrap();
        doc.commit();
        register_building(&mut doc, &building_ref(), None).unwrap();
        init(&mut doc, "东湖街道").unwrap();
        assert!(doc.commit().is_none());
        let d = Directory::load(&doc).unwrap();
        assert_eq!(d.buildings[&id].address, "东湖路1号");
        assert_eq!(d.buildings[&id].doc, Some(url("b1")));
    }

    #[test]
    fn removed_entries_are_gone() {
        let mut doc = AutoCommit::new();
        init(&mut doc, "s").unwrap();
        register_team(&mut doc, &team_ref(), None).unwrap();
        remove(&mut doc, Section::Teams, team_ref().id.as_str()).unwrap();
        assert!(Directory::load(&doc).unwrap().teams.is_empty());
    }
}
