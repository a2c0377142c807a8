//! One entry of a task's append-only event list.

use serde::{Deserialize, Serialize};

use crate::ids::{EventId, PersonId, TaskId};

/// What happened to a task.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventKind {
    /// The task was raised (written by [`crate::task_board::create_task`]).
    Created,
    /// A volunteer (`by`) claimed the task.
    Claimed,
    /// The assignee started work.
    Started,
    /// The assignee finished.
    Done,
    /// Someone (usually the building head for the resident) rated the service.
    Rated {
        /// 1 to 5.
        stars: u8,
        /// The resident's words.
        feedback: String,
    },
    /// The task was withdrawn.
    Cancelled,
    /// A kind this linli does not know (written by a newer version). Kept so
    /// it survives a round trip; the fold ignores and reports it.
    Unknown {
        /// The stored kind word.
        name: String,
    },
}

impl EventKind {
    /// The word stored in the document's `kind` field.
    pub fn name(&self) -> &str {
        match self {
            EventKind::Created => "created",
            EventKind::Claimed => "claimed",
            EventKind::Started => "started",
            EventKind::Done => "done",
            EventKind::Rated { .. } => "rated",
            EventKind::Cancelled => "cancelled",
            EventKind::Unknown { name } => name,
        }
    }
}

/// One event. The derived order — `(at, by, id, kind, note)` — is the order
/// the fold applies events in; list position never matters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskEvent {
    /// When, in ms since the epoch, by the writer's clock.
    pub at: i64,
    /// Who: the volunteer for claimed/started/done, anyone for the rest.
    pub by: PersonId,
    /// The event's id; the fold applies each id once.
    pub id: EventId,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// Free progress note (may be empty).
    pub note: String,
}

impl TaskEvent {
    /// An event on `task` with an id derived from all of its content, so
    /// writing the very same event twice (a retried command) appends once.
    pub fn new(
        task: &TaskId,
        at: i64,
        by: PersonId,
        kind: EventKind,
        note: impl Into<String>,
    ) -> Self {
        let note = note.into();
        let at_text = at.to_string();
        let (stars, feedback) = match &kind {
            EventKind::Rated { stars, feedback } => (stars.to_string(), feedback.as_str()),
            _ => (String::new(), ""),
        };
        let id = EventId::from_digest(&[
            task.as_str(),
            &at_text,
            by.as_str(),
            kind.name(),
            &stars,
            feedback,
            &note,
        ]);
        TaskEvent {
            at,
            by,
            id,
            kind,
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PersonId {
        PersonId::new(s).unwrap()
    }

    #[test]
    fn same_content_gives_same_id() {
        let t = TaskId::new("t1").unwrap();
        let a = TaskEvent::new(&t, 10, p("v1"), EventKind::Claimed, "");
        let b = TaskEvent::new(&t, 10, p("v1"), EventKind::Claimed, "");
        let c = TaskEvent::new(&t, 10, p("v2"), EventKind::Claimed, "");
        let d = TaskEvent::new(&t, 10, p("v1"), EventKind::Started, "");
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_ne!(a.id, d.id);
    }

    #[test]
    fn events_order_by_time_then_person_then_id() {
        let t = TaskId::new("t1").unwrap();
        let mut events = [
            TaskEvent::new(&t, 20, p("a"), EventKind::Done, ""),
            TaskEvent::new(&t, 10, p("b"), EventKind::Claimed, ""),
            TaskEvent::new(&t, 10, p("a"), EventKind::Claimed, ""),
        ];
        events.sort();
        let order: Vec<_> = events.iter().map(|e| (e.at, e.by.as_str())).collect();
        assert_eq!(order, [(10, "a"), (10, "b"), (20, "a")]);
    }
}
