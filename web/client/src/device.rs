//! One phone's documents and its connection to the relay, without I/O.
//!
//! The worker feeds [`Device`] what it read from IndexedDB at start, every
//! frame the websocket delivers, and the person's intents ("log a visit");
//! each call returns [`Effects`]: chunks to store, confirmed heads to store,
//! frames to send. The worker must store before it sends, because a sync
//! message may advertise heads that include the chunks (see
//! [`linli_protocol::DocSync`]).

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge, ChangeHash};
use linli_protocol::{
    Access, DecodeError, DocSync, DocumentId, Message, PROTOCOL_VERSION, PeerId, PeerMetadata,
    SyncData, SyncKind, Unconfirmed,
};
use linli_records::building;
use linli_records::directory::Directory;
use linli_records::ids::{HouseholdId, PersonId, TeamId, VolunteerId};
use linli_records::task_board::TaskBoard;
use linli_records::team::Team;

use crate::effects::Effects;
use record_cache::{Record, RecordCache};

mod edits;
mod offers;
mod record_cache;

pub use edits::{HelpRequest, Progress};

/// Frames larger than this are refused, as the relay and the CLI do.
pub const MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// Why a call into the device failed.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("not a document id: {0}")]
    BadDocumentId(String),
    #[error("not a valid {what}: {reason}")]
    BadInput { what: &'static str, reason: String },
    #[error("a stored chunk of document {doc} does not load: {reason}")]
    CorruptChunk { doc: DocumentId, reason: String },
    #[error("no household {0} on this phone")]
    NoSuchHousehold(String),
    #[error("no building {0} on this phone")]
    NoSuchBuilding(String),
    #[error("no task {0} on this phone")]
    NoSuchTask(String),
    #[error("no task board of community {0} on this phone; the street office adds one")]
    NoBoard(String),
    #[error("{0} is not on this phone's boards; sync, or ask the street office")]
    NotOnThisPhone(String),
    #[error("the edit could not be written: {0}")]
    Write(String),
    #[error("the relay answered the handshake with protocol version {0:?}, not \"1\"")]
    BadVersion(String),
    #[error("the relay sent an undecodable message: {0}")]
    Undecodable(DecodeError),
    #[error("the relay closed the session: {0}")]
    RelayError(String),
}

/// Who this phone is and which street it belongs to.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Peer id announced in `join`.
    pub peer: PeerId,
    /// Storage id announced in `join` (a UUID string).
    pub storage_id: String,
    /// The actor every edit on this phone is made with; changes by it are
    /// "ours" when counting what the relay has not confirmed.
    pub actor: ActorId,
    /// Who uses the phone: signs changes and visits.
    pub person: PersonId,
    /// The street's directory document.
    pub directory: DocumentId,
}

/// The phone's documents and the state of its current connection.
#[derive(Debug)]
pub struct Device {
    me: Identity,
    docs: BTreeMap<DocumentId, DocSync>,
    /// Heads the relay last confirmed holding, per document, sorted.
    confirmed: BTreeMap<DocumentId, Vec<ChangeHash>>,
    /// Documents the relay said it does not have or will not share.
    unavailable: BTreeSet<DocumentId>,
    /// The relay's peer id once the handshake is done.
    relay: Option<PeerId>,
    /// Documents read as records, once per version.
    cache: RecordCache,
}

impl Device {
    pub fn new(me: Identity) -> Self {
        let mut device = Self {
            me,
            docs: BTreeMap::new(),
            confirmed: BTreeMap::new(),
            unavailable: BTreeSet::new(),
            relay: None,
            cache: RecordCache::default(),
        };
        device.ensure_doc(device.me.directory);
        device
    }

    pub fn identity(&self) -> &Identity {
        &self.me
    }

    pub fn connected(&self) -> bool {
        self.relay.is_some()
    }

    /// The documents on this phone, with or without data yet.
    pub fn documents(&self) -> impl Iterator<Item = (&DocumentId, &DocSync)> {
        self.docs.iter()
    }

    /// Adds one stored chunk of `doc` (as written from [`Effects::store`]).
    pub fn load_chunk(&mut self, doc: DocumentId, chunk: &[u8]) -> Result<(), DeviceError> {
        let sync = self.ensure_doc(doc);
        sync.doc_mut()
            .load_incremental(chunk)
            .map(|_| ())
            .map_err(|e| DeviceError::CorruptChunk {
                doc,
                reason: e.to_string(),
            })
    }

    /// Restores the heads the relay confirmed for `doc` in an earlier session.
    pub fn load_confirmed(&mut self, doc: DocumentId, heads: Vec<ChangeHash>) {
        self.confirmed.insert(doc, sorted(heads));
    }

    /// The whole of `doc` as one chunk, to replace its stored chunks.
    pub fn snapshot(&mut self, doc: DocumentId) -> Option<Vec<u8>> {
        self.docs.get_mut(&doc).map(|s| s.doc_mut().save())
    }

    /// After loading: buildings the directory names become documents to
    /// fetch. Call once the stored chunks are in.
    pub fn discover(&mut self) -> Effects {
        let mut effects = Effects::default();
        self.discover_documents(&mut effects);
        effects
    }

    /// The first frame on a new connection.
    pub fn join(&mut self) -> Vec<u8> {
        self.relay = None;
        Message::Join {
            sender_id: self.me.peer.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
            peer_metadata: Some(PeerMetadata {
                storage_id: Some(self.me.storage_id.clone()),
                is_ephemeral: Some(false),
            }),
        }
        .encode()
    }

    /// The connection is gone: the next one starts every document afresh,
    /// assuming nothing the dead socket carried arrived.
    pub fn disconnected(&mut self) {
        if let Some(relay) = self.relay.take() {
            for sync in self.docs.values_mut() {
                sync.detach(&relay);
            }
        }
    }

    /// Takes one binary frame from the relay.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Effects, DeviceError> {
        let message = match Message::decode(frame, MAX_FRAME_BYTES) {
            Ok(m) => m,
            Err(DecodeError::UnknownType(_)) => return Ok(Effects::default()),
            Err(e) => return Err(DeviceError::Undecodable(e)),
        };
        let mut effects = Effects::default();
        match (message, self.relay.clone()) {
            (
                Message::Peer {
                    sender_id,
                    selected_protocol_version,
                    ..
                },
                None,
            ) => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(DeviceError::BadVersion(selected_protocol_version));
                }
                self.relay = Some(sender_id.clone());
                self.unavailable.clear();
                for sync in self.docs.values_mut() {
                    sync.attach(sender_id.clone(), Access::ReadWrite);
                    effects.send(sync.outgoing());
                }
            }
            (Message::Error { message, .. }, _) => return Err(DeviceError::RelayError(message)),
            (Message::Leave { .. }, _) => {
                return Err(DeviceError::RelayError("the relay left".to_owned()));
            }
            (Message::Sync(data), Some(relay)) => {
                self.on_sync(&relay, SyncKind::Sync, &data, &mut effects)
            }
            (Message::Request(data), Some(relay)) => {
                self.on_sync(&relay, SyncKind::Request, &data, &mut effects)
            }
            (Message::DocUnavailable { document_id, .. }, Some(relay)) => {
                if let Some(sync) = self.docs.get_mut(&document_id) {
                    sync.receive_unavailable(&relay);
                }
                // Nothing shown changes: a document the relay will not
                // share was never on a screen. (Redrawing for each of a
                // street's hundreds of buildings froze the first open.)
                self.unavailable.insert(document_id);
            }
            _ => {}
        }
        Ok(effects)
    }

    fn on_sync(&mut self, relay: &PeerId, kind: SyncKind, data: &SyncData, effects: &mut Effects) {
        let doc = data.document_id;
        let Some(sync) = self.docs.get_mut(&doc) else {
            // Not a document this phone asked for: nothing to keep.
            return;
        };
        match sync.receive(relay, kind, &data.data) {
            Ok(received) => {
                if !received.new_changes.is_empty() {
                    effects.store(doc, received.new_changes);
                    effects.changed = true;
                }
            }
            Err(e) => {
                // One bad message spoils only its document's exchange.
                effects.problems.push(e.to_string());
                return;
            }
        }
        self.unavailable.remove(&doc);
        let confirmed = sorted(sync.confirmed_heads(relay));
        if !confirmed.is_empty() && self.confirmed.get(&doc) != Some(&confirmed) {
            effects.confirm(doc, &confirmed);
            self.confirmed.insert(doc, confirmed);
            effects.changed = true;
        }
        effects.send(sync.outgoing());
        if doc == self.me.directory {
            self.discover_documents(effects);
        }
    }

    /// Runs `edit` in one automerge change on `doc`, signed by this phone's
    /// person and timed in seconds (as the CLI commits).
    pub(crate) fn change(
        &mut self,
        doc: DocumentId,
        now_ms: i64,
        edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<(), String>,
    ) -> Result<Effects, DeviceError> {
        let person = self.me.person.as_str().to_owned();
        let Some(sync) = self.docs.get_mut(&doc) else {
            return Err(DeviceError::Write(format!("document {doc} is not here")));
        };
        let before = sync.heads();
        let options = CommitOptions::default()
            .with_time(now_ms.div_euclid(1000))
            .with_message(person);
        sync.doc_mut()
            .transact_with(|_| options, |tx| edit(tx))
            .map_err(|f| DeviceError::Write(f.error))?;
        let mut effects = Effects::default();
        let chunk = sync.doc_mut().save_after(&before);
        if !chunk.is_empty() {
            effects.store(doc, chunk);
            effects.changed = true;
        }
        effects.send(sync.outgoing());
        Ok(effects)
    }

    /// This phone's changes the relay has not confirmed, over all documents.
    pub fn unconfirmed(&self) -> Unconfirmed {
        let mut total = Unconfirmed::default();
        for (id, sync) in &self.docs {
            let confirmed = self.confirmed.get(id).map(Vec::as_slice).unwrap_or(&[]);
            let one = linli_protocol::unconfirmed(sync.doc(), confirmed, |a| a == &self.me.actor);
            total.changes += one.changes;
            total.oldest_secs = match (total.oldest_secs, one.oldest_secs) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        total
    }

    fn record(&self, doc: &DocumentId) -> Record {
        match self.docs.get(doc) {
            Some(sync) => self.cache.record(*doc, sync.doc()),
            None => Record::Nothing,
        }
    }

    /// The street's directory, once it has arrived.
    pub fn directory(&self) -> Option<Rc<Directory>> {
        match self.record(&self.me.directory) {
            Record::Directory(d) => Some(d),
            _ => None,
        }
    }

    /// A building document's contents, when it is here and readable.
    pub fn building(&self, doc: &DocumentId) -> Option<building::Building> {
        match self.record(doc) {
            Record::Building(b) => Some((*b).clone()),
            _ => None,
        }
    }

    /// How many fields of `doc` hold concurrent values.
    pub fn conflict_count(&self, doc: &DocumentId) -> usize {
        self.docs
            .get(doc)
            .map_or(0, |sync| self.cache.conflicts(*doc, sync.doc()))
    }

    pub fn is_unavailable(&self, doc: &DocumentId) -> bool {
        self.unavailable.contains(doc)
    }

    pub(crate) fn building_of(&self, household: &HouseholdId) -> Option<DocumentId> {
        self.docs.keys().copied().find(|doc| {
            self.building(doc)
                .is_some_and(|b| b.households.contains_key(household))
        })
    }

    /// Every building, task board and team document the directory names
    /// becomes a document to ask the relay for. The relay answers
    /// "unavailable" for those this phone's token may not read, so they
    /// never show: access is the relay's, not the app's.
    fn discover_documents(&mut self, effects: &mut Effects) {
        let Some(directory) = self.directory() else {
            return;
        };
        let urls = directory
            .buildings
            .values()
            .filter_map(|b| b.doc.as_ref())
            .chain(directory.boards.values().filter_map(|b| b.doc.as_ref()))
            .chain(directory.teams.values().filter_map(|t| t.doc.as_ref()));
        let docs: Vec<DocumentId> = urls
            .filter_map(|url| DocumentId::parse_id_or_url(url.as_str()).ok())
            .collect();
        for doc in docs {
            if self.docs.contains_key(&doc) {
                continue;
            }
            let relay = self.relay.clone();
            let sync = self.ensure_doc(doc);
            if let Some(relay) = relay {
                sync.attach(relay, Access::ReadWrite);
                effects.send(sync.outgoing());
            }
        }
    }

    /// The task boards on this phone, with their documents.
    pub fn boards(&self) -> impl Iterator<Item = (DocumentId, TaskBoard)> + '_ {
        self.docs.keys().filter_map(|doc| match self.record(doc) {
            Record::Board(b) => Some((*doc, (*b).clone())),
            _ => None,
        })
    }

    fn teams(&self) -> impl Iterator<Item = Rc<Team>> + '_ {
        self.docs.keys().filter_map(|doc| match self.record(doc) {
            Record::Team(t) => Some(t),
            _ => None,
        })
    }

    /// The building documents on this phone, with their documents.
    pub fn buildings(&self) -> impl Iterator<Item = (DocumentId, building::Building)> + '_ {
        self.docs
            .keys()
            .filter_map(|doc| Some((*doc, self.building(doc)?)))
    }

    /// A volunteer's name, from a team document on this phone (volunteers
    /// and team leaders hold their team's; building heads hold none, and
    /// see the volunteer's id).
    pub fn volunteer_name(&self, id: &str) -> Option<String> {
        self.teams().find_map(|team| {
            team.volunteers
                .iter()
                .find(|(v, _)| v.as_str() == id)
                .map(|(_, v)| v.name.clone())
        })
    }

    /// The team listing `volunteer`, from a team document on this phone.
    pub fn team_of(&self, volunteer: &VolunteerId) -> Option<TeamId> {
        self.teams().find_map(|team| {
            team.volunteers
                .contains_key(volunteer)
                .then(|| team.team.id.clone())
        })
    }

    /// The automerge document `doc`, when it is on this phone.
    pub fn doc(&self, doc: &DocumentId) -> Option<&Automerge> {
        self.docs.get(doc).map(DocSync::doc)
    }

    fn ensure_doc(&mut self, doc: DocumentId) -> &mut DocSync {
        let me = &self.me;
        self.docs.entry(doc).or_insert_with(|| {
            DocSync::new(
                doc,
                me.peer.clone(),
                Automerge::new().with_actor(me.actor.clone()),
            )
            .requesting()
        })
    }
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// Parses a document id given as an automerge URL or bare id.
pub fn parse_doc(text: &str) -> Result<DocumentId, DeviceError> {
    DocumentId::parse_id_or_url(text).map_err(|_| DeviceError::BadDocumentId(text.to_owned()))
}

/// Parses heads stored as hex hashes.
pub fn parse_heads(hex_heads: &[String]) -> Vec<ChangeHash> {
    hex_heads
        .iter()
        .filter_map(|h| h.parse::<ChangeHash>().ok())
        .collect()
}
