//! The Device as JavaScript sees it: one class, `WebDevice`, whose methods
//! take and return plain values (bytes, strings, JSON text) so the worker
//! stays a thin driver.

use automerge::ActorId;
use js_sys::{Array, Object, Reflect, Uint8Array};
use linli_protocol::PeerId;
use linli_records::ids::PersonId;
use wasm_bindgen::prelude::*;

use linli_records::conflicts::Resolution;

use crate::{Device, Effects, Identity, Progress, parse_doc, parse_heads, view};

fn js_err(e: impl std::fmt::Display) -> JsValue {
    JsValue::from(js_sys::Error::new(&e.to_string()))
}

/// `n` random bytes from the page's crypto.getRandomValues.
fn random_bytes<const N: usize>() -> Result<[u8; N], JsValue> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(js_err)?;
    Ok(bytes)
}

/// A fresh device key (hex of 16 random bytes): the actor all of this
/// phone's edits are made with. The worker keeps it in IndexedDB.
#[wasm_bindgen(js_name = newDeviceKey)]
pub fn new_device_key() -> Result<String, JsValue> {
    Ok(hex::encode(random_bytes::<16>()?))
}

#[wasm_bindgen]
pub struct WebDevice {
    device: Device,
}

#[wasm_bindgen]
impl WebDevice {
    /// A phone signed in as `person` on the street whose directory is
    /// `directory` (automerge URL), with the stored device key.
    #[wasm_bindgen(constructor)]
    pub fn new(device_key: &str, person: &str, directory: &str) -> Result<WebDevice, JsValue> {
        let actor = hex::decode(device_key).map_err(js_err)?;
        let session: [u8; 8] = random_bytes()?;
        let storage = hex::encode(&actor);
        let me = Identity {
            peer: PeerId::new(format!("linli-web-{}", hex::encode(session))),
            storage_id: format!(
                "{}-{}-{}-{}-{}",
                &storage[0..8],
                &storage[8..12],
                &storage[12..16],
                &storage[16..20],
                &storage[20..32]
            ),
            actor: ActorId::from(actor),
            person: PersonId::new(person).map_err(js_err)?,
            directory: parse_doc(directory).map_err(js_err)?,
        };
        Ok(WebDevice {
            device: Device::new(me),
        })
    }

    #[wasm_bindgen(js_name = loadChunk)]
    pub fn load_chunk(&mut self, doc: &str, chunk: &[u8]) -> Result<(), JsValue> {
        let doc = parse_doc(doc).map_err(js_err)?;
        self.device.load_chunk(doc, chunk).map_err(js_err)
    }

    /// `heads`: hex change hashes, as given in an effect's `confirmed`.
    #[wasm_bindgen(js_name = loadConfirmed)]
    pub fn load_confirmed(&mut self, doc: &str, heads: Vec<String>) -> Result<(), JsValue> {
        let doc = parse_doc(doc).map_err(js_err)?;
        self.device.load_confirmed(doc, parse_heads(&heads));
        Ok(())
    }

    pub fn snapshot(&mut self, doc: &str) -> Result<Option<Vec<u8>>, JsValue> {
        let doc = parse_doc(doc).map_err(js_err)?;
        Ok(self.device.snapshot(doc))
    }

    pub fn discover(&mut self) -> Result<Object, JsValue> {
        to_js(self.device.discover())
    }

    pub fn join(&mut self) -> Vec<u8> {
        self.device.join()
    }

    pub fn disconnected(&mut self) {
        self.device.disconnected();
    }

    pub fn receive(&mut self, frame: &[u8]) -> Result<Object, JsValue> {
        to_js(self.device.receive(frame).map_err(js_err)?)
    }

    #[wasm_bindgen(js_name = logVisit)]
    pub fn log_visit(
        &mut self,
        household: &str,
        note: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        // A browser clock in ms fits an i64 exactly.
        let now = now_ms as i64;
        to_js(
            self.device
                .log_visit(household, note, now)
                .map_err(js_err)?,
        )
    }

    /// JSON: the status line's facts ([`view::Status`]).
    pub fn status(&self) -> Result<String, JsValue> {
        json(&view::status(&self.device))
    }

    /// JSON: [`view::BuildingCard`]s.
    pub fn buildings(&self) -> Result<String, JsValue> {
        json(&view::buildings(&self.device))
    }

    /// JSON: [`view::HouseholdLine`]s of one building passing `filter`
    /// (JSON [`view::HouseholdFilter`]).
    pub fn households(&self, building: &str, filter: &str, now_ms: f64) -> Result<String, JsValue> {
        let filter: view::HouseholdFilter = serde_json::from_str(filter).map_err(js_err)?;
        json(&view::households(
            &self.device,
            building,
            &filter,
            now_ms as i64,
        ))
    }

    /// JSON: a [`view::HouseholdPage`], or `null`.
    pub fn household(&self, id: &str) -> Result<String, JsValue> {
        json(&view::household(&self.device, id))
    }

    /// JSON: [`view::TaskLine`]s.
    pub fn tasks(&self, now_ms: f64) -> Result<String, JsValue> {
        json(&view::tasks(&self.device, now_ms as i64))
    }

    /// JSON: a [`view::TaskPage`], or `null`.
    pub fn task(&self, id: &str, now_ms: f64) -> Result<String, JsValue> {
        json(&view::task(&self.device, id, now_ms as i64))
    }

    /// JSON: [`view::ServiceLine`]s.
    pub fn services(&self) -> Result<String, JsValue> {
        json(&view::services(&self.device))
    }

    /// JSON: [`view::NoticeLine`]s.
    pub fn notices(&self) -> Result<String, JsValue> {
        json(&view::notices(&self.device))
    }

    /// Publishes a service of this person's team; `offer` is JSON
    /// `{kind, title, detail, when, capacity, cost}`. Returns `{id, effects}`.
    #[wasm_bindgen(js_name = publishService)]
    pub fn publish_service(&mut self, offer: &str, now_ms: f64) -> Result<Object, JsValue> {
        let offer = serde_json::from_str(offer).map_err(js_err)?;
        let bits = u32::from_le_bytes(random_bytes()?);
        let (id, effects) = self
            .device
            .publish_service(offer, bits, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// Requests `service` for `household`. Returns `{id, effects}`.
    #[wasm_bindgen(js_name = requestService)]
    pub fn request_service(
        &mut self,
        service: &str,
        household: &str,
        note: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let (id, effects) = self
            .device
            .request_service(service, household, note, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// Accepts (served by this person) or declines `request`.
    #[wasm_bindgen(js_name = decideRequest)]
    pub fn decide_request(
        &mut self,
        request: &str,
        accept: bool,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        to_js(
            self.device
                .decide_request(request, accept, now_ms as i64)
                .map_err(js_err)?,
        )
    }

    #[wasm_bindgen(js_name = readNotice)]
    pub fn read_notice(&mut self, notice: &str, now_ms: f64) -> Result<Object, JsValue> {
        to_js(
            self.device
                .read_notice(notice, now_ms as i64)
                .map_err(js_err)?,
        )
    }

    /// Rates a done task, 1–5 stars.
    pub fn rate(
        &mut self,
        task: &str,
        stars: u8,
        feedback: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        to_js(
            self.device
                .rate(task, stars, feedback, now_ms as i64)
                .map_err(js_err)?,
        )
    }

    /// JSON: [`view::ConflictLine`]s.
    pub fn conflicts(&self) -> Result<String, JsValue> {
        json(&view::conflicts(&self.device))
    }

    /// Adds (`id` empty) or changes a household; `fields` is JSON
    /// `{unit, floor, room, tags, notes}`. Returns `{id, effects}`.
    #[wasm_bindgen(js_name = saveHousehold)]
    pub fn save_household(
        &mut self,
        building: &str,
        id: &str,
        fields: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let fields = serde_json::from_str(fields).map_err(js_err)?;
        let id = (!id.is_empty()).then_some(id);
        let (id, effects) = self
            .device
            .save_household(building, id, fields, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// Adds (`id` empty) or changes a resident; `member` is JSON
    /// `{name, gender, birth_year, phone, relation, tags, note}`.
    #[wasm_bindgen(js_name = saveMember)]
    pub fn save_member(
        &mut self,
        household: &str,
        id: &str,
        member: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let member = serde_json::from_str(member).map_err(js_err)?;
        let id = (!id.is_empty()).then_some(id);
        let (id, effects) = self
            .device
            .save_member(household, id, member, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// Raises a need for the household; `request` is JSON
    /// `{kind, title, detail, deadline}`. Returns `{id, effects}`.
    #[wasm_bindgen(js_name = askForHelp)]
    pub fn ask_for_help(
        &mut self,
        household: &str,
        request: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let request = serde_json::from_str(request).map_err(js_err)?;
        let bits = u32::from_le_bytes(random_bytes()?);
        let (id, effects) = self
            .device
            .ask_for_help(household, request, bits, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// `progress`: claim, start, done or cancel.
    pub fn progress(
        &mut self,
        task: &str,
        progress: &str,
        note: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let progress = Progress::parse(progress)
            .ok_or_else(|| js_err(format!("not a task step: {progress}")))?;
        to_js(
            self.device
                .progress(task, progress, note, now_ms as i64)
                .map_err(js_err)?,
        )
    }

    /// Logs `minutes` of service on `task`, ending now. Returns `{id, effects}`.
    #[wasm_bindgen(js_name = logHours)]
    pub fn log_hours(
        &mut self,
        task: &str,
        minutes: u32,
        note: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let (id, effects) = self
            .device
            .log_hours(task, minutes, note, now_ms as i64)
            .map_err(js_err)?;
        with_id(id, effects)
    }

    /// Settles a conflict: keep the value of operation `keep`, or (when
    /// `keep` is empty) write `value` as text.
    pub fn resolve(
        &mut self,
        doc: &str,
        path: Vec<String>,
        keep: &str,
        value: &str,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        let doc = parse_doc(doc).map_err(js_err)?;
        let resolution = if keep.is_empty() {
            Resolution::Write(serde_json::Value::String(value.to_owned()))
        } else {
            Resolution::Keep {
                op: keep.to_owned(),
            }
        };
        to_js(
            self.device
                .resolve(doc, &path, &resolution, now_ms as i64)
                .map_err(js_err)?,
        )
    }

    /// Document ids (automerge URLs) on this phone that hold residents'
    /// data: what a revoked phone must delete.
    #[wasm_bindgen(js_name = buildingDocs)]
    pub fn building_docs(&self) -> Vec<String> {
        self.device
            .buildings()
            .map(|(d, _)| d.to_string())
            .collect()
    }
}

fn json(value: &impl serde::Serialize) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(js_err)
}

/// `{ id, effects }`: what an edit that makes something new returns.
fn with_id(id: String, effects: Effects) -> Result<Object, JsValue> {
    let out = Object::new();
    Reflect::set(&out, &"id".into(), &id.into())?;
    let effects: JsValue = to_js(effects)?.into();
    Reflect::set(&out, &"effects".into(), &effects)?;
    Ok(out)
}

/// `{ store: [{doc, chunk}], confirmed: [{doc, heads}], frames: [Uint8Array],
/// changed, problems }`.
fn to_js(effects: Effects) -> Result<Object, JsValue> {
    let out = Object::new();
    let store = Array::new();
    for (doc, chunk) in effects.store {
        let entry = Object::new();
        Reflect::set(&entry, &"doc".into(), &doc.to_string().into())?;
        Reflect::set(&entry, &"chunk".into(), &Uint8Array::from(chunk.as_slice()))?;
        store.push(&entry);
    }
    let confirmed = Array::new();
    for (doc, heads) in effects.confirmed {
        let entry = Object::new();
        Reflect::set(&entry, &"doc".into(), &doc.to_string().into())?;
        let list = Array::new();
        for h in heads {
            list.push(&h.to_string().into());
        }
        Reflect::set(&entry, &"heads".into(), &list)?;
        confirmed.push(&entry);
    }
    let frames = Array::new();
    for f in effects.frames {
        frames.push(&Uint8Array::from(f.as_slice()));
    }
    let problems = Array::new();
    for p in effects.problems {
        problems.push(&p.into());
    }
    Reflect::set(&out, &"store".into(), &store)?;
    Reflect::set(&out, &"confirmed".into(), &confirmed)?;
    Reflect::set(&out, &"frames".into(), &frames)?;
    Reflect::set(&out, &"changed".into(), &effects.changed.into())?;
    Reflect::set(&out, &"problems".into(), &problems)?;
    Ok(out)
}
