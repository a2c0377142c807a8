//! The services list (服务清单) on this phone: what teams offer on the
//! community boards it holds, how many places are left, and the requests,
//! each with the status every device agrees on after syncing (see
//! `linli_records::services`). A building head sees whether her request
//! holds a place or found it full; a team leader sees what to accept.

use linli_records::services::{self, RequestStatus};
use serde::Serialize;

use crate::device::Device;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ServiceLine {
    pub id: String,
    pub provider: String,
    pub provider_name: String,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub when: String,
    /// `free` or `low-cost`.
    pub cost: String,
    pub capacity: u32,
    pub places_left: u32,
    pub community: String,
    /// This phone's person is on the providing team's roster: theirs to
    /// accept or decline (the app shows the buttons to team leaders).
    pub ours: bool,
    /// In place order.
    pub requests: Vec<RequestLine>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RequestLine {
    pub id: String,
    pub household: Option<String>,
    /// The building's name.
    pub building: String,
    pub by: String,
    pub at: i64,
    /// `waiting`, `accepted`, `declined` or `full`.
    pub status: &'static str,
    /// The task an acceptance made.
    pub task: Option<String>,
    /// This phone's person made it.
    pub mine: bool,
}

/// Every service on the boards this phone holds, by community then title.
pub fn services(device: &Device) -> Vec<ServiceLine> {
    let dir = device.directory();
    let me = device.identity().person.as_str().to_owned();
    let my_team = linli_records::ids::VolunteerId::new(me.clone())
        .ok()
        .and_then(|v| device.team_of(&v));
    let mut out = Vec::new();
    for (_, board) in device.boards() {
        let community = super::community_name(device, &board.board.community);
        for (sid, s) in &board.services {
            let requests = services::places(&board, sid)
                .into_iter()
                .filter_map(|(rid, status)| {
                    let r = board.requests.get(&rid)?;
                    let (word, task) = match status {
                        RequestStatus::Waiting => ("waiting", None),
                        RequestStatus::Accepted { task, .. } => {
                            ("accepted", task.map(|t| t.to_string()))
                        }
                        RequestStatus::Declined => ("declined", None),
                        RequestStatus::Full => ("full", None),
                    };
                    Some(RequestLine {
                        id: rid.to_string(),
                        household: r.household.as_ref().map(|h| h.to_string()),
                        building: dir
                            .as_ref()
                            .and_then(|d| d.buildings.get(&r.building))
                            .map_or_else(|| r.building.to_string(), |b| b.name.clone()),
                        by: r.by.to_string(),
                        at: r.at,
                        status: word,
                        task,
                        mine: r.by.as_str() == me,
                    })
                })
                .collect();
            out.push(ServiceLine {
                id: sid.to_string(),
                provider: s.provider.to_string(),
                provider_name: dir
                    .as_ref()
                    .and_then(|d| d.teams.get(&s.provider))
                    .map_or_else(|| s.provider.to_string(), |t| t.name.clone()),
                kind: s.kind.clone(),
                title: s.title.clone(),
                detail: s.detail.clone(),
                when: s.when.clone(),
                cost: s.cost.as_str().to_owned(),
                capacity: s.capacity,
                places_left: services::places_left(&board, sid),
                community: community.clone(),
                ours: my_team.as_ref() == Some(&s.provider),
                requests,
            });
        }
    }
    out.sort_by(|a, b| (&a.community, &a.title, &a.id).cmp(&(&b.community, &b.title, &b.id)));
    out
}
