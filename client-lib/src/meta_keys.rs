//! Every metadata key the device keeps in its store, in one place, so two
//! parts of the client can never pick the same name for different things
//! (or different names for the same thing).
//!
//! Store-wide keys live in the store's `meta` table, per-document keys in
//! its `doc_meta` table. Renaming a key orphans what older versions stored
//! under it: add a new key and migrate instead.

/// store: this device's peer id, sent in `join` ([`crate::identity`]).
pub(crate) const PEER_ID: &str = "peer_id";
/// store: the storage id announced in the peer metadata.
pub(crate) const STORAGE_ID: &str = "storage_id";
/// store: the 8-byte prefix of every automerge actor this device uses.
pub(crate) const DEVICE_PREFIX: &str = "device_actor_prefix";
/// store: the relay URL (`linli init --relay`).
pub(crate) const RELAY_URL: &str = "relay_url";
/// store: the relay token. The store file is owner-only.
pub(crate) const RELAY_TOKEN: &str = "relay_token";
/// store: documents asked for but not received yet, one id per line.
pub(crate) const WANTED: &str = "wanted";
/// store: wanted documents the relay answered `doc-unavailable` for in the
/// last full sync (not shared with this device), one id per line
/// ([`crate::unshared`]).
pub(crate) const UNSHARED: &str = "unshared";
/// store: the street directory's document URL.
pub(crate) const DIRECTORY: &str = "directory";
/// store: the district directory's document URL, on a device that works
/// with a district hub (`linli district init` / `use`).
pub(crate) const DISTRICT: &str = "district";
/// store: the person id of this device's user.
pub(crate) const PERSON: &str = "person_id";

/// document: the heads the relay last confirmed holding (the 32-byte
/// hashes, sorted, concatenated; see [`crate::heads::encode`]). What they do
/// not cover is pending ([`crate::pending`]).
pub(crate) const RELAY_HEADS: &str = "relay_heads";
/// document: present when the relay said this device may only read it.
pub(crate) const READ_ONLY: &str = "read_only";
