//! The community task boards on this phone as a volunteer sees them: open
//! needs, her tasks, and one task's page with the fold's verdict on claims.

use linli_records::ids::VolunteerId;
use linli_records::task_board::Task;
use linli_records::task_fold::{ClaimOutcome, TaskState, TaskStatus};
use serde::Serialize;

use crate::device::Device;

/// One line of a task list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct TaskLine {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub status: TaskStatus,
    pub assignee: Option<String>,
    /// The holder's name, when a team document on this phone has it.
    pub assignee_name: Option<String>,
    pub deadline: Option<i64>,
    pub created_at: i64,
    /// The building's name, when the directory knows it.
    pub building: String,
    pub community: String,
    /// Whether this phone's person holds the task.
    pub mine: bool,
    /// This person claimed it, but an earlier claim won: who holds it
    /// (by name when known, else by id).
    pub lost_to: Option<String>,
    /// Past its deadline and not closed.
    pub overdue: bool,
}

/// A task's page.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct TaskPage {
    #[serde(flatten)]
    pub line: TaskLine,
    pub detail: String,
    pub household: Option<String>,
    pub created_by: String,
    /// Events as the fold applied them, oldest first.
    pub events: Vec<EventLine>,
    /// What this person may do next: `claim`, `start`, `done`, `hours`,
    /// `rate`.
    pub can: Vec<&'static str>,
    /// Service hours logged for this task, newest first.
    pub hours: Vec<HoursLine>,
    /// The stars of the rating that counts, if rated.
    pub rating: Option<u8>,
}

/// One logged service.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HoursLine {
    pub id: String,
    pub volunteer: String,
    pub minutes: u32,
    pub start: i64,
    pub note: String,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct EventLine {
    pub kind: String,
    pub by: String,
    pub at: i64,
    pub note: String,
    /// Set when the fold ignored the event (e.g. a claim that lost).
    pub ignored: Option<String>,
}

/// Every task on the boards this phone holds: not-closed ones first, each
/// group oldest first (the longest waiting need is on top).
pub fn tasks(device: &Device, now_ms: i64) -> Vec<TaskLine> {
    let mut out: Vec<TaskLine> = device
        .boards()
        .flat_map(|(_, board)| board.tasks.into_iter())
        .map(|(id, t)| line(device, id.as_str(), &t, &t.state(), now_ms))
        .collect();
    out.sort_by(|a, b| {
        (a.status.is_closed(), a.created_at, &a.id).cmp(&(
            b.status.is_closed(),
            b.created_at,
            &b.id,
        ))
    });
    out
}

/// The page of task `id`, if a board on this phone holds it.
pub fn task(device: &Device, id: &str, now_ms: i64) -> Option<TaskPage> {
    let (board, (tid, t)) = device.boards().find_map(|(_, board)| {
        let found = board.tasks.iter().find(|(tid, _)| tid.as_str() == id)?;
        let found = (found.0.clone(), found.1.clone());
        Some((board, found))
    })?;
    let state = t.state();
    let line = line(device, tid.as_str(), &t, &state, now_ms);
    let mut events: Vec<EventLine> = t
        .events
        .iter()
        .map(|e| EventLine {
            kind: e.kind.name().to_owned(),
            by: e.by.as_str().to_owned(),
            at: e.at,
            note: e.note.clone(),
            ignored: state
                .ignored
                .iter()
                .find(|i| i.event == e.id)
                .map(|i| reason(&i.reason)),
        })
        .collect();
    events.sort_by(|a, b| (a.at, &a.kind, &a.by).cmp(&(b.at, &b.kind, &b.by)));
    let raised_it = t.created_by == device.identity().person;
    let mut can = match (state.status, line.mine) {
        (TaskStatus::Open, _) => vec!["claim"],
        (TaskStatus::Claimed, true) => vec!["start", "done", "hours"],
        (TaskStatus::InProgress, true) => vec!["done", "hours"],
        (TaskStatus::Done, true) => vec!["hours"],
        _ => Vec::new(),
    };
    // Whoever raised the need rates it for the resident, once it is done.
    if state.status == TaskStatus::Done && raised_it {
        can.push("rate");
    }
    let mut hours: Vec<HoursLine> = board
        .hours
        .iter()
        .filter(|(_, h)| h.task.as_ref() == Some(&tid))
        .map(|(hid, h)| HoursLine {
            id: hid.as_str().to_owned(),
            volunteer: device
                .volunteer_name(h.volunteer.as_str())
                .unwrap_or_else(|| h.volunteer.as_str().to_owned()),
            minutes: h.minutes,
            start: h.start,
            note: h.note.clone(),
        })
        .collect();
    hours.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    Some(TaskPage {
        line,
        detail: t.detail,
        household: t.household.map(|h| h.as_str().to_owned()),
        created_by: t.created_by.as_str().to_owned(),
        events,
        can,
        hours,
        rating: state.rating.as_ref().map(|r| r.stars),
    })
}

fn line(device: &Device, id: &str, t: &Task, state: &TaskState, now_ms: i64) -> TaskLine {
    let me = VolunteerId::new(device.identity().person.as_str()).ok();
    let (building, community) = device
        .directory()
        .and_then(|d| {
            let entry = d.buildings.get(&t.building)?;
            let community = d
                .communities
                .get(&entry.community)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            Some((entry.name.clone(), community))
        })
        .unwrap_or_default();
    let assignee = state.assignee.as_ref().map(|a| a.as_str().to_owned());
    let assignee_name = assignee.as_deref().and_then(|a| device.volunteer_name(a));
    let lost_to = me.as_ref().and_then(|me| match state.claim_outcome(me) {
        ClaimOutcome::Lost { assignee } => Some(
            device
                .volunteer_name(assignee.as_str())
                .unwrap_or_else(|| assignee.as_str().to_owned()),
        ),
        _ => None,
    });
    TaskLine {
        id: id.to_owned(),
        kind: t.kind.clone(),
        title: t.title.clone(),
        status: state.status,
        assignee,
        assignee_name,
        deadline: t.deadline,
        created_at: t.created_at,
        building,
        community,
        mine: me.is_some() && state.assignee == me,
        lost_to,
        overdue: !state.status.is_closed() && t.deadline.is_some_and(|d| d < now_ms),
    }
}

/// The ignore reason's kebab-case name, for the page's strings.
fn reason(r: &linli_records::task_fold::IgnoreReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("reason").and_then(|r| r.as_str().map(str::to_owned)))
        .unwrap_or_default()
}
