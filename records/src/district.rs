//! The district directory: one per district hub, the hub's counterpart of a
//! street's directory. It says which streets feed the hub (and which
//! document is each street's directory) and which of the district's own
//! documents are shared down to which streets. It holds no personal data.
//!
//! ```text
//! { kind: "linli/district", schema: 1, district: "…区",
//!   streets: { <StreetId>: { name, directory?: "automerge:…" } },
//!   shared:  { <ShareId>:  { doc: "automerge:…", title, period,
//!                            streets: { <StreetId>: CommunityId } } } }
//! ```
//!
//! A shared entry is a district task board: the hub's district admin
//! creates it and lists, per street, the community of that street it is
//! for. The street's relay registers it in the street's own directory as a
//! board of that community ([`register_down_board`]), so the street's
//! devices find it and its roles decide who may read and write it, exactly
//! as for the street's own boards.
//!
//! What a street shares *up* is said by its own directory: the directory
//! itself, every task board, the street summary ([`summary_url`]) and the
//! buildings the street admin opted in ([`shared_up_buildings`]; the
//! default is none, so residents' data stays on the street).

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{BoardId, BuildingId, CommunityId, DocUrl};
use crate::root::{self, DocKind};

/// A whole district directory, read with [`District::load`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    /// The document's schema version.
    pub schema: u64,
    /// The district's name.
    pub district: String,
    /// The streets feeding the hub, by street id (the id in a
    /// `street-relay` token's `street:` scope).
    pub streets: BTreeMap<String, StreetEntry>,
    /// District documents shared down, by share id.
    pub shared: BTreeMap<String, SharedDown>,
}

/// A street of the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetEntry {
    /// Its name, e.g. "东湖街道".
    pub name: String,
    /// The street's directory document, once known.
    pub directory: Option<DocUrl>,
}

/// A district task board shared down to streets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDown {
    /// The board document.
    pub doc: DocUrl,
    /// What it is about (no personal data), e.g. "全区独居老人走访".
    pub title: String,
    /// Its period label, e.g. "2025-06".
    pub period: String,
    /// Street id → the community of that street the board is for.
    pub streets: BTreeMap<String, CommunityId>,
}

impl District {
    /// Reads a district directory.
    pub fn load<D: ReadDoc + ?Sized>(doc: &D) -> Result<Self, ShapeError> {
        let schema = root::check(doc, DocKind::District)?;
        let root = At::ROOT;
        let mut streets = BTreeMap::new();
        let at = root.child("streets");
        if let Some(obj) = fields::opt_map(doc, &ROOT, "streets", &at)? {
            for (id, o, text) in fields::entries(doc, &obj, &at, Ok::<_, String>)? {
                let at = at.child(&text);
                let directory = fields::opt_str(doc, &o, "directory", &at.child("directory"))?
                    .map(|u| DocUrl::new(u).map_err(|e| at.child("directory").bad(e.to_string())))
                    .transpose()?;
                streets.insert(
                    id,
                    StreetEntry {
                        name: fields::str_or_empty(doc, &o, "name", &at.child("name"))?,
                        directory,
                    },
                );
            }
        }
        let mut shared = BTreeMap::new();
        let at = root.child("shared");
        if let Some(obj) = fields::opt_map(doc, &ROOT, "shared", &at)? {
            for (id, o, text) in fields::entries(doc, &obj, &at, Ok::<_, String>)? {
                let at = at.child(&text);
                let url = fields::req_str(doc, &o, "doc", &at.child("doc"))?;
                let url = DocUrl::new(url).map_err(|e| at.child("doc").bad(e.to_string()))?;
                let mut to = BTreeMap::new();
                let s_at = at.child("streets");
                if let Some(s) = fields::opt_map(doc, &o, "streets", &s_at)? {
                    for street in fields::keys(doc, &s) {
                        let c_at = s_at.child(&street);
                        if let Some(c) = fields::opt_str(doc, &s, &street, &c_at)? {
                            let c = CommunityId::new(c).map_err(|e| c_at.bad(e.to_string()))?;
                            to.insert(street, c);
                        }
                    }
                }
                shared.insert(
                    id,
                    SharedDown {
                        doc: url,
                        title: fields::str_or_empty(doc, &o, "title", &at.child("title"))?,
                        period: fields::str_or_empty(doc, &o, "period", &at.child("period"))?,
                        streets: to,
                    },
                );
            }
        }
        Ok(District {
            schema,
            district: fields::str_or_empty(doc, &ROOT, "district", &root.child("district"))?,
            streets,
            shared,
        })
    }

    /// The street whose directory is `directory`, if listed.
    pub fn street_with_directory(&self, directory: &DocUrl) -> Option<&str> {
        self.streets
            .iter()
            .find(|(_, s)| s.directory.as_ref() == Some(directory))
            .map(|(id, _)| id.as_str())
    }

    /// The boards shared down to `street`: share id, entry, community.
    pub fn shared_with<'a>(
        &'a self,
        street: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a SharedDown, &'a CommunityId)> + 'a {
        self.shared
            .iter()
            .filter_map(move |(id, s)| Some((id.as_str(), s, s.streets.get(street)?)))
    }
}

/// Makes `tx`'s document a district directory, or renames the district.
pub fn init<T: Transactable + ?Sized>(tx: &mut T, district: &str) -> Result<(), WriteError> {
    root::init(tx, DocKind::District)?;
    fields::put_str(tx, &ROOT, "district", district)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, "streets", &root.child("streets"))?;
    fields::ensure_map(tx, &ROOT, "shared", &root.child("shared"))?;
    Ok(())
}

/// Creates or updates street `id`.
pub fn put_street<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &str,
    street: &StreetEntry,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::District)?;
    let root = At::ROOT;
    let at = root.child("streets");
    let all = fields::ensure_map(tx, &ROOT, "streets", &at)?;
    let e = fields::ensure_map(tx, &all, id, &at.child(id))?;
    fields::put_str(tx, &e, "name", &street.name)?;
    fields::put_opt_str(
        tx,
        &e,
        "directory",
        street.directory.as_ref().map(|d| d.as_str()),
    )
}

/// Creates or updates shared entry `id`.
pub fn put_shared<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &str,
    shared: &SharedDown,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::District)?;
    let root = At::ROOT;
    let at = root.child("shared");
    let all = fields::ensure_map(tx, &ROOT, "shared", &at)?;
    let e_at = at.child(id);
    let e = fields::ensure_map(tx, &all, id, &e_at)?;
    fields::put_str(tx, &e, "doc", shared.doc.as_str())?;
    fields::put_str(tx, &e, "title", &shared.title)?;
    fields::put_str(tx, &e, "period", &shared.period)?;
    let s = fields::ensure_map(tx, &e, "streets", &e_at.child("streets"))?;
    for old in fields::keys(tx, &s) {
        if !shared.streets.contains_key(&old) {
            fields::delete(tx, &s, &old)?;
        }
    }
    for (street, community) in &shared.streets {
        fields::put_str(tx, &s, street, community.as_str())?;
    }
    Ok(())
}

// ---- what a street's directory says about going up and coming down -------

/// The key, in a street directory's `boards`, of the district board shared
/// down as `share`: its own namespace, so it never replaces the street's
/// own board of the same community and period.
pub fn down_board_id(share: &str) -> Result<BoardId, crate::IdError> {
    BoardId::new(format!("district-{share}"))
}

/// Registers the district board `share` in a street's directory as a board
/// of `community`, marked `district: true`. Writes only what differs.
pub fn register_down_board<T: Transactable + ?Sized>(
    tx: &mut T,
    share: &str,
    board: &SharedDown,
    community: &CommunityId,
) -> Result<(), WriteError> {
    let id = down_board_id(share).map_err(|e| At::ROOT.child("shared").bad(e.to_string()))?;
    crate::directory::put_board(
        tx,
        &id,
        &crate::directory::BoardEntry {
            community: community.clone(),
            period: board.period.clone(),
            doc: Some(board.doc.clone()),
        },
    )?;
    let root = At::ROOT;
    let boards = fields::ensure_map(tx, &ROOT, "boards", &root.child("boards"))?;
    let at = root.child("boards");
    let e = fields::ensure_map(tx, &boards, id.as_str(), &at.child(id.as_str()))?;
    fields::put_scalar(tx, &e, "district", ScalarValue::Boolean(true))
}

/// Removes from a street's directory every district board (registered by
/// [`register_down_board`]) whose share is not in `keep`: the district
/// stopped sharing it with this street, so its devices stop being offered
/// it. The street's own boards are never touched. Returns how many went.
pub fn unregister_down_boards_except<T: Transactable + ?Sized>(
    tx: &mut T,
    keep: &BTreeSet<String>,
) -> Result<usize, WriteError> {
    let at = At::ROOT.child("boards");
    let Some(boards) = fields::opt_map(tx, &ROOT, "boards", &at)? else {
        return Ok(0);
    };
    let kept: BTreeSet<String> = keep
        .iter()
        .filter_map(|share| down_board_id(share).ok())
        .map(|id| id.as_str().to_owned())
        .collect();
    let mut gone = 0;
    for key in fields::keys(tx, &boards) {
        if kept.contains(&key) {
            continue;
        }
        let Some(entry) = fields::opt_map(tx, &boards, &key, &at.child(&key))? else {
            continue;
        };
        let from_district = matches!(
            tx.get(&entry, "district")?,
            Some((Value::Scalar(v), _)) if matches!(v.as_ref(), ScalarValue::Boolean(true))
        );
        if from_district {
            fields::delete(tx, &boards, &key)?;
            gone += 1;
        }
    }
    Ok(gone)
}

/// The street summary document named in a street directory's root
/// `summary` field, if any.
pub fn summary_url<D: ReadDoc + ?Sized>(doc: &D) -> Result<Option<DocUrl>, ShapeError> {
    let at = At::ROOT.child("summary");
    fields::opt_str(doc, &ROOT, "summary", &at)?
        .map(|u| DocUrl::new(u).map_err(|e| at.bad(e.to_string())))
        .transpose()
}

/// Names the street's summary document in its directory.
pub fn set_summary_url<T: Transactable + ?Sized>(
    tx: &mut T,
    url: &DocUrl,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::Directory)?;
    fields::put_str(tx, &ROOT, "summary", url.as_str())
}

/// The buildings whose directory entry has `shareUp: true`: the street
/// admin opted them in to go up to the hub. Any other value, or none,
/// keeps a building on the street.
pub fn shared_up_buildings<D: ReadDoc + ?Sized>(
    doc: &D,
) -> Result<BTreeSet<BuildingId>, ShapeError> {
    let root = At::ROOT;
    let at = root.child("buildings");
    let mut out = BTreeSet::new();
    if let Some(obj) = fields::opt_map(doc, &ROOT, "buildings", &at)? {
        for (id, o, _) in fields::entries(doc, &obj, &at, BuildingId::new)? {
            if let Some((Value::Scalar(v), _)) = doc.get(&o, "shareUp")?
                && matches!(v.as_ref(), ScalarValue::Boolean(true))
            {
                out.insert(id);
            }
        }
    }
    Ok(out)
}

/// Opts building `id` in to (or out of) going up to the hub.
pub fn set_share_up<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &BuildingId,
    share: bool,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::Directory)?;
    let root = At::ROOT;
    let at = root.child("buildings");
    let all = fields::ensure_map(tx, &ROOT, "buildings", &at)?;
    let e = fields::opt_map(tx, &all, id.as_str(), &at.child(id.as_str()))?.ok_or_else(|| {
        WriteError::NotFound {
            what: "building",
            id: id.to_string(),
        }
    })?;
    if share {
        fields::put_scalar(tx, &e, "shareUp", ScalarValue::Boolean(true))
    } else {
        fields::delete(tx, &e, "shareUp")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::tests::building_ref;
    use automerge::AutoCommit;

    fn url(s: &str) -> DocUrl {
        DocUrl::new(format!("automerge:{s}")).unwrap()
    }

    #[test]
    fn streets_and_shared_boards_read_back() {
        let mut doc = AutoCommit::new();
        init(&mut doc, "东湖区").unwrap();
        put_street(
            &mut doc,
            "s-a",
            &StreetEntry {
                name: "东湖街道".into(),
                directory: Some(url("dirA")),
            },
        )
        .unwrap();
        let c = CommunityId::derive("东湖社区");
        let board = SharedDown {
            doc: url("board"),
            title: "走访".into(),
            period: "2025-06".into(),
            streets: BTreeMap::from([("s-a".to_owned(), c.clone())]),
        };
        put_shared(&mut doc, "d1", &board).unwrap();
        let d = District::load(&doc).unwrap();
        assert_eq!(d.street_with_directory(&url("dirA")), Some("s-a"));
        let mine: Vec<_> = d.shared_with("s-a").collect();
        assert_eq!(mine, vec![("d1", &board, &c)]);
        assert_eq!(d.shared_with("s-b").count(), 0);
    }

    #[test]
    fn buildings_stay_on_the_street_unless_opted_in() {
        let mut doc = AutoCommit::new();
        crate::directory::init(&mut doc, "s").unwrap();
        crate::directory::register_building(&mut doc, &building_ref(), None).unwrap();
        assert!(shared_up_buildings(&doc).unwrap().is_empty());
        set_share_up(&mut doc, &building_ref().id, true).unwrap();
        assert_eq!(
            shared_up_buildings(&doc).unwrap(),
            BTreeSet::from([building_ref().id])
        );
        set_share_up(&mut doc, &building_ref().id, false).unwrap();
        assert!(shared_up_buildings(&doc).unwrap().is_empty());
    }

    #[test]
    fn a_down_board_joins_the_street_directory_without_replacing_its_own() {
        let mut doc = AutoCommit::new();
        crate::directory::init(&mut doc, "s").unwrap();
        let c = CommunityId::derive("东湖社区");
        let board = SharedDown {
            doc: url("board"),
            title: "t".into(),
            period: "2025-06".into(),
            streets: BTreeMap::new(),
        };
        register_down_board(&mut doc, "d1", &board, &c).unwrap();
        doc.commit();
        let dir = crate::directory::Directory::load(&doc).unwrap();
        let e = &dir.boards[&down_board_id("d1").unwrap()];
        assert_eq!(e.doc, Some(url("board")));
        assert_eq!(e.community, c);
        register_down_board(&mut doc, "d1", &board, &c).unwrap();
        assert!(doc.commit().is_none(), "registering again changes nothing");
    }

    #[test]
    fn a_board_the_district_stops_sharing_leaves_the_street_directory_and_the_streets_own_stay() {
        let mut doc = AutoCommit::new();
        crate::directory::init(&mut doc, "s").unwrap();
        let c = CommunityId::derive("东湖社区");
        let own = crate::task_board::TaskBoardRef {
            community: c.clone(),
            period: "2025-06".into(),
        };
        crate::directory::register_board(&mut doc, &own, Some(&url("own"))).unwrap();
        let board = |d: &str| SharedDown {
            doc: url(d),
            title: "t".into(),
            period: "2025-06".into(),
            streets: BTreeMap::new(),
        };
        register_down_board(&mut doc, "d1", &board("b1"), &c).unwrap();
        register_down_board(&mut doc, "d2", &board("b2"), &c).unwrap();
        doc.commit();
        let keep = BTreeSet::from(["d2".to_owned()]);
        assert_eq!(unregister_down_boards_except(&mut doc, &keep).unwrap(), 1);
        doc.commit();
        let dir = crate::directory::Directory::load(&doc).unwrap();
        assert!(!dir.boards.contains_key(&down_board_id("d1").unwrap()));
        assert!(dir.boards.contains_key(&down_board_id("d2").unwrap()));
        assert_eq!(dir.boards.len(), 2, "the street's own board stays");
        assert_eq!(unregister_down_boards_except(&mut doc, &keep).unwrap(), 0);
        assert!(doc.commit().is_none(), "nothing left to remove");
    }
}
