//! The device's settings, kept in the store's metadata so every process
//! using the same directory shares them: the relay and its token, the
//! street directory and the person using the device.

use linli_protocol::DocumentId;

use crate::relay::normalize_url;
use crate::{Client, ClientError, meta_keys};

impl Client {
    /// Remembers `url` (a `ws://` or `wss://` URL; a URL without a path gets
    /// `/sync`) as this store's relay and returns it as stored.
    pub fn set_relay(&self, url: &str) -> Result<String, ClientError> {
        let url = normalize_url(url)?;
        self.inner
            .store
            .meta_set(meta_keys::RELAY_URL, url.as_bytes())?;
        Ok(url)
    }

    /// Remembers this device's relay token in the local store (an
    /// owner-only file), so `linli sync` needs no token on its command line.
    pub fn set_token(&self, token: &str) -> Result<(), ClientError> {
        self.inner
            .store
            .meta_set(meta_keys::RELAY_TOKEN, token.as_bytes())
    }

    /// The token saved with [`Client::set_token`], if any.
    pub fn token(&self) -> Result<Option<String>, ClientError> {
        let stored = self.inner.store.meta_get(meta_keys::RELAY_TOKEN)?;
        Ok(stored.and_then(|b| String::from_utf8(b).ok()))
    }

    /// The relay URL set with [`Client::set_relay`], if any.
    pub fn relay(&self) -> Result<Option<String>, ClientError> {
        let stored = self.inner.store.meta_get(meta_keys::RELAY_URL)?;
        stored
            .map(|bytes| {
                String::from_utf8(bytes).map_err(|_| ClientError::BadMeta {
                    key: meta_keys::RELAY_URL.to_owned(),
                    reason: "not UTF-8 text".to_owned(),
                })
            })
            .transpose()
    }

    /// The street directory this device works with, if one is remembered.
    pub fn directory_id(&self) -> Result<Option<DocumentId>, ClientError> {
        let Some(bytes) = self.inner.store.meta_get(meta_keys::DIRECTORY)? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes);
        DocumentId::parse_id_or_url(text.trim())
            .map(Some)
            .map_err(|e| ClientError::BadMeta {
                key: meta_keys::DIRECTORY.to_owned(),
                reason: e.to_string(),
            })
    }

    /// Remembers `doc` as this device's street directory.
    pub fn set_directory_id(&self, doc: DocumentId) -> Result<(), ClientError> {
        self.inner
            .store
            .meta_set(meta_keys::DIRECTORY, doc.url().as_bytes())
    }

    /// The district directory this device works with on a district hub,
    /// if one is remembered. Kept apart from the street directory: a
    /// district office's device reads streets' directories too.
    pub fn district_id(&self) -> Result<Option<DocumentId>, ClientError> {
        let Some(bytes) = self.inner.store.meta_get(meta_keys::DISTRICT)? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes);
        DocumentId::parse_id_or_url(text.trim())
            .map(Some)
            .map_err(|e| ClientError::BadMeta {
                key: meta_keys::DISTRICT.to_owned(),
                reason: e.to_string(),
            })
    }

    /// Remembers `doc` as this device's district directory.
    pub fn set_district_id(&self, doc: DocumentId) -> Result<(), ClientError> {
        self.inner
            .store
            .meta_set(meta_keys::DISTRICT, doc.url().as_bytes())
    }

    /// The person id of this device's user, if one was set.
    pub fn person_id(&self) -> Result<Option<String>, ClientError> {
        let stored = self.inner.store.meta_get(meta_keys::PERSON)?;
        Ok(stored.and_then(|b| String::from_utf8(b).ok()))
    }

    /// Remembers the person id of this device's user.
    pub fn set_person_id(&self, person: &str) -> Result<(), ClientError> {
        self.inner
            .store
            .meta_set(meta_keys::PERSON, person.as_bytes())
    }
}
