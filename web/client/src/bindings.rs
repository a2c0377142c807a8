//! The Device as JavaScript sees it: one class, `WebDevice`, whose methods
//! take and return plain values (bytes, strings, JSON text) so the worker
//! stays a thin driver.

use automerge::ActorId;
use js_sys::{Array, Object, Reflect, Uint8Array};
use linli_protocol::PeerId;
use linli_records::ids::PersonId;
use wasm_bindgen::prelude::*;

use crate::{Device, Effects, Identity, parse_doc, parse_heads, view};

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
        serde_json::to_string(&view::status(&self.device)).map_err(js_err)
    }

    /// JSON: [`view::BuildingCard`]s.
    pub fn buildings(&self) -> Result<String, JsValue> {
        serde_json::to_string(&view::buildings(&self.device)).map_err(js_err)
    }

    /// JSON: [`view::HouseholdLine`]s of one building matching `query`.
    pub fn households(&self, building: &str, query: &str) -> Result<String, JsValue> {
        serde_json::to_string(&view::households(&self.device, building, query)).map_err(js_err)
    }

    /// JSON: a [`view::HouseholdPage`], or `null`.
    pub fn household(&self, id: &str) -> Result<String, JsValue> {
        serde_json::to_string(&view::household(&self.device, id)).map_err(js_err)
    }
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
