//! A person's intents on the services list and notices, and rating a
//! done need: each one automerge change on the community's board, written
//! through linli-records as `linli service …`, `linli notice read` and
//! `linli task rate` write it.

use linli_protocol::DocumentId;
use linli_records::ids::{HouseholdId, NoticeId, RequestId, ServiceId, TaskId, VolunteerId};
use linli_records::notices;
use linli_records::services::{self, Cost, Service, ServiceRequest};
use linli_records::task_board;
use linli_records::task_event::{EventKind, TaskEvent};

use super::{Device, DeviceError};
use crate::effects::Effects;

fn bad(what: &'static str) -> impl FnOnce(linli_records::IdError) -> DeviceError {
    move |e| DeviceError::BadInput {
        what,
        reason: e.to_string(),
    }
}

/// A service as a team leader fills it in.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServiceOffer {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub when: String,
    pub capacity: u32,
    /// `free` or `low-cost`.
    pub cost: String,
}

impl Device {
    /// Publishes a service of this person's team on the newest board of
    /// each community on this phone (a team serving several communities
    /// offers on each). Returns the service's id.
    pub fn publish_service(
        &mut self,
        offer: ServiceOffer,
        id_bits: u32,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let me = VolunteerId::new(self.me.person.as_str()).map_err(bad("volunteer id"))?;
        let provider = self.team_of(&me).ok_or_else(|| DeviceError::BadInput {
            what: "team",
            reason: "this person is on no team's roster on this phone".to_owned(),
        })?;
        let cost = Cost::parse(offer.cost.trim()).ok_or_else(|| DeviceError::BadInput {
            what: "cost",
            reason: "free or low-cost".to_owned(),
        })?;
        if offer.title.trim().is_empty() || offer.capacity == 0 {
            return Err(DeviceError::BadInput {
                what: "service",
                reason: "say what is offered, and for how many".to_owned(),
            });
        }
        let id = ServiceId::new(format!("s-{id_bits:08x}")).map_err(bad("service id"))?;
        let service = Service {
            provider,
            kind: offer.kind.trim().to_owned(),
            title: offer.title.trim().to_owned(),
            detail: offer.detail.trim().to_owned(),
            when: offer.when.trim().to_owned(),
            capacity: offer.capacity,
            cost,
            by: self.me.person.clone(),
            at: now_ms,
        };
        let mut newest: std::collections::BTreeMap<_, (String, DocumentId)> = Default::default();
        for (doc, b) in self.boards() {
            let slot = newest
                .entry(b.board.community.clone())
                .or_insert((b.board.period.clone(), doc));
            if b.board.period > slot.0 {
                *slot = (b.board.period.clone(), doc);
            }
        }
        if newest.is_empty() {
            return Err(DeviceError::NoBoard("(any)".to_owned()));
        }
        let mut effects = Effects::default();
        for (_, (_, doc)) in newest {
            let more = self.change(doc, now_ms, |tx| {
                services::publish(tx, &id, &service).map_err(|e| e.to_string())
            })?;
            effects.extend(more);
        }
        Ok((id.to_string(), effects))
    }

    /// Requests service `service` for `household`, on the board that
    /// lists the service. Returns the request's id.
    pub fn request_service(
        &mut self,
        service: &str,
        household: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<(String, Effects), DeviceError> {
        let sid = ServiceId::new(service).map_err(bad("service id"))?;
        let hid = HouseholdId::new(household).map_err(bad("household id"))?;
        let building = self
            .buildings()
            .find(|(_, b)| b.households.contains_key(&hid))
            .map(|(_, b)| b.building.id)
            .ok_or_else(|| DeviceError::NoSuchHousehold(household.to_owned()))?;
        let board = self.board_where(|b| b.services.contains_key(&sid), service)?;
        let request = ServiceRequest {
            service: sid,
            building,
            household: Some(hid),
            note: note.trim().to_owned(),
            by: self.me.person.clone(),
            at: now_ms,
            decisions: Default::default(),
        };
        let mut id = None;
        let effects = self.change(board, now_ms, |tx| {
            id = Some(services::request(tx, &request).map_err(|e| e.to_string())?);
            Ok(())
        })?;
        Ok((id.map(|i| i.to_string()).unwrap_or_default(), effects))
    }

    /// The provider accepts request `request`, served by this phone's
    /// person (a team leader or volunteer), or declines it.
    pub fn decide_request(
        &mut self,
        request: &str,
        accept: bool,
        now_ms: i64,
    ) -> Result<Effects, DeviceError> {
        let rid = RequestId::new(request).map_err(bad("request id"))?;
        let board = self.board_where(|b| b.requests.contains_key(&rid), request)?;
        let me = self.me.person.clone();
        let volunteer = VolunteerId::new(me.as_str()).map_err(bad("volunteer id"))?;
        self.change(board, now_ms, |tx| {
            if accept {
                services::accept(tx, &rid, &volunteer, &me, now_ms).map(|_| ())
            } else {
                services::decline(tx, &rid, &me, now_ms)
            }
            .map_err(|e| e.to_string())
        })
    }

    /// Marks notice `notice` read by this phone's person.
    pub fn read_notice(&mut self, notice: &str, now_ms: i64) -> Result<Effects, DeviceError> {
        let nid = NoticeId::new(notice).map_err(bad("notice id"))?;
        let board = self.board_where(|b| b.notices.contains_key(&nid), notice)?;
        let me = self.me.person.clone();
        self.change(board, now_ms, |tx| {
            notices::mark_read(tx, &nid, &me, now_ms)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    /// Rates done task `task` for the resident: 1–5 stars and their words.
    pub fn rate(
        &mut self,
        task: &str,
        stars: u8,
        feedback: &str,
        now_ms: i64,
    ) -> Result<Effects, DeviceError> {
        let tid = TaskId::new(task).map_err(bad("task id"))?;
        let board = self.board_where(|b| b.tasks.contains_key(&tid), task)?;
        let kind = EventKind::Rated {
            stars,
            feedback: feedback.trim().to_owned(),
        };
        let event = TaskEvent::new(&tid, now_ms, self.me.person.clone(), kind, "");
        self.change(board, now_ms, |tx| {
            task_board::append_event(tx, &tid, &event)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    fn board_where(
        &self,
        holds: impl Fn(&linli_records::task_board::TaskBoard) -> bool,
        what: &str,
    ) -> Result<DocumentId, DeviceError> {
        self.boards()
            .find(|(_, b)| holds(b))
            .map(|(doc, _)| doc)
            .ok_or_else(|| DeviceError::NotOnThisPhone(what.to_owned()))
    }
}
