//! Document ids and `automerge:` URLs.
//!
//! A [`DocumentId`] is 16 bytes (a v4 UUID when JavaScript peers make one),
//! written as bs58check text. An automerge URL is `automerge:` followed by
//! that text, optionally followed by a `/path` and a `#heads` suffix, which
//! linli parses and keeps but does not interpret.

use std::fmt;
use std::str::FromStr;

use rand_core::RngCore;

/// The scheme every automerge URL starts with.
pub const URL_PREFIX: &str = "automerge:";

/// A document's identity: 16 bytes, printed as bs58check.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a text is not a document id or automerge URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentIdError {
    #[error("document id {text:?} is not valid bs58check text (bad characters or checksum)")]
    NotBs58Check { text: String },
    #[error("document id {text:?} decodes to {len} bytes; a document id is 16 bytes")]
    WrongLength { text: String, len: usize },
    #[error("{text:?} is not an automerge URL: it must start with \"automerge:\"")]
    NotAnAutomergeUrl { text: String },
}

impl DocumentId {
    /// A document id from its 16 raw bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// A fresh random document id (a v4 UUID, as JavaScript peers make them).
    ///
    /// The caller passes the RNG: the core reads no entropy of its own, so a
    /// browser build can hand in `crypto.getRandomValues` and tests a seeded
    /// generator. Two devices must never make the same id, so in production
    /// pass a cryptographically seeded RNG (e.g. `rand::rng()`).
    pub fn random(rng: &mut (impl RngCore + ?Sized)) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }

    /// The 16 raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A document id from raw bytes of any length: errors unless 16.
    pub fn try_from_slice(bytes: &[u8]) -> Result<Self, DocumentIdError> {
        <[u8; 16]>::try_from(bytes)
            .map(Self)
            .map_err(|_| DocumentIdError::WrongLength {
                text: hex_of(bytes),
                len: bytes.len(),
            })
    }

    /// The `automerge:` URL of this document.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }

    /// Parses either a bare document id or an `automerge:` URL (the path and
    /// heads suffix, if any, are ignored).
    pub fn parse_id_or_url(text: &str) -> Result<Self, DocumentIdError> {
        if text.starts_with(URL_PREFIX) {
            Ok(text.parse::<AutomergeUrl>()?.document_id)
        } else {
            text.parse()
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = bs58::decode(text)
            .with_check(None)
            .into_vec()
            .map_err(|_| DocumentIdError::NotBs58Check {
                text: text.to_owned(),
            })?;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| DocumentIdError::WrongLength {
                text: text.to_owned(),
                len: bytes.len(),
            })
    }
}

/// A parsed `automerge:` URL: the document id plus the optional path and
/// heads suffix, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomergeUrl {
    pub document_id: DocumentId,
    /// Path segments after the id (`automerge:ID/a/b` gives `["a", "b"]`).
    pub path: Vec<String>,
    /// Heads after `#`, split on `|`, as bs58check text.
    pub heads: Vec<String>,
}

impl FromStr for AutomergeUrl {
    type Err = DocumentIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rest =
            text.strip_prefix(URL_PREFIX)
                .ok_or_else(|| DocumentIdError::NotAnAutomergeUrl {
                    text: text.to_owned(),
                })?;
        let (rest, heads) = match rest.split_once('#') {
            Some((before, heads)) => (
                before,
                heads
                    .split('|')
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            None => (rest, Vec::new()),
        };
        let mut segments = rest.split('/');
        let id = segments.next().unwrap_or_default();
        Ok(Self {
            document_id: id.parse()?,
            path: segments.map(str::to_owned).collect(),
            heads,
        })
    }
}

impl fmt::Display for AutomergeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{URL_PREFIX}{}", self.document_id)?;
        for seg in &self.path {
            write!(f, "/{seg}")?;
        }
        if !self.heads.is_empty() {
            write!(f, "#{}", self.heads.join("|"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn automerge_repo_fixture_id_round_trips() {
        let id: DocumentId = "4NMNnkMhL8jXrdJ9jamS58PAVdXu".parse().unwrap();
        assert_eq!(
            id.as_bytes().as_slice(),
            unhex("f1c29c8474c84adeb800be47627d33bf")
        );
        assert_eq!(id.to_string(), "4NMNnkMhL8jXrdJ9jamS58PAVdXu");
    }

    #[test]
    fn uuid_and_zero_vectors_encode_as_expected() {
        let uuid = DocumentId::try_from_slice(&unhex("00112233445546778899aabbccddeeff")).unwrap();
        assert_eq!(uuid.to_string(), "148vjpuxLmPtrT3kP4TEueSfUbc");
        assert_eq!(
            DocumentId::from_bytes([0; 16]).to_string(),
            "11111111111111114Ki9Gx"
        );
    }

    #[test]
    fn bad_ids_are_rejected_with_a_reason() {
        assert!(matches!(
            "automerge:badbadbad".parse::<AutomergeUrl>(),
            Err(DocumentIdError::NotBs58Check { .. })
        ));
        assert!(matches!(
            "4NMNnkMhL8jXrdJ9jamS58PAVdXv".parse::<DocumentId>(),
            Err(DocumentIdError::NotBs58Check { .. })
        ));
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert!(matches!(
            short.parse::<DocumentId>(),
            Err(DocumentIdError::WrongLength { len: 8, .. })
        ));
        assert!(matches!(
            "4NMNnkMhL8jXrdJ9jamS58PAVdXu".parse::<AutomergeUrl>(),
            Err(DocumentIdError::NotAnAutomergeUrl { .. })
        ));
    }

    #[test]
    fn url_with_path_and_heads_parses_and_prints_back() {
        let text = "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu/households/h1#abc|def";
        let url: AutomergeUrl = text.parse().unwrap();
        assert_eq!(url.document_id.to_string(), "4NMNnkMhL8jXrdJ9jamS58PAVdXu");
        assert_eq!(url.path, ["households", "h1"]);
        assert_eq!(url.heads, ["abc", "def"]);
        assert_eq!(url.to_string(), text);
        assert_eq!(DocumentId::parse_id_or_url(text).unwrap(), url.document_id);
    }

    #[test]
    fn random_ids_are_distinct_v4_uuids() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let a = DocumentId::random(&mut rng);
        let b = DocumentId::random(&mut rng);
        assert_ne!(a, b);
        assert_eq!(a.as_bytes()[6] >> 4, 4);
        assert_eq!(a.to_string().parse::<DocumentId>().unwrap(), a);
    }
}
