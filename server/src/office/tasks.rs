//! `GET /api/office/tasks`: what needs chasing. Overdue tasks (past their
//! deadline and not closed), needs nobody has claimed (oldest first), and
//! who holds what.

use std::collections::BTreeMap;

use linli_records::task_fold::TaskStatus;
use serde::Serialize;

use super::Street;

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub community: String,
    pub community_name: String,
    pub building: String,
    pub building_name: String,
    pub created_at: i64,
    pub deadline: Option<i64>,
    /// `open`, `claimed`, `in-progress`.
    pub status: TaskStatus,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Holder {
    pub volunteer: String,
    pub name: String,
    pub tasks: Vec<TaskRow>,
}

#[derive(Debug, Serialize)]
pub struct Tasks {
    /// Past their deadline and neither done nor cancelled, most overdue first.
    pub overdue: Vec<TaskRow>,
    /// Nobody has claimed them, oldest first.
    pub unclaimed: Vec<TaskRow>,
    /// Claimed or started, by volunteer.
    pub held: Vec<Holder>,
}

pub fn tasks(street: &Street, now: i64) -> Tasks {
    let dir = &street.directory;
    let names: BTreeMap<String, String> = street
        .teams
        .iter()
        .flat_map(|t| t.volunteers.iter())
        .map(|(id, v)| (id.to_string(), v.name.clone()))
        .collect();
    let mut open = Vec::new();
    for board in &street.boards {
        let community = board.board.community.clone();
        let community_name = dir
            .communities
            .get(&community)
            .map_or_else(|| community.to_string(), |c| c.name.clone());
        for (id, t) in &board.tasks {
            let s = t.state();
            if s.status.is_closed() {
                continue;
            }
            let assignee = s.assignee.as_ref().map(ToString::to_string);
            open.push(TaskRow {
                id: id.to_string(),
                kind: t.kind.clone(),
                title: t.title.clone(),
                community: community.to_string(),
                community_name: community_name.clone(),
                building: t.building.to_string(),
                building_name: dir
                    .buildings
                    .get(&t.building)
                    .map_or_else(|| t.building.to_string(), |b| b.name.clone()),
                created_at: t.created_at,
                deadline: t.deadline,
                status: s.status,
                assignee_name: assignee.as_ref().and_then(|a| names.get(a).cloned()),
                assignee,
            });
        }
    }
    let mut overdue: Vec<&TaskRow> = open
        .iter()
        .filter(|t| t.deadline.is_some_and(|d| d < now))
        .collect();
    overdue.sort_by_key(|t| (t.deadline, t.created_at));
    let overdue = overdue.into_iter().cloned().collect();
    let mut unclaimed: Vec<&TaskRow> = open
        .iter()
        .filter(|t| t.status == TaskStatus::Open)
        .collect();
    unclaimed.sort_by_key(|t| t.created_at);
    let unclaimed = unclaimed.into_iter().cloned().collect();
    let mut held: BTreeMap<String, Vec<TaskRow>> = BTreeMap::new();
    for t in open {
        if let Some(a) = t.assignee.clone() {
            held.entry(a).or_default().push(t);
        }
    }
    Tasks {
        overdue,
        unclaimed,
        held: held
            .into_iter()
            .map(|(volunteer, mut tasks)| {
                tasks.sort_by_key(|t| t.created_at);
                Holder {
                    name: names
                        .get(&volunteer)
                        .cloned()
                        .unwrap_or_else(|| volunteer.clone()),
                    volunteer,
                    tasks,
                }
            })
            .collect(),
    }
}
