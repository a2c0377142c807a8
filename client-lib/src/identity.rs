//! Who this device is, kept in the store's metadata so every process using
//! the same directory speaks as the same peer.
//!
//! - the peer id (`linli-<hex>`), sent in `join`;
//! - the storage id (a UUID), sent as `peerMetadata.storageId`;
//! - an 8-byte device prefix. Each [`Client`](crate::Client) edits with a
//!   fresh automerge actor id made of this prefix and 8 random bytes: two
//!   processes editing the same document never reuse an actor's sequence
//!   numbers, and "this device's changes" (what counts as pending) are those
//!   whose actor starts with the prefix.

use automerge::ActorId;
use linli_protocol::{PeerId, handshake};
use linli_store::Store;

use crate::{ClientError, meta_keys};

/// Length of the device part of every actor id this device uses.
pub(crate) const DEVICE_PREFIX_LEN: usize = 8;

#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub peer_id: PeerId,
    pub storage_id: String,
    pub device_prefix: [u8; DEVICE_PREFIX_LEN],
}

impl Identity {
    /// Reads the identity from `store`, creating and saving what is missing.
    pub(crate) fn load_or_create(store: &mut Store) -> Result<Self, ClientError> {
        let peer_id = match store.meta_get(meta_keys::PEER_ID)? {
            Some(bytes) => PeerId::new(text(meta_keys::PEER_ID, bytes)?),
            None => {
                let id = PeerId::random("linli", &mut rand::rng());
                store.meta_set(meta_keys::PEER_ID, id.as_str().as_bytes())?;
                id
            }
        };
        let storage_id = match store.meta_get(meta_keys::STORAGE_ID)? {
            Some(bytes) => text(meta_keys::STORAGE_ID, bytes)?,
            None => {
                let id = handshake::new_storage_id(&mut rand::rng());
                store.meta_set(meta_keys::STORAGE_ID, id.as_bytes())?;
                id
            }
        };
        let device_prefix = match store.meta_get(meta_keys::DEVICE_PREFIX)? {
            Some(bytes) => <[u8; DEVICE_PREFIX_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
                ClientError::BadMeta {
                    key: meta_keys::DEVICE_PREFIX.to_owned(),
                    reason: format!("{} bytes instead of {DEVICE_PREFIX_LEN}", bytes.len()),
                }
            })?,
            None => {
                let prefix: [u8; DEVICE_PREFIX_LEN] = rand::random();
                store.meta_set(meta_keys::DEVICE_PREFIX, &prefix)?;
                prefix
            }
        };
        Ok(Self {
            peer_id,
            storage_id,
            device_prefix,
        })
    }

    /// A fresh actor id for one client's edits: device prefix + 8 random bytes.
    pub(crate) fn new_actor(&self) -> ActorId {
        let suffix: [u8; 8] = rand::random();
        let mut bytes = self.device_prefix.to_vec();
        bytes.extend_from_slice(&suffix);
        ActorId::from(bytes)
    }

    /// Whether `actor` is one of this device's.
    pub(crate) fn is_ours(&self, actor: &ActorId) -> bool {
        actor.to_bytes().starts_with(&self.device_prefix)
    }
}

fn text(key: &str, bytes: Vec<u8>) -> Result<String, ClientError> {
    let s = String::from_utf8(bytes).map_err(|_| ClientError::BadMeta {
        key: key.to_owned(),
        reason: "not UTF-8 text".to_owned(),
    })?;
    if s.is_empty() {
        return Err(ClientError::BadMeta {
            key: key.to_owned(),
            reason: "empty".to_owned(),
        });
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let first = Identity::load_or_create(&mut Store::open(&path).unwrap()).unwrap();
        let again = Identity::load_or_create(&mut Store::open(&path).unwrap()).unwrap();
        assert_eq!(first.peer_id, again.peer_id);
        assert_eq!(first.storage_id, again.storage_id);
        assert_eq!(first.device_prefix, again.device_prefix);
        assert!(first.peer_id.as_str().starts_with("linli-"));
        assert_eq!(first.storage_id.len(), 36);
        assert_eq!(first.storage_id.matches('-').count(), 4);
    }

    #[test]
    fn actors_differ_per_client_but_are_all_recognised_as_ours() {
        let dir = tempfile::tempdir().unwrap();
        let id =
            Identity::load_or_create(&mut Store::open(&dir.path().join("s")).unwrap()).unwrap();
        let (a, b) = (id.new_actor(), id.new_actor());
        assert_ne!(a, b);
        assert!(id.is_ours(&a) && id.is_ours(&b));
        assert!(!id.is_ours(&ActorId::random()));
    }
}
