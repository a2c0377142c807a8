//! `GET /api/office/notices`: every notice on the boards the token may
//! read, who has read it, and who should have and has not: the live tokens
//! that answer for a building the notice is for (building heads and grid
//! workers by their buildings; compound and area heads by the directory),
//! named as they sign their edits (the token's name is the person id its
//! sign-in link gives the device).

use linli_records::ids::{BuildingId, PersonId};
use linli_records::notices;
use serde::Serialize;

use super::Street;
use crate::auth::{Grant, Role};

#[derive(Debug, Serialize)]
pub struct NoticeRow {
    pub id: String,
    pub community: String,
    pub community_name: String,
    pub period: String,
    pub title: String,
    pub body: String,
    pub by: String,
    pub at: i64,
    pub deadline: Option<i64>,
    /// Who read it and when, earliest first.
    pub read: Vec<(String, i64)>,
    /// Who should read it and has not, by name.
    pub unread: Vec<String>,
}

/// The buildings a live token answers for, by the street's directory.
pub fn readers(street: &Street, grants: &[Grant]) -> Vec<(PersonId, Vec<BuildingId>)> {
    let dir = &street.directory;
    let mut out: Vec<(PersonId, Vec<BuildingId>)> = grants
        .iter()
        .filter_map(|g| {
            let buildings: Vec<BuildingId> = dir
                .buildings
                .keys()
                .filter(|b| match g.role {
                    Role::BuildingHead | Role::GridWorker => g.scope.buildings.contains(b.as_str()),
                    Role::CompoundHead => dir
                        .compound_of(b)
                        .is_some_and(|k| g.scope.compounds.contains(k.as_str())),
                    Role::AreaHead => dir
                        .area_of(b)
                        .is_some_and(|a| g.scope.areas.contains(a.as_str())),
                    _ => false,
                })
                .cloned()
                .collect();
            let person = PersonId::new(g.name.clone()).ok()?;
            (!buildings.is_empty()).then_some((person, buildings))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every notice, newest first.
pub fn notices(street: &Street, grants: &[Grant]) -> Vec<NoticeRow> {
    let readers = readers(street, grants);
    let dir = &street.directory;
    let mut rows = Vec::new();
    for board in &street.boards {
        // Only the readers answering for a building of this community.
        let here: Vec<(PersonId, Vec<BuildingId>)> = readers
            .iter()
            .map(|(p, bs)| {
                let mine = bs
                    .iter()
                    .filter(|b| {
                        dir.buildings
                            .get(*b)
                            .is_some_and(|e| e.community == board.board.community)
                    })
                    .cloned()
                    .collect();
                (p.clone(), mine)
            })
            .collect();
        for (id, n) in &board.notices {
            let mut read: Vec<(String, i64)> =
                n.reads.iter().map(|(p, at)| (p.to_string(), *at)).collect();
            read.sort_by_key(|(p, at)| (*at, p.clone()));
            rows.push(NoticeRow {
                id: id.to_string(),
                community: board.board.community.to_string(),
                community_name: dir
                    .communities
                    .get(&board.board.community)
                    .map_or_else(String::new, |c| c.name.clone()),
                period: board.board.period.clone(),
                title: n.title.clone(),
                body: n.body.clone(),
                by: n.by.to_string(),
                at: n.at,
                deadline: n.deadline,
                read,
                unread: notices::unread(n, &here, dir)
                    .into_iter()
                    .map(|p| p.to_string())
                    .collect(),
            });
        }
    }
    rows.sort_by(|a, b| (b.at, &a.id).cmp(&(a.at, &b.id)));
    rows
}

/// What the office page sends to publish a notice.
#[derive(Debug, serde::Deserialize)]
pub struct NewNotice {
    /// The communities it is for (ids); each gets it on its newest board.
    pub communities: Vec<String>,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// Only these compounds / buildings (ids); empty: whole communities.
    #[serde(default)]
    pub compounds: Vec<String>,
    #[serde(default)]
    pub buildings: Vec<String>,
    /// Read by the end of this day, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    pub deadline: Option<String>,
}

/// Writes `new` onto the newest board of each of its communities, as
/// `by` (the admin token's name), through the relay's live documents.
/// Runs on a blocking thread (each write waits for its document's task).
// The edit's error type is `ImportDocs`' (records' `WriteError`), as large
// as it is for every record write.
#[allow(clippy::result_large_err)]
pub fn publish(
    docs: &mut super::import::RelayDocs,
    directory: &linli_records::directory::Directory,
    new: NewNotice,
    now: i64,
) -> Result<serde_json::Value, super::OfficeError> {
    use linli_records::ids::{CommunityId, CompoundId, NoticeId};
    use linli_records::import_csv::ImportDocs;
    use linli_records::notices::Notice;

    let bad = |m: String| super::OfficeError::BadRequest(m);
    if new.title.trim().is_empty() {
        return Err(bad("a notice needs a title".into()));
    }
    if new.communities.is_empty() {
        return Err(bad("say which communities the notice is for".into()));
    }
    let deadline = new
        .deadline
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            linli_records::dates::parse_date(d.trim())
                .map(|ms| ms + 86_400_000 - 1)
                .map_err(|e| bad(format!("deadline: {e}")))
        })
        .transpose()?;
    let compounds = new
        .compounds
        .iter()
        .map(|k| {
            CompoundId::new(k.as_str())
                .ok()
                .filter(|k| directory.compounds.contains_key(k))
                .ok_or_else(|| bad(format!("no compound {k:?} in the street directory")))
        })
        .collect::<Result<_, _>>()?;
    let buildings = new
        .buildings
        .iter()
        .map(|b| {
            BuildingId::new(b.as_str())
                .ok()
                .filter(|b| directory.buildings.contains_key(b))
                .ok_or_else(|| bad(format!("no building {b:?} in the street directory")))
        })
        .collect::<Result<_, _>>()?;
    let id = NoticeId::new(format!("n-{:08x}", rand::random::<u32>()))
        .map_err(|e| bad(e.to_string()))?;
    let notice = Notice {
        title: new.title.trim().to_owned(),
        body: new.body,
        by: PersonId::new(docs.token.clone()).map_err(|e| bad(e.to_string()))?,
        at: now,
        deadline,
        compounds,
        buildings,
        reads: Default::default(),
    };
    let mut boards = 0;
    for c in &new.communities {
        let community = CommunityId::new(c.as_str())
            .ok()
            .filter(|c| directory.communities.contains_key(c))
            .ok_or_else(|| bad(format!("no community {c:?} in the street directory")))?;
        let newest = directory
            .boards
            .values()
            .filter(|b| b.community == community && b.doc.is_some())
            .max_by(|a, b| a.period.cmp(&b.period))
            .and_then(|b| b.doc.clone())
            .ok_or_else(|| {
                bad(format!(
                    "community {c:?} has no task board yet; add one first"
                ))
            })?;
        let (id, notice) = (id.clone(), notice.clone());
        docs.edit(Some(&newest), "notice", move |tx| {
            notices::publish(tx, &id, &notice)
        })?;
        boards += 1;
    }
    Ok(serde_json::json!({ "id": id, "boards": boards }))
}
