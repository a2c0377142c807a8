//! The task board document: one per community and period (e.g. a month),
//! so no board grows without bound. It holds no personal data: a task names
//! its building and household by id only.
//!
//! ```text
//! { kind: "linli/task-board", schema: 1,
//!   id: BoardId, community: CommunityId, period: "2025-06",
//!   tasks: { <TaskId>: {
//!       kind: "repair", title, detail, building: BuildingId, household?: HouseholdId,
//!       created_by: PersonId, created_at: ms, deadline?: ms,
//!       events: [ { id, kind: "created"|"claimed"|"started"|"done"|"rated"|"cancelled",
//!                   at: ms, by: PersonId, note?, stars?: 1-5, feedback? } ] } },
//!   hours: { <HoursEntryId>: { volunteer, team?, start, minutes, task?, note, by } },
//!   services: { … }, requests: { … },   // the services list: crate::services
//!   notices: { … } }                     // notices: crate::notices
//! ```
//!
//! `hours` is the community's service-hours log, written by volunteers
//! (see [`crate::hours`] for why it lives here).
//!
//! `events` is the only list several people append to. Its order after a
//! merge is automerge's business; [`crate::task_fold`] sorts it before
//! folding. The other task fields are ordinary last-writer-wins fields whose
//! concurrent edits show up as conflicts.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::hours::{HoursEntry, load_board_hours};
use crate::ids::{
    BoardId, BuildingId, CommunityId, EventId, HoursEntryId, HouseholdId, NoticeId, PersonId,
    RequestId, ServiceId, TaskId,
};
use crate::notices::{Notice, load_notices};
use crate::root::{self, DocKind};
use crate::services::{Service, ServiceRequest, load_requests, load_services};
use crate::task_event::{EventKind, TaskEvent};
use crate::task_fold::{TaskState, fold};

/// Which board a task board document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBoardRef {
    /// The community whose needs the board lists.
    pub community: CommunityId,
    /// The period label, e.g. "2025-06"; boards of one community differ by it.
    pub period: String,
}

impl TaskBoardRef {
    /// The board's id in the directory.
    pub fn id(&self) -> BoardId {
        BoardId::derive(&self.community, &self.period)
    }
}

/// A whole task board, read with [`TaskBoard::load`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBoard {
    /// The document's schema version.
    pub schema: u64,
    /// Which board this is.
    pub board: TaskBoardRef,
    /// Tasks by id.
    pub tasks: BTreeMap<TaskId, Task>,
    /// Service hours logged for this community, by id ([`crate::hours`]).
    pub hours: BTreeMap<HoursEntryId, HoursEntry>,
    /// Services on offer ([`crate::services`]).
    #[serde(default)]
    pub services: BTreeMap<ServiceId, Service>,
    /// Requests for them.
    #[serde(default)]
    pub requests: BTreeMap<RequestId, ServiceRequest>,
    /// Notices for the community ([`crate::notices`]).
    #[serde(default)]
    pub notices: BTreeMap<NoticeId, Notice>,
}

/// One task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// What sort of need, e.g. "repair", "errand", "visit".
    pub kind: String,
    /// Short title.
    pub title: String,
    /// Details (no names or phone numbers: those stay in the building document).
    pub detail: String,
    /// The building the task serves.
    pub building: BuildingId,
    /// The household served, if one.
    pub household: Option<HouseholdId>,
    /// Who raised it.
    pub created_by: PersonId,
    /// When it was raised, ms since the epoch.
    pub created_at: i64,
    /// When it should be done by, ms since the epoch.
    pub deadline: Option<i64>,
    /// The events as stored (list order is meaningless).
    pub events: Vec<TaskEvent>,
}

impl Task {
    /// The task's current state: [`fold`] of its events.
    pub fn state(&self) -> TaskState {
        fold(&self.events)
    }
}

/// What [`create_task`] writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    /// A new id, chosen by the caller (random, or derived from something unique).
    pub id: TaskId,
    /// What sort of need.
    pub kind: String,
    /// Short title.
    pub title: String,
    /// Details, without personal data.
    pub detail: String,
    /// The building served.
    pub building: BuildingId,
    /// The household served, if one.
    pub household: Option<HouseholdId>,
    /// Deadline, ms since the epoch.
    pub deadline: Option<i64>,
}

/// Changes to a task's editable fields; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEdit {
    /// New kind.
    pub kind: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New detail.
    pub detail: Option<String>,
    /// New deadline; `Some(None)` removes it.
    pub deadline: Option<Option<i64>>,
}

impl TaskBoard {
    /// Reads a task board document.
    pub fn load<D: ReadDoc + ?Sized>(doc: &D) -> Result<Self, ShapeError> {
        let schema = root::check(doc, DocKind::TaskBoard)?;
        let root = At::ROOT;
        let c_at = root.child("community");
        let board = TaskBoardRef {
            community: CommunityId::new(fields::req_str(doc, &ROOT, "community", &c_at)?)
                .map_err(|e| c_at.bad(e.to_string()))?,
            period: fields::req_str(doc, &ROOT, "period", &root.child("period"))?,
        };
        let mut tasks = BTreeMap::new();
        let at = root.child("tasks");
        if let Some(obj) = fields::opt_map(doc, &ROOT, "tasks", &at)? {
            for (id, t, key) in fields::entries(doc, &obj, &at, TaskId::new)? {
                tasks.insert(id, load_task(doc, &t, &at.child(&key))?);
            }
        }
        Ok(TaskBoard {
            schema,
            board,
            tasks,
            hours: load_board_hours(doc)?,
            services: load_services(doc)?,
            requests: load_requests(doc)?,
            notices: load_notices(doc)?,
        })
    }
}

fn id_at<I, E: std::fmt::Display>(
    text: String,
    at: &At<'_>,
    make: impl Fn(String) -> Result<I, E>,
) -> Result<I, ShapeError> {
    make(text).map_err(|e| at.bad(e.to_string()))
}

fn load_task<D: ReadDoc + ?Sized>(doc: &D, obj: &ObjId, at: &At<'_>) -> Result<Task, ShapeError> {
    let b_at = at.child("building");
    let h_at = at.child("household");
    let c_at = at.child("created_by");
    let e_at = at.child("events");
    let mut events = Vec::new();
    if let Some(list) = fields::opt_list(doc, obj, "events", &e_at)? {
        for i in 0..doc.length(&list) {
            let index = i.to_string();
            let ev_at = e_at.child(&index);
            match doc.get(&list, i)? {
                Some((Value::Object(ObjType::Map), ev)) => {
                    events.push(load_event(doc, &ev, &ev_at)?)
                }
                Some((other, _)) => {
                    return Err(ShapeError::WrongType {
                        path: ev_at.render(),
                        expected: "a map",
                        found: fields::describe(&other),
                    });
                }
                None => {}
            }
        }
    }
    Ok(Task {
        kind: fields::str_or_empty(doc, obj, "kind", &at.child("kind"))?,
        title: fields::str_or_empty(doc, obj, "title", &at.child("title"))?,
        detail: fields::str_or_empty(doc, obj, "detail", &at.child("detail"))?,
        building: id_at(
            fields::req_str(doc, obj, "building", &b_at)?,
            &b_at,
            BuildingId::new,
        )?,
        household: fields::opt_str(doc, obj, "household", &h_at)?
            .map(|h| id_at(h, &h_at, HouseholdId::new))
            .transpose()?,
        created_by: id_at(
            fields::req_str(doc, obj, "created_by", &c_at)?,
            &c_at,
            PersonId::new,
        )?,
        created_at: fields::req_i64(doc, obj, "created_at", &at.child("created_at"))?,
        deadline: fields::opt_i64(doc, obj, "deadline", &at.child("deadline"))?,
        events,
    })
}

fn load_event<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<TaskEvent, ShapeError> {
    let id_at_ = at.child("id");
    let by_at = at.child("by");
    let kind = fields::req_str(doc, obj, "kind", &at.child("kind"))?;
    let kind = match kind.as_str() {
        "created" => EventKind::Created,
        "claimed" => EventKind::Claimed,
        "started" => EventKind::Started,
        "done" => EventKind::Done,
        "cancelled" => EventKind::Cancelled,
        "rated" => {
            let s_at = at.child("stars");
            EventKind::Rated {
                stars: fields::narrow(fields::req_i64(doc, obj, "stars", &s_at)?, &s_at)?,
                feedback: fields::str_or_empty(doc, obj, "feedback", &at.child("feedback"))?,
            }
        }
        _ => EventKind::Unknown { name: kind },
    };
    Ok(TaskEvent {
        at: fields::req_i64(doc, obj, "at", &at.child("at"))?,
        by: id_at(
            fields::req_str(doc, obj, "by", &by_at)?,
            &by_at,
            PersonId::new,
        )?,
        id: id_at(
            fields::req_str(doc, obj, "id", &id_at_)?,
            &id_at_,
            EventId::new,
        )?,
        kind,
        note: fields::str_or_empty(doc, obj, "note", &at.child("note"))?,
    })
}

// ---- writes -------------------------------------------------------------

/// Makes `tx`'s document the task board `board` (see
/// [`crate::building::init`] for the rules).
pub fn init<T: Transactable + ?Sized>(tx: &mut T, board: &TaskBoardRef) -> Result<(), WriteError> {
    let fresh = root::init(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    let id = board.id();
    if !fresh {
        let found = fields::req_str(tx, &ROOT, "id", &root.child("id"))?;
        if found != id.as_str() {
            return Err(WriteError::WrongDocument {
                what: "task board",
                expected: id.to_string(),
                found,
            });
        }
    }
    fields::put_str(tx, &ROOT, "id", id.as_str())?;
    fields::put_str(tx, &ROOT, "community", board.community.as_str())?;
    fields::put_str(tx, &ROOT, "period", &board.period)?;
    fields::ensure_map(tx, &ROOT, "tasks", &root.child("tasks"))?;
    for key in ["hours", "services", "requests", "notices"] {
        fields::ensure_map(tx, &ROOT, key, &root.child(key))?;
    }
    Ok(())
}

fn tasks<T: Transactable + ?Sized>(tx: &mut T) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, "tasks", &root.child("tasks"))
}

fn task<T: Transactable + ?Sized>(tx: &mut T, id: &TaskId) -> Result<ObjId, WriteError> {
    let all = tasks(tx)?;
    let root = At::ROOT;
    let at = root.child("tasks");
    fields::opt_map(tx, &all, id.as_str(), &at.child(id.as_str()))?.ok_or_else(|| {
        WriteError::NotFound {
            what: "task",
            id: id.to_string(),
        }
    })
}

/// Raises a new task: writes its fields and its `created` event. Returns
/// the `created` event's id. Refuses an id that already exists.
pub fn create_task<T: Transactable + ?Sized>(
    tx: &mut T,
    new: &NewTask,
    by: &PersonId,
    at: i64,
) -> Result<EventId, WriteError> {
    let all = tasks(tx)?;
    if tx.get(&all, new.id.as_str())?.is_some() {
        return Err(WriteError::AlreadyExists {
            what: "task",
            id: new.id.to_string(),
        });
    }
    let t = tx.put_object(&all, new.id.as_str(), ObjType::Map)?;
    fields::put_str(tx, &t, "kind", &new.kind)?;
    fields::put_str(tx, &t, "title", &new.title)?;
    fields::put_str(tx, &t, "detail", &new.detail)?;
    fields::put_str(tx, &t, "building", new.building.as_str())?;
    fields::put_opt_str(
        tx,
        &t,
        "household",
        new.household.as_ref().map(|h| h.as_str()),
    )?;
    fields::put_str(tx, &t, "created_by", by.as_str())?;
    fields::put_i64(tx, &t, "created_at", at)?;
    fields::put_opt_i64(tx, &t, "deadline", new.deadline)?;
    tx.put_object(&t, "events", ObjType::List)?;
    let created = TaskEvent::new(&new.id, at, by.clone(), EventKind::Created, "");
    append_event(tx, &new.id, &created)?;
    Ok(created.id)
}

/// Changes a task's editable fields, writing only what differs.
pub fn edit_task<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &TaskId,
    edit: &TaskEdit,
) -> Result<(), WriteError> {
    let t = task(tx, id)?;
    if let Some(kind) = &edit.kind {
        fields::put_str(tx, &t, "kind", kind)?;
    }
    if let Some(title) = &edit.title {
        fields::put_str(tx, &t, "title", title)?;
    }
    if let Some(detail) = &edit.detail {
        fields::put_str(tx, &t, "detail", detail)?;
    }
    if let Some(deadline) = edit.deadline {
        fields::put_opt_i64(tx, &t, "deadline", deadline)?;
    }
    Ok(())
}

/// Appends `event` to task `id`'s event list. Returns `false` (and writes
/// nothing) when an event with the same id is already there. A rating
/// outside 1–5 stars is refused. Events that the fold will ignore (a claim
/// on a done task, say) are still written: whether they count is decided
/// by [`fold`] on every device alike, after merging.
pub fn append_event<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &TaskId,
    event: &TaskEvent,
) -> Result<bool, WriteError> {
    if let EventKind::Rated { stars, .. } = &event.kind
        && !(1..=5).contains(stars)
    {
        return Err(WriteError::BadRating(*stars));
    }
    let t = task(tx, id)?;
    let root = At::ROOT;
    let at = root.child("tasks");
    let at = at.child(id.as_str());
    let e_at = at.child("events");
    let list = fields::ensure_list(tx, &t, "events", &e_at)?;
    let len = tx.length(&list);
    for i in 0..len {
        if let Some((Value::Object(ObjType::Map), ev)) = tx.get(&list, i)?
            && fields::opt_str(tx, &ev, "id", &e_at)?.as_deref() == Some(event.id.as_str())
        {
            return Ok(false);
        }
    }
    let ev = tx.insert_object(&list, len, ObjType::Map)?;
    fields::put_str(tx, &ev, "id", event.id.as_str())?;
    fields::put_str(tx, &ev, "kind", event.kind.name())?;
    fields::put_i64(tx, &ev, "at", event.at)?;
    fields::put_str(tx, &ev, "by", event.by.as_str())?;
    if !event.note.is_empty() {
        fields::put_str(tx, &ev, "note", &event.note)?;
    }
    if let EventKind::Rated { stars, feedback } = &event.kind {
        fields::put_i64(tx, &ev, "stars", i64::from(*stars))?;
        fields::put_str(tx, &ev, "feedback", feedback)?;
    }
    Ok(true)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::task_fold::TaskStatus;
    use automerge::AutoCommit;

    pub(crate) fn board_ref() -> TaskBoardRef {
        TaskBoardRef {
            community: CommunityId::derive("东湖社区"),
            period: "2025-06".into(),
        }
    }

    pub(crate) fn new_task(id: &str) -> NewTask {
        NewTask {
            id: TaskId::new(id).unwrap(),
            kind: "repair".into(),
            title: "水龙头漏水".into(),
            detail: "厨房".into(),
            building: BuildingId::derive("东湖社区", "东湖1区", "1栋"),
            household: Some(HouseholdId::new("c01-b001-h0001").unwrap()),
            deadline: Some(1_000),
        }
    }

    fn p(s: &str) -> PersonId {
        PersonId::new(s).unwrap()
    }

    #[test]
    fn created_task_reads_back_open() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &board_ref()).unwrap();
        create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
        doc.commit();
        let board = TaskBoard::load(&doc).unwrap();
        assert_eq!(board.board, board_ref());
        let t = &board.tasks[&TaskId::new("t1").unwrap()];
        assert_eq!(t.title, "水龙头漏水");
        assert_eq!(t.created_at, 100);
        assert_eq!(t.deadline, Some(1_000));
        assert_eq!(t.events.len(), 1);
        assert_eq!(t.state().status, TaskStatus::Open);
    }

    #[test]
    fn creating_an_existing_task_is_refused() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &board_ref()).unwrap();
        create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
        assert!(matches!(
            create_task(&mut doc, &new_task("t1"), &p("head"), 200),
            Err(WriteError::AlreadyExists { what: "task", .. })
        ));
    }

    #[test]
    fn appending_the_same_event_twice_writes_once() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &board_ref()).unwrap();
        let t = TaskId::new("t1").unwrap();
        create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
        doc.commit();
        let claim = TaskEvent::new(&t, 200, p("v1"), EventKind::Claimed, "我来");
        assert!(append_event(&mut doc, &t, &claim).unwrap());
        doc.commit();
        assert!(!append_event(&mut doc, &t, &claim).unwrap());
        assert!(doc.commit().is_none());
        let board = TaskBoard::load(&doc).unwrap();
        assert_eq!(board.tasks[&t].events[1], claim);
    }

    #[test]
    fn a_bad_rating_is_refused_at_write() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &board_ref()).unwrap();
        let t = TaskId::new("t1").unwrap();
        create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
        let rated = TaskEvent::new(
            &t,
            300,
            p("head"),
            EventKind::Rated {
                stars: 6,
                feedback: String::new(),
            },
            "",
        );
        assert!(matches!(
            append_event(&mut doc, &t, &rated),
            Err(WriteError::BadRating(6))
        ));
    }

    #[test]
    fn offline_claim_race_gives_one_assignee_everywhere() {
        let mut a = AutoCommit::new();
        init(&mut a, &board_ref()).unwrap();
        let t = TaskId::new("t1").unwrap();
        create_task(&mut a, &new_task("t1"), &p("head"), 100).unwrap();
        a.commit();
        let mut b = a.fork();
        append_event(
            &mut a,
            &t,
            &TaskEvent::new(&t, 205, p("v1"), EventKind::Claimed, ""),
        )
        .unwrap();
        append_event(
            &mut b,
            &t,
            &TaskEvent::new(&t, 201, p("v2"), EventKind::Claimed, ""),
        )
        .unwrap();
        a.commit();
        b.commit();
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let sa = TaskBoard::load(&a).unwrap().tasks[&t].state();
        let sb = TaskBoard::load(&b).unwrap().tasks[&t].state();
        assert_eq!(sa, sb);
        assert_eq!(sa.assignee.as_ref().map(|v| v.as_str()), Some("v2"));
        assert_eq!(sa.lost_claims.len(), 1);
        assert_eq!(sa.lost_claims[0].as_str(), "v1");
    }

    #[test]
    fn edit_writes_only_changes() {
        let mut doc = AutoCommit::new();
        init(&mut doc, &board_ref()).unwrap();
        let t = TaskId::new("t1").unwrap();
        create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
        doc.commit();
        let edit = TaskEdit {
            title: Some("水龙头漏水".into()),
            deadline: Some(None),
            ..TaskEdit::default()
        };
        edit_task(&mut doc, &t, &edit).unwrap();
        assert_eq!(doc.pending_ops(), 1);
        doc.commit();
        assert_eq!(TaskBoard::load(&doc).unwrap().tasks[&t].deadline, None);
    }
}
