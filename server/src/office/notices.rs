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
