//! The relay's in-memory copy of its token table.
//!
//! The admin CLI (`linli-relay token …`) writes the same SQLite file from
//! another process. The relay notices through SQLite's `data_version`
//! (polled a few times a second by the watcher in `watch.rs`), reloads,
//! and reports which tokens were revoked or changed so their connections
//! can be closed, each with the close code that says which.
//!
//! A revoked token stays in the table (with the time it was revoked), so
//! the relay can tell a device "revoked" rather than "unknown": the field
//! app deletes the residents' data it holds only for the former.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use linli_store::TokenRecord;
use tracing::warn;

use super::grant::{Grant, Role, Scope};
use super::token;
use crate::storage::{Storage, StorageError};

/// Why a request was not let in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error("this relay needs a token: send `Authorization: Bearer <token>` or `?token=`")]
    Missing,
    #[error("this token is not known on this relay")]
    Unknown,
    #[error("this token was revoked by the street office; ask them for a new one")]
    Revoked,
}

impl AuthError {
    /// The short word `GET /api/me` answers with in `{"error": …}`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing token",
            AuthError::Unknown => "unknown token",
            AuthError::Revoked => "revoked",
        }
    }
}

/// What happened to a token since the last reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenChange {
    pub name: String,
    /// Revoked (or gone from the table), rather than given another role or
    /// scope.
    pub revoked: bool,
}

#[derive(Clone)]
pub struct Grants {
    by_hash: Arc<RwLock<HashMap<Vec<u8>, Grant>>>,
    allow_anonymous: bool,
}

impl Grants {
    pub async fn load(storage: &Storage, allow_anonymous: bool) -> Result<Self, StorageError> {
        let grants = Self {
            by_hash: Arc::new(RwLock::new(HashMap::new())),
            allow_anonymous,
        };
        grants.refresh(storage).await?;
        Ok(grants)
    }

    /// The grant for a request's token. A token made moments ago by the
    /// admin CLI, not yet in memory, is looked up in storage.
    pub async fn authenticate(
        &self,
        token: Option<&str>,
        storage: &Storage,
    ) -> Result<Grant, AuthError> {
        let Some(token) = token else {
            return if self.allow_anonymous {
                Ok(Grant::anonymous())
            } else {
                Err(AuthError::Missing)
            };
        };
        let hash = token::hash(token);
        if let Some(grant) = self.cached(&hash) {
            return Ok(grant);
        }
        let grant = stored_grant(&hash, storage).await?;
        // Only this one token is added: a full reload here would hide other
        // tokens' revocations from the watcher that closes their connections.
        self.by_hash
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(hash, grant.clone());
        Ok(grant)
    }

    /// Like [`Self::authenticate`], but always from the token table, not
    /// the copy in memory (which follows it within a second): for
    /// `GET /api/me`, which a device asks exactly when it wants to know
    /// whether its token was just revoked.
    pub async fn authenticate_now(
        &self,
        token: Option<&str>,
        storage: &Storage,
    ) -> Result<Grant, AuthError> {
        match token {
            Some(token) => stored_grant(&token::hash(token), storage).await,
            None => self.authenticate(None, storage).await,
        }
    }

    fn cached(&self, hash: &[u8]) -> Option<Grant> {
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }

    /// Reloads from storage; returns the tokens that were revoked, removed
    /// or changed since the last load.
    pub async fn refresh(&self, storage: &Storage) -> Result<Vec<TokenChange>, StorageError> {
        let records = storage.tokens().await?;
        let mut fresh = HashMap::new();
        for r in records.into_iter().filter(|r| r.revoked_at.is_none()) {
            match grant_of(&r) {
                Ok(grant) => {
                    fresh.insert(r.hash, grant);
                }
                Err(e) => {
                    warn!(token = %r.name, error = %e, "ignoring a token with a bad role or scope")
                }
            }
        }
        let mut map = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        let changed = map
            .iter()
            .filter(|(hash, old)| fresh.get(*hash) != Some(*old))
            .map(|(hash, old)| TokenChange {
                name: old.name.clone(),
                revoked: !fresh.contains_key(hash),
            })
            .collect();
        *map = fresh;
        Ok(changed)
    }

    /// Every live token's grant.
    pub fn live(&self) -> Vec<Grant> {
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Number of live tokens.
    pub fn len(&self) -> usize {
        self.by_hash.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The grant of the token whose hash is `hash`, from the token table. A
/// lookup that fails counts as an unknown token: nobody gets in on an error.
async fn stored_grant(hash: &[u8], storage: &Storage) -> Result<Grant, AuthError> {
    let stored = storage.token_by_hash(hash).await.ok().flatten();
    let Some(record) = stored else {
        return Err(AuthError::Unknown);
    };
    if record.revoked_at.is_some() {
        return Err(AuthError::Revoked);
    }
    // A stored role or scope this relay cannot read lets no one in.
    grant_of(&record).map_err(|_| AuthError::Unknown)
}

/// A stored token's grant, if its role and scope still parse.
fn grant_of(r: &TokenRecord) -> Result<Grant, super::grant::GrantError> {
    let role: Role = r.role.parse()?;
    let scope: Scope = r.scope.parse()?;
    Grant::new(r.name.clone(), role, scope)
}
