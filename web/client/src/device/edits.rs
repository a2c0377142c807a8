//! A person's intents on this phone, each one automerge change written
//! through linli-records exactly as the `linli` CLI writes it: visits,
//! households and members, asking for help, a task's progress, and
//! settling a conflict.

use linli_protocol::DocumentId;
use linli_records::building::{self, HouseholdFields, Member, Visit};
use linli_records::conflicts::{self, Resolution};
use linli_records::hours::{self, NewHours};
use linli_records::ids::{HouseholdId, MemberId, TaskId, VisitId, VolunteerId};
use linli_records::task_board::{self, NewTask};
use linli_records::task_event::{EventKind, TaskEvent};

use super::{Device, DeviceError};
use crate::effects::Effects;

fn bad(what: &'static str) -> impl FnOnce(linli_records::IdError) -> DeviceError {
    move |e| DeviceError::BadInput {
        what,
        reason: e.to_string(),
    }
}

/// A task's progress as a person taps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Claim,
    Start,
    Done,
    Cancel,
}

impl Progress {
    /// `claim`, `start`, `done` or `cancel`, as the page names the buttons.
    pub fn parse(text: &str) -> Option<Progress> {
        match text {
            "claim" => Some(Progress::Claim),
            "start" => Some(Progress::Start),
            "done" => Some(Progress::Done),
            "cancel" => Some(Progress::Cancel),
            _ => None,
        }
    }

    fn kind(self) -> EventKind {
        match self {
            Progress::Claim => EventKind::Claimed,
            Progress::Start => EventKind::Started,
            Progress::Done => EventKind::Done,
            Progress::Cancel => EventKind::Cancelled,
        }
    }
}

/// What "ask for help" raises.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct HelpRequest {
    /// e.g. errand, home-care, repair.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// Due by, ms since the epoch.
    #[serde(default)]
    pub deadline: Option<i64>,
}

impl Device {
    /// Records that this phone's person visited `household` at `now_ms`,
    /// with `note`. The new change is in the returned chunk; the frames
    /// offer it to the relay when connected.
    pub fn log_visit(
        &mut self,
        household: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<Effects, DeviceError> {
        let hid = HouseholdId::new(household).map_err(bad("household id"))?;
        let doc = self.household_doc(&hid)?;
        let by = self.me.person.clone();
        let id = VisitId::derive(&hid, &by, now_ms);
        let visit = Visit {
            by,
            at: now_ms,
            note: note.to_owned(),
        };
        self.change(doc, now_ms, |tx| {
            building::put_visit(tx, &hid, &id, &visit).map_err(|e| e.to_string())
        })
    }

    /// Adds a household to building `building_id` (its id derived from the
    /// address, as `linli household add` does), or, with `id`, changes an
    /// existing one's address, tags and notes. Returns the household's id.
    pub fn save_household(
        &mut self,
        building_id: &str,
        id: Option<&str>,
        fields: HouseholdFields,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let fields = HouseholdFields {
            unit: fields.unit.trim().to_owned(),
            room: fields.room.trim().to_owned(),
            tags: fields
                .tags
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            ..fields
        };
        if fields.room.is_empty() {
            return Err(DeviceError::BadInput {
                what: "room",
                reason: "a household needs a room".to_owned(),
            });
        }
        let (doc, b) = self
            .buildings()
            .find(|(_, b)| b.building.id.as_str() == building_id)
            .ok_or_else(|| DeviceError::NoSuchBuilding(building_id.to_owned()))?;
        let (hid, new) = match id {
            Some(id) => (HouseholdId::new(id).map_err(bad("household id"))?, false),
            None => (
                HouseholdId::derive(&b.building.id, &fields.unit, fields.floor, &fields.room),
                true,
            ),
        };
        if new && b.households.contains_key(&hid) {
            return Err(DeviceError::BadInput {
                what: "household",
                reason: format!("{} {} already exists", fields.unit, fields.room),
            });
        }
        if !new && !b.households.contains_key(&hid) {
            return Err(DeviceError::NoSuchHousehold(hid.to_string()));
        }
        let effects = self.change(doc, now_ms, |tx| {
            building::put_household(tx, &hid, &fields).map_err(|e| e.to_string())
        })?;
        Ok((hid.to_string(), effects))
    }

    /// Adds a resident to `household` (id derived from name and birth
    /// year, as the CSV import does), or, with `id`, changes one.
    pub fn save_member(
        &mut self,
        household: &str,
        id: Option<&str>,
        member: Member,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let member = Member {
            name: member.name.trim().to_owned(),
            phone: member
                .phone
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
            ..member
        };
        if member.name.is_empty() {
            return Err(DeviceError::BadInput {
                what: "name",
                reason: "a resident needs a name".to_owned(),
            });
        }
        let hid = HouseholdId::new(household).map_err(bad("household id"))?;
        let doc = self.household_doc(&hid)?;
        let mid = match id {
            Some(id) => MemberId::new(id).map_err(bad("member id"))?,
            None => MemberId::derive(&hid, &member.name, member.birth_year),
        };
        let effects = self.change(doc, now_ms, |tx| {
            building::put_member(tx, &hid, &mid, &member).map_err(|e| e.to_string())
        })?;
        Ok((mid.to_string(), effects))
    }

    /// Raises a need for `household` on its community's newest task board
    /// on this phone, with the building and household filled in. `id_bits`
    /// is fresh randomness from the caller: the task's id.
    pub fn ask_for_help(
        &mut self,
        household: &str,
        request: HelpRequest,
        id_bits: u32,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let hid = HouseholdId::new(household).map_err(bad("household id"))?;
        let doc = self.household_doc(&hid)?;
        let b = self
            .building(&doc)
            .ok_or_else(|| DeviceError::NoSuchHousehold(household.to_owned()))?;
        let community = self
            .directory()
            .and_then(|d| d.buildings.get(&b.building.id).map(|e| e.community.clone()))
            .ok_or_else(|| DeviceError::NoSuchBuilding(b.building.id.to_string()))?;
        let board = self
            .boards()
            .filter(|(_, board)| board.board.community == community)
            .max_by(|(_, a), (_, b)| a.board.period.cmp(&b.board.period))
            .map(|(doc, _)| doc)
            .ok_or_else(|| DeviceError::NoBoard(b.building.community.clone()))?;
        if request.title.trim().is_empty() {
            return Err(DeviceError::BadInput {
                what: "title",
                reason: "say what is needed".to_owned(),
            });
        }
        let id = TaskId::new(format!("t-{id_bits:08x}")).map_err(bad("task id"))?;
        let new = NewTask {
            id: id.clone(),
            kind: request.kind.trim().to_owned(),
            title: request.title.trim().to_owned(),
            detail: request.detail,
            building: b.building.id.clone(),
            household: Some(hid),
            deadline: request.deadline,
        };
        let by = self.me.person.clone();
        let effects = self.change(board, now_ms, |tx| {
            task_board::create_task(tx, &new, &by, now_ms)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })?;
        Ok((id.to_string(), effects))
    }

    /// Appends this person's `progress` on task `task`. Whether a claim
    /// wins is decided by the task fold when boards meet, the same on every
    /// phone; read it back with [`crate::view::task`].
    pub fn progress(
        &mut self,
        task: &str,
        progress: Progress,
        note: &str,
        now_ms: i64,
    ) -> Result<Effects, DeviceError> {
        let tid = TaskId::new(task).map_err(bad("task id"))?;
        let board = self
            .boards()
            .find(|(_, b)| b.tasks.contains_key(&tid))
            .map(|(doc, _)| doc)
            .ok_or_else(|| DeviceError::NoSuchTask(task.to_owned()))?;
        let event = TaskEvent::new(&tid, now_ms, self.me.person.clone(), progress.kind(), note);
        self.change(board, now_ms, |tx| {
            task_board::append_event(tx, &tid, &event)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    /// Logs `minutes` of this volunteer's service on task `task` (ending
    /// now), on the task's board, as `linli hours log --task` does.
    pub fn log_hours(
        &mut self,
        task: &str,
        minutes: u32,
        note: &str,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let tid = TaskId::new(task).map_err(bad("task id"))?;
        hours::check_minutes(minutes).map_err(|e| DeviceError::BadInput {
            what: "minutes",
            reason: e.to_string(),
        })?;
        let volunteer = VolunteerId::new(self.me.person.as_str()).map_err(bad("volunteer id"))?;
        let board = self
            .boards()
            .find(|(_, b)| b.tasks.contains_key(&tid))
            .map(|(doc, _)| doc)
            .ok_or_else(|| DeviceError::NoSuchTask(task.to_owned()))?;
        let team = self.team_of(&volunteer);
        let new = NewHours {
            volunteer,
            team,
            start: now_ms.saturating_sub(i64::from(minutes) * 60_000),
            minutes,
            task: Some(tid),
            note: note.trim().to_owned(),
        };
        let by = self.me.person.clone();
        let effects = self.change(board, now_ms, |tx| {
            hours::log_hours(tx, &new, &by)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })?;
        Ok((new.id().to_string(), effects))
    }

    /// Settles the conflict at `path` of `doc`: keeps the value written by
    /// operation `keep`, or writes `value` (JSON), as `linli resolve` does.
    pub fn resolve(
        &mut self,
        doc: DocumentId,
        path: &[String],
        resolution: &Resolution,
        now_ms: i64,
    ) -> Result<Effects, DeviceError> {
        self.change(doc, now_ms, |tx| {
            conflicts::resolve_conflict(tx, path, resolution).map_err(|e| e.to_string())
        })
    }

    fn household_doc(&self, hid: &HouseholdId) -> Result<DocumentId, DeviceError> {
        self.building_of(hid)
            .ok_or_else(|| DeviceError::NoSuchHousehold(hid.to_string()))
    }
}
