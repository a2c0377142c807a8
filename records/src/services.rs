//! The services list (服务清单): what volunteer teams and other providers
//! offer, and building heads' requests for it, on the community's task
//! board.
//!
//! ```text
//! task board: { …,
//!   services: { <ServiceId>: { provider: TeamId, kind, title, detail, when,
//!                              capacity: int, cost: "free" | "low-cost",
//!                              by: PersonId, at: ms } },
//!   requests: { <RequestId>: { service: ServiceId, building: BuildingId,
//!                              household?: HouseholdId, note, by: PersonId, at: ms,
//!                              decisions: { <PersonId>: { answer: "accepted" | "declined", at: ms,
//!                                                        volunteer?: VolunteerId,
//!                                                        task?: TaskId } } } } }
//! ```
//!
//! # Why on the board
//!
//! The board is the community's document for the period that everyone
//! serving the community already syncs and may write: building heads (who
//! request), volunteers and team leaders (who provide). It holds no
//! personal data (a household by id only), and it is cut by period, so
//! "how many it can take" is per period and no list grows without bound. A
//! team serving several communities publishes on each community's board.
//!
//! # Places, offline
//!
//! Requests are never refused when written: two building heads may each
//! request the last place offline. Every device then folds the requests of
//! a service the same way ([`places`]): sorted by `(at, by, id)`, each
//! request not declined takes a place while places are left; the rest are
//! [`RequestStatus::Full`], which the app and CLI tell the building head.
//! A declined request frees its place for the next one.
//!
//! # Decisions
//!
//! A decision is keyed by the person who made it, so two team leaders
//! deciding offline both keep theirs; the earliest `(at, by)` counts. An
//! accepted request becomes a task on the same board ([`accept`]): created
//! at the request's time by the requester, and claimed at the acceptance by
//! the provider's volunteer. So it follows the same event fold, figures
//! (time to first response is request → acceptance) and rating as any need.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{
    BuildingId, HouseholdId, PersonId, RequestId, ServiceId, TaskId, TeamId, VolunteerId,
};
use crate::root::{self, DocKind};
use crate::task_board::{self, NewTask, TaskBoard};
use crate::task_event::{EventKind, TaskEvent};

/// Whether a service costs the resident anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cost {
    /// 免费
    Free,
    /// 低偿
    LowCost,
}

impl Cost {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Cost::Free => "free",
            Cost::LowCost => "low-cost",
        }
    }

    /// The cost named `word` ("free" or "low-cost").
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "free" => Some(Cost::Free),
            "low-cost" => Some(Cost::LowCost),
            _ => None,
        }
    }
}

/// A service on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The team (or provider listed as a team) offering it.
    pub provider: TeamId,
    /// e.g. "home-care", "meal-help", "haircut", "legal-aid", "repair".
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// When it is available, in the provider's words ("每周六上午").
    pub when: String,
    /// How many requests it takes in the board's period.
    pub capacity: u32,
    pub cost: Cost,
    /// Who published it, and when.
    pub by: PersonId,
    pub at: i64,
}

/// A decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: PersonId,
    pub accepted: bool,
    pub at: i64,
    /// The provider's volunteer who will serve (accepted only).
    pub volunteer: Option<VolunteerId>,
    /// The task the acceptance made (accepted only).
    pub task: Option<TaskId>,
}

/// A building head's request for a service, for one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub service: ServiceId,
    pub building: BuildingId,
    pub household: Option<HouseholdId>,
    pub note: String,
    pub by: PersonId,
    pub at: i64,
    /// Every decision written, by who made it.
    pub decisions: BTreeMap<PersonId, Decision>,
}

impl ServiceRequest {
    /// The decision that counts: the earliest by `(at, by)`.
    pub fn decision(&self) -> Option<&Decision> {
        self.decisions
            .values()
            .min_by(|a, b| (a.at, &a.by).cmp(&(b.at, &b.by)))
    }
}

/// Where a request stands, the same on every device after syncing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum RequestStatus {
    /// Holds a place; the provider has not decided.
    Waiting,
    /// Accepted: a task was made for it.
    Accepted {
        task: Option<TaskId>,
        volunteer: Option<VolunteerId>,
    },
    /// The provider declined it.
    Declined,
    /// Every place was taken by earlier requests.
    Full,
}

/// The services and requests of a board.
pub(crate) fn load_services<D: ReadDoc + ?Sized>(
    doc: &D,
) -> Result<BTreeMap<ServiceId, Service>, ShapeError> {
    fields::root_entries(doc, "services", ServiceId::new, |doc, o, at| {
        let p_at = at.child("provider");
        let c_at = at.child("capacity");
        let cost_at = at.child("cost");
        let by_at = at.child("by");
        let cost = fields::req_str(doc, o, "cost", &cost_at)?;
        Ok(Service {
            provider: TeamId::new(fields::req_str(doc, o, "provider", &p_at)?)
                .map_err(|e| p_at.bad(e.to_string()))?,
            kind: fields::str_or_empty(doc, o, "kind", &at.child("kind"))?,
            title: fields::str_or_empty(doc, o, "title", &at.child("title"))?,
            detail: fields::str_or_empty(doc, o, "detail", &at.child("detail"))?,
            when: fields::str_or_empty(doc, o, "when", &at.child("when"))?,
            capacity: fields::narrow(fields::req_i64(doc, o, "capacity", &c_at)?, &c_at)?,
            cost: Cost::parse(&cost).ok_or_else(|| cost_at.bad("not free or low-cost"))?,
            by: PersonId::new(fields::req_str(doc, o, "by", &by_at)?)
                .map_err(|e| by_at.bad(e.to_string()))?,
            at: fields::req_i64(doc, o, "at", &at.child("at"))?,
        })
    })
}

pub(crate) fn load_requests<D: ReadDoc + ?Sized>(
    doc: &D,
) -> Result<BTreeMap<RequestId, ServiceRequest>, ShapeError> {
    fields::root_entries(doc, "requests", RequestId::new, |doc, o, at| {
        let s_at = at.child("service");
        let b_at = at.child("building");
        let h_at = at.child("household");
        let by_at = at.child("by");
        let d_at = at.child("decisions");
        let mut decisions = BTreeMap::new();
        if let Some(d) = fields::opt_map(doc, o, "decisions", &d_at)? {
            for (by, obj, key) in fields::entries(doc, &d, &d_at, PersonId::new)? {
                let at = d_at.child(&key);
                let v_at = at.child("volunteer");
                let t_at = at.child("task");
                let a_at = at.child("answer");
                let answer = fields::req_str(doc, &obj, "answer", &a_at)?;
                let accepted = match answer.as_str() {
                    "accepted" => true,
                    "declined" => false,
                    _ => return Err(a_at.bad("not accepted or declined")),
                };
                decisions.insert(
                    by.clone(),
                    Decision {
                        by,
                        accepted,
                        at: fields::req_i64(doc, &obj, "at", &at.child("at"))?,
                        volunteer: fields::opt_str(doc, &obj, "volunteer", &v_at)?
                            .map(|v| VolunteerId::new(v).map_err(|e| v_at.bad(e.to_string())))
                            .transpose()?,
                        task: fields::opt_str(doc, &obj, "task", &t_at)?
                            .map(|t| TaskId::new(t).map_err(|e| t_at.bad(e.to_string())))
                            .transpose()?,
                    },
                );
            }
        }
        Ok(ServiceRequest {
            service: ServiceId::new(fields::req_str(doc, o, "service", &s_at)?)
                .map_err(|e| s_at.bad(e.to_string()))?,
            building: BuildingId::new(fields::req_str(doc, o, "building", &b_at)?)
                .map_err(|e| b_at.bad(e.to_string()))?,
            household: fields::opt_str(doc, o, "household", &h_at)?
                .map(|h| HouseholdId::new(h).map_err(|e| h_at.bad(e.to_string())))
                .transpose()?,
            note: fields::str_or_empty(doc, o, "note", &at.child("note"))?,
            by: PersonId::new(fields::req_str(doc, o, "by", &by_at)?)
                .map_err(|e| by_at.bad(e.to_string()))?,
            at: fields::req_i64(doc, o, "at", &at.child("at"))?,
            decisions,
        })
    })
}

/// Every request of `service` on `board` with its status, in place order
/// (see the [module docs](self)).
pub fn places(board: &TaskBoard, service: &ServiceId) -> Vec<(RequestId, RequestStatus)> {
    let capacity = board
        .services
        .get(service)
        .map(|s| s.capacity as usize)
        .unwrap_or(0);
    let mut requests: Vec<(&RequestId, &ServiceRequest)> = board
        .requests
        .iter()
        .filter(|(_, r)| r.service == *service)
        .collect();
    requests.sort_by(|(ia, a), (ib, b)| (a.at, &a.by, *ia).cmp(&(b.at, &b.by, *ib)));
    let mut taken = 0;
    requests
        .into_iter()
        .map(|(id, r)| {
            let status = match r.decision() {
                Some(d) if !d.accepted => RequestStatus::Declined,
                _ if taken >= capacity => RequestStatus::Full,
                decision => {
                    taken += 1;
                    match decision {
                        Some(d) => RequestStatus::Accepted {
                            task: d.task.clone(),
                            volunteer: d.volunteer.clone(),
                        },
                        None => RequestStatus::Waiting,
                    }
                }
            };
            (id.clone(), status)
        })
        .collect()
}

/// The status of one request (`None` if the board has no such request).
pub fn status(board: &TaskBoard, request: &RequestId) -> Option<RequestStatus> {
    let service = &board.requests.get(request)?.service;
    places(board, service)
        .into_iter()
        .find(|(id, _)| id == request)
        .map(|(_, s)| s)
}

/// Places left on `service`: capacity minus the requests holding one.
pub fn places_left(board: &TaskBoard, service: &ServiceId) -> u32 {
    let held = places(board, service)
        .iter()
        .filter(|(_, s)| matches!(s, RequestStatus::Waiting | RequestStatus::Accepted { .. }))
        .count();
    board
        .services
        .get(service)
        .map(|s| s.capacity.saturating_sub(held as u32))
        .unwrap_or(0)
}

fn section<T: Transactable + ?Sized>(tx: &mut T, key: &str) -> Result<ObjId, WriteError> {
    root::check(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    fields::ensure_map(tx, &ROOT, key, &root.child(key))
}

/// Publishes (or updates) service `id` on the board in `tx`.
pub fn publish<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &ServiceId,
    service: &Service,
) -> Result<(), WriteError> {
    let all = section(tx, "services")?;
    let root = At::ROOT;
    let at = root.child("services");
    let s = fields::ensure_map(tx, &all, id.as_str(), &at.child(id.as_str()))?;
    fields::put_str(tx, &s, "provider", service.provider.as_str())?;
    fields::put_str(tx, &s, "kind", &service.kind)?;
    fields::put_str(tx, &s, "title", &service.title)?;
    fields::put_str(tx, &s, "detail", &service.detail)?;
    fields::put_str(tx, &s, "when", &service.when)?;
    fields::put_i64(tx, &s, "capacity", i64::from(service.capacity))?;
    fields::put_str(tx, &s, "cost", service.cost.as_str())?;
    fields::put_str(tx, &s, "by", service.by.as_str())?;
    fields::put_i64(tx, &s, "at", service.at)
}

/// Requests `request.service` for a household: one action, written even
/// when every place looks taken (see [`places`]). Returns the request's id,
/// derived from the service, household, requester and time.
pub fn request<T: Transactable + ?Sized>(
    tx: &mut T,
    request: &ServiceRequest,
) -> Result<RequestId, WriteError> {
    let board = TaskBoard::load(&*tx)?;
    if !board.services.contains_key(&request.service) {
        return Err(WriteError::NotFound {
            what: "service on this board",
            id: request.service.to_string(),
        });
    }
    let id = RequestId::derive(
        &request.service,
        request.household.as_ref().map(|h| h.as_str()).unwrap_or(""),
        &request.by,
        request.at,
    );
    let all = section(tx, "requests")?;
    if tx.get(&all, id.as_str())?.is_some() {
        return Err(WriteError::AlreadyExists {
            what: "request",
            id: id.to_string(),
        });
    }
    let r = tx.put_object(&all, id.as_str(), ObjType::Map)?;
    fields::put_str(tx, &r, "service", request.service.as_str())?;
    fields::put_str(tx, &r, "building", request.building.as_str())?;
    fields::put_opt_str(
        tx,
        &r,
        "household",
        request.household.as_ref().map(|h| h.as_str()),
    )?;
    fields::put_str(tx, &r, "note", &request.note)?;
    fields::put_str(tx, &r, "by", request.by.as_str())?;
    fields::put_i64(tx, &r, "at", request.at)?;
    // Made with the request, so decisions made offline by two people land
    // in one map.
    tx.put_object(&r, "decisions", ObjType::Map)?;
    Ok(id)
}

fn decide<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &RequestId,
    decision: &Decision,
) -> Result<(), WriteError> {
    let all = section(tx, "requests")?;
    let root = At::ROOT;
    let at = root.child("requests");
    let at = at.child(id.as_str());
    let r = fields::opt_map(tx, &all, id.as_str(), &at)?.ok_or_else(|| WriteError::NotFound {
        what: "request",
        id: id.to_string(),
    })?;
    let d_at = at.child("decisions");
    let all = fields::ensure_map(tx, &r, "decisions", &d_at)?;
    let d = fields::ensure_map(
        tx,
        &all,
        decision.by.as_str(),
        &d_at.child(decision.by.as_str()),
    )?;
    let answer = if decision.accepted {
        "accepted"
    } else {
        "declined"
    };
    fields::put_str(tx, &d, "answer", answer)?;
    fields::put_i64(tx, &d, "at", decision.at)?;
    fields::put_opt_str(
        tx,
        &d,
        "volunteer",
        decision.volunteer.as_ref().map(|v| v.as_str()),
    )?;
    fields::put_opt_str(tx, &d, "task", decision.task.as_ref().map(|t| t.as_str()))
}

/// The provider accepts request `id`, assigning `volunteer`: writes the
/// decision and makes the task (created at the request's time by the
/// requester, claimed now by `volunteer`). Refused when, on this device,
/// the request holds no place or is already decided. Returns the task id.
pub fn accept<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &RequestId,
    volunteer: &VolunteerId,
    by: &PersonId,
    at: i64,
) -> Result<TaskId, WriteError> {
    let board = TaskBoard::load(&*tx)?;
    let request = board.requests.get(id).ok_or_else(|| WriteError::NotFound {
        what: "request",
        id: id.to_string(),
    })?;
    match status(&board, id) {
        Some(RequestStatus::Waiting) => {}
        Some(RequestStatus::Full) => return Err(WriteError::Refused("every place is taken")),
        _ => return Err(WriteError::Refused("the request is already decided")),
    }
    let service = board
        .services
        .get(&request.service)
        .ok_or_else(|| WriteError::NotFound {
            what: "service on this board",
            id: request.service.to_string(),
        })?;
    // The task's id follows from the request's, so an acceptance written
    // twice (or by two people) names one task.
    let task = TaskId::new(format!("t-{}", id.as_str().trim_start_matches("rq-")))
        .map_err(|_| WriteError::Refused("the request's id makes no task id"))?;
    let new = NewTask {
        id: task.clone(),
        kind: service.kind.clone(),
        title: service.title.clone(),
        detail: request.note.clone(),
        building: request.building.clone(),
        household: request.household.clone(),
        deadline: None,
    };
    let requested_by = request.by.clone();
    let requested_at = request.at;
    task_board::create_task(tx, &new, &requested_by, requested_at)?;
    let claim = TaskEvent::new(&task, at, PersonId::from(volunteer), EventKind::Claimed, "");
    task_board::append_event(tx, &task, &claim)?;
    decide(
        tx,
        id,
        &Decision {
            by: by.clone(),
            accepted: true,
            at,
            volunteer: Some(volunteer.clone()),
            task: Some(task.clone()),
        },
    )?;
    Ok(task)
}

/// The provider declines request `id`: its place goes to the next request.
pub fn decline<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &RequestId,
    by: &PersonId,
    at: i64,
) -> Result<(), WriteError> {
    let board = TaskBoard::load(&*tx)?;
    if !board.requests.contains_key(id) {
        return Err(WriteError::NotFound {
            what: "request",
            id: id.to_string(),
        });
    }
    if matches!(
        status(&board, id),
        Some(RequestStatus::Accepted { .. } | RequestStatus::Declined)
    ) {
        return Err(WriteError::Refused("the request is already decided"));
    }
    decide(
        tx,
        id,
        &Decision {
            by: by.clone(),
            accepted: false,
            at,
            volunteer: None,
            task: None,
        },
    )
}

#[cfg(test)]
mod tests;
