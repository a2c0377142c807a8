//! How a task is shown: its status word, its JSON, why the fold ignored one
//! of its events, and whether it is overdue.

use linli_client::records::Loaded;
use linli_records::directory::Directory;
use linli_records::ids::{BoardId, TaskId, VolunteerId};
use linli_records::task_board::{Task, TaskBoard};
use linli_records::task_fold::{IgnoreReason, TaskState, TaskStatus};
use serde_json::{Value, json};

pub(in crate::cli) fn status_word(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Open => "open",
        TaskStatus::Claimed => "claimed",
        TaskStatus::InProgress => "in-progress",
        TaskStatus::Done => "done",
        TaskStatus::Cancelled => "cancelled",
    }
}

pub(super) fn task_json(
    dir: &Directory,
    board: &Loaded<BoardId, TaskBoard>,
    id: &TaskId,
    task: &Task,
    state: &TaskState,
    me: Option<&str>,
) -> Value {
    let community = &board.value.board.community;
    json!({
        "id": id,
        "board": board.id,
        "community": community,
        "community_name": dir.communities.get(community).map(|c| c.name.clone()),
        "period": board.value.board.period,
        "task": task,
        "status": status_word(state.status),
        "assignee": state.assignee,
        "state": state,
        "your_claim": me.and_then(|p| VolunteerId::new(p).ok()).map(|v| state.claim_outcome(&v)),
    })
}

/// Why the fold ignored an event, in words.
pub(super) fn reason_text(r: &IgnoreReason) -> String {
    match r {
        IgnoreReason::TaskClosed => "the task was already closed".into(),
        IgnoreReason::ClaimLost { assignee } => format!("claim lost to {assignee}"),
        IgnoreReason::NotAssignee => "not by the assignee".into(),
        IgnoreReason::NotDone => "the task is not done".into(),
        IgnoreReason::BadRating => "stars outside 1–5".into(),
        IgnoreReason::Duplicate => "repeats what already happened".into(),
        _ => format!("{r:?}"),
    }
}

pub(super) fn overdue(task: &Task, state: &TaskState, now: i64) -> bool {
    !state.status.is_closed() && task.deadline.is_some_and(|d| d < now)
}
