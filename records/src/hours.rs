//! Service hours: who served how long, logged by the volunteer on the
//! community's task board.
//!
//! ```text
//! task board: { …, hours: { <HoursEntryId>: {
//!     volunteer: VolunteerId, team?: TeamId, start: ms, minutes: 1..=1440,
//!     task?: TaskId, note: string, by: PersonId } } }
//! ```
//!
//! # Why on the board
//!
//! Hours used to live in the team document, beside the roster with every
//! volunteer's phone number. Only team leaders may write that document, so
//! a volunteer could not log their own service, and giving volunteers write
//! access to it would have let them rewrite everyone's phone numbers. The
//! community's board is the document a volunteer already writes (claiming,
//! starting and finishing tasks), it holds no personal data (an entry names
//! the volunteer by id, as a claim does), and the relay's access rules need
//! no change.
//!
//! An entry may name a task on the same board, or none: a street office
//! also counts service that was never a posted need (a patrol, a clean-up
//! day), so hours without a task are logged on the board of the community
//! served. `team` is the volunteer's team when the entry was logged, so the
//! team's figures keep the hours after the volunteer leaves the roster.
//!
//! # Merging
//!
//! Entries are a map keyed by [`HoursEntryId::for_service`], never a list:
//! two volunteers logging offline write different keys and both survive the
//! merge; the same service logged twice writes the same key.
//!
//! # Who may remove an entry
//!
//! The relay decides per document, so any token that may write a board could
//! delete any entry in it. linli's clients ([`remove`], used by the CLI and
//! the field app) remove an entry only for the person who logged it or the
//! volunteer it is for; a mistaken entry of someone else is theirs to undo.
//!
//! Hours logged before this module existed stay in team documents
//! ([`crate::team::Team::hours`]); [`all_hours`] lists both, so no figure
//! loses them.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{BoardId, CommunityId, HoursEntryId, PersonId, TaskId, TeamId, VolunteerId};
use crate::root::{self, DocKind};
use crate::task_board::{TaskBoard, TaskBoardRef};
use crate::team::Team;

/// The longest service one entry may record: a day.
pub const MAX_MINUTES: u32 = 24 * 60;

/// One logged service on a task board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntry {
    /// Who served.
    pub volunteer: VolunteerId,
    /// The volunteer's team when the entry was logged, if known.
    pub team: Option<TeamId>,
    /// When the service started, ms since the epoch. Figures count an entry
    /// in the period containing `start`.
    pub start: i64,
    /// How long, in minutes (1 to [`MAX_MINUTES`]).
    pub minutes: u32,
    /// The task served, on the same board, if any.
    pub task: Option<TaskId>,
    /// Free note (no personal data: the board is read by the whole community's workers).
    pub note: String,
    /// Who logged it (the volunteer, or a team leader for them).
    pub by: PersonId,
}

/// What [`log_hours`] writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHours {
    /// Who served.
    pub volunteer: VolunteerId,
    /// The volunteer's team, if known.
    pub team: Option<TeamId>,
    /// When the service started, ms since the epoch.
    pub start: i64,
    /// How long, in minutes (1 to [`MAX_MINUTES`]).
    pub minutes: u32,
    /// The task served; it must be on the board written to.
    pub task: Option<TaskId>,
    /// Free note.
    pub note: String,
}

impl NewHours {
    /// The id [`log_hours`] gives this service.
    pub fn id(&self) -> HoursEntryId {
        HoursEntryId::for_service(
            &self.volunteer,
            self.start,
            self.minutes,
            self.task.as_ref(),
            &self.note,
        )
    }
}

/// Why logging or removing hours was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HoursError {
    /// The board could not be written (wrong shape, no such task, …).
    #[error(transparent)]
    Write(Box<WriteError>),
    /// Minutes outside 1 to [`MAX_MINUTES`].
    #[error("minutes must be 1 to {MAX_MINUTES} (one entry per day of service), got {0}")]
    BadMinutes(u32),
    /// The community has no task board to log hours on.
    #[error(
        "community {community} has no task board on this device; the street office adds one with `linli street add-board`"
    )]
    NoBoard {
        /// The community served.
        community: CommunityId,
    },
    /// The community has several boards and none is for the service's month.
    #[error(
        "community {community} has several task boards and none for {month}: say which board (its id from `linli street show`)"
    )]
    SeveralBoards {
        /// The community served.
        community: CommunityId,
        /// The month of the service, e.g. "2025-06".
        month: String,
    },
    /// Someone other than the logger or the volunteer tried to remove it.
    #[error(
        "hours entry {id} is {volunteer}'s (logged by {logged_by}); only they can remove it, not {by}"
    )]
    NotYours {
        /// The entry.
        id: HoursEntryId,
        /// Whose service it records.
        volunteer: VolunteerId,
        /// Who logged it.
        logged_by: PersonId,
        /// Who tried to remove it.
        by: PersonId,
    },
}

impl From<WriteError> for HoursError {
    fn from(e: WriteError) -> Self {
        Self::Write(Box::new(e))
    }
}

impl From<ShapeError> for HoursError {
    fn from(e: ShapeError) -> Self {
        WriteError::from(e).into()
    }
}

impl From<automerge::AutomergeError> for HoursError {
    fn from(e: automerge::AutomergeError) -> Self {
        WriteError::from(e).into()
    }
}

/// Which of `boards` an entry without a task goes on: the board of
/// `community` whose period is the month of `start` (`"2025-06"`), or, when
/// none is, the community's only board. `board_ref` says which board each
/// element is (so callers pass their own loaded documents).
pub fn board_for_service<'a, B>(
    boards: &'a [B],
    board_ref: impl Fn(&B) -> &TaskBoardRef,
    community: &CommunityId,
    start: i64,
) -> Result<&'a B, HoursError> {
    let month: String = crate::dates::format_date(start).chars().take(7).collect();
    let of_community: Vec<&B> = boards
        .iter()
        .filter(|b| board_ref(b).community == *community)
        .collect();
    if let Some(b) = of_community.iter().find(|b| board_ref(b).period == month) {
        return Ok(b);
    }
    match of_community.as_slice() {
        [only] => Ok(only),
        [] => Err(HoursError::NoBoard {
            community: community.clone(),
        }),
        _ => Err(HoursError::SeveralBoards {
            community: community.clone(),
            month,
        }),
    }
}

/// Checks `minutes` (1 to [`MAX_MINUTES`]); callers may check before
/// opening a transaction, and [`log_hours`] checks again.
pub fn check_minutes(minutes: u32) -> Result<(), HoursError> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(())
    } else {
        Err(HoursError::BadMinutes(minutes))
    }
}

/// Logs `new` on the task board in `tx`, written by `by`, and returns its
/// id. Logging the same service again writes nothing new. A task named in
/// `new` must be on this board.
pub fn log_hours<T: Transactable + ?Sized>(
    tx: &mut T,
    new: &NewHours,
    by: &PersonId,
) -> Result<HoursEntryId, HoursError> {
    check_minutes(new.minutes)?;
    let all = hours_map(tx)?;
    if let Some(task) = &new.task {
        let root = At::ROOT;
        let at = root.child("tasks");
        let tasks = fields::opt_map(tx, &ROOT, "tasks", &at)?;
        let found = match tasks {
            Some(tasks) => fields::opt_map(tx, &tasks, task.as_str(), &at.child(task.as_str()))?,
            None => None,
        };
        if found.is_none() {
            return Err(WriteError::NotFound {
                what: "task on this board",
                id: task.to_string(),
            }
            .into());
        }
    }
    let id = new.id();
    let root = At::ROOT;
    let at = root.child("hours");
    let h = fields::ensure_map(tx, &all, id.as_str(), &at.child(id.as_str()))?;
    fields::put_str(tx, &h, "volunteer", new.volunteer.as_str())?;
    fields::put_opt_str(tx, &h, "team", new.team.as_ref().map(|t| t.as_str()))?;
    fields::put_i64(tx, &h, "start", new.start)?;
    fields::put_i64(tx, &h, "minutes", i64::from(new.minutes))?;
    fields::put_opt_str(tx, &h, "task", new.task.as_ref().map(|t| t.as_str()))?;
    fields::put_str(tx, &h, "note", &new.note)?;
    fields::put_str(tx, &h, "by", by.as_str())?;
    Ok(id)
}

/// Removes entry `id` from the task board in `tx` on behalf of `by`, and
/// returns what it said. Only the person who logged it or the volunteer it
/// is for may remove it ([`HoursError::NotYours`] otherwise).
pub fn remove_hours<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &HoursEntryId,
    by: &PersonId,
) -> Result<HoursEntry, HoursError> {
    hours_map(tx)?;
    let root = At::ROOT;
    let at = root.child("hours");
    let at = at.child(id.as_str());
    let mut found = None;
    for obj in fields::map_copies(tx, "hours")? {
        if let Some(h) = fields::opt_map(tx, &obj, id.as_str(), &at)? {
            found = Some((obj, h));
            break;
        }
    }
    let Some((_, entry_obj)) = found else {
        return Err(WriteError::NotFound {
            what: "hours entry",
            id: id.to_string(),
        }
        .into());
    };
    let entry = load_entry(tx, &entry_obj, &at)?;
    if entry.by != *by && PersonId::from(&entry.volunteer) != *by {
        return Err(HoursError::NotYours {
            id: id.clone(),
            volunteer: entry.volunteer,
            logged_by: entry.by,
            by: by.clone(),
        });
    }
    for obj in fields::map_copies(tx, "hours")? {
        fields::delete(tx, &obj, id.as_str())?;
    }
    Ok(entry)
}

fn hours_map<T: Transactable + ?Sized>(tx: &mut T) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, "hours", &root.child("hours"))
}

/// Reads a task board's hours (none on boards written before hours moved
/// there), from every concurrent copy of the `hours` map.
pub(crate) fn load_board_hours<D: ReadDoc + ?Sized>(
    doc: &D,
) -> Result<BTreeMap<HoursEntryId, HoursEntry>, ShapeError> {
    fields::root_entries(doc, "hours", HoursEntryId::new, load_entry)
}

fn load_entry<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
) -> Result<HoursEntry, ShapeError> {
    let v_at = at.child("volunteer");
    let team_at = at.child("team");
    let m_at = at.child("minutes");
    let t_at = at.child("task");
    let by_at = at.child("by");
    Ok(HoursEntry {
        volunteer: VolunteerId::new(fields::req_str(doc, obj, "volunteer", &v_at)?)
            .map_err(|e| v_at.bad(e.to_string()))?,
        team: fields::opt_str(doc, obj, "team", &team_at)?
            .map(|t| TeamId::new(t).map_err(|e| team_at.bad(e.to_string())))
            .transpose()?,
        start: fields::req_i64(doc, obj, "start", &at.child("start"))?,
        minutes: fields::narrow(fields::req_i64(doc, obj, "minutes", &m_at)?, &m_at)?,
        task: fields::opt_str(doc, obj, "task", &t_at)?
            .map(|t| TaskId::new(t).map_err(|e| t_at.bad(e.to_string())))
            .transpose()?,
        note: fields::str_or_empty(doc, obj, "note", &at.child("note"))?,
        by: PersonId::new(fields::req_str(doc, obj, "by", &by_at)?)
            .map_err(|e| by_at.bad(e.to_string()))?,
    })
}

// ---- reading hours from every place ---------------------------------------

/// Where an entry is stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum HoursPlace {
    /// On a task board (where hours are logged now).
    Board(BoardId),
    /// In a team document's old hours log (read only; a team leader may
    /// still remove such an entry with [`crate::team::remove_hours`]).
    Team(TeamId),
}

/// One entry as [`all_hours`] lists it, wherever it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedHours {
    /// The entry's id (what `hours remove` takes).
    pub id: HoursEntryId,
    /// Where it is stored.
    pub place: HoursPlace,
    /// Who served.
    pub volunteer: VolunteerId,
    /// The volunteer's team: as logged on a board, or the team document
    /// holding an old entry; `None` when a board entry did not say.
    pub team: Option<TeamId>,
    /// The community served: the board's, or as an old entry recorded it.
    pub community: Option<CommunityId>,
    /// When the service started, ms since the epoch.
    pub start: i64,
    /// How long, in minutes.
    pub minutes: u32,
    /// The task served, if any.
    pub task: Option<TaskId>,
    /// Free note.
    pub note: String,
    /// Who logged it; `None` for old team entries, which did not record it.
    pub by: Option<PersonId>,
}

impl ListedHours {
    /// Whether `team` (its document) covers this entry: logged for that
    /// team, held in its old hours log, or, when the entry names no team,
    /// by a volunteer on its roster.
    pub fn is_for_team(&self, team: &Team) -> bool {
        match &self.team {
            Some(t) => *t == team.team.id || team.hours.contains_key(&self.id),
            None => team.volunteers.contains_key(&self.volunteer),
        }
    }
}

/// Every hours entry in `boards` and the old logs of `teams`, newest first
/// (ties by id). An id found in several places is listed once, the board's
/// copy first.
pub fn all_hours(boards: &[TaskBoard], teams: &[Team]) -> Vec<ListedHours> {
    let mut seen: BTreeSet<&HoursEntryId> = BTreeSet::new();
    let mut out = Vec::new();
    for board in boards {
        for (id, h) in &board.hours {
            if seen.insert(id) {
                out.push(ListedHours {
                    id: id.clone(),
                    place: HoursPlace::Board(board.board.id()),
                    volunteer: h.volunteer.clone(),
                    team: h.team.clone(),
                    community: Some(board.board.community.clone()),
                    start: h.start,
                    minutes: h.minutes,
                    task: h.task.clone(),
                    note: h.note.clone(),
                    by: Some(h.by.clone()),
                });
            }
        }
    }
    for team in teams {
        for (id, h) in &team.hours {
            if seen.insert(id) {
                out.push(ListedHours {
                    id: id.clone(),
                    place: HoursPlace::Team(team.team.id.clone()),
                    volunteer: h.volunteer.clone(),
                    team: Some(team.team.id.clone()),
                    community: h.community.clone(),
                    start: h.start,
                    minutes: h.minutes,
                    task: h.task.clone(),
                    note: h.note.clone(),
                    by: None,
                });
            }
        }
    }
    out.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests;
