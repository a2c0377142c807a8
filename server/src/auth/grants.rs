//! The relay's in-memory copy of its token table.
//!
//! The admin CLI (`linli-relay token …`) writes the same SQLite file from
//! another process. The relay notices through SQLite's `data_version`
//! (polled a few times a second by the watcher in `watch.rs`), reloads,
//! and reports which tokens were revoked or changed so their connections
//! can be closed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use linli_store::TokenRecord;
use tracing::warn;

use super::grant::{Grant, Role, Scope};
use super::token;
use crate::storage::{Storage, StorageError};

/// Why a request was not let in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("this relay needs a token: send `Authorization: Bearer <token>` or `?token=`")]
    Missing,
    #[error("the token is not valid on this relay (unknown or revoked)")]
    Invalid,
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
        let lookup = hash.clone();
        let stored = storage
            .run(move |s| s.token_by_hash(&lookup))
            .await
            .ok()
            .flatten();
        // Only this one token is added: a full reload here would hide other
        // tokens' revocations from the watcher that closes their connections.
        match stored
            .filter(|r| r.revoked_at.is_none())
            .map(|r| grant_of(&r))
        {
            Some(Ok(grant)) => {
                self.by_hash
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(hash, grant.clone());
                Ok(grant)
            }
            _ => Err(AuthError::Invalid),
        }
    }

    fn cached(&self, hash: &[u8]) -> Option<Grant> {
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }

    /// Reloads from storage; returns the names of tokens that were revoked,
    /// removed or changed since the last load.
    pub async fn refresh(&self, storage: &Storage) -> Result<Vec<String>, StorageError> {
        let records = storage.run(|s| s.tokens()).await?;
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
            .map(|(_, old)| old.name.clone())
            .collect();
        *map = fresh;
        Ok(changed)
    }

    /// Number of live tokens.
    pub fn len(&self) -> usize {
        self.by_hash.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stored token's grant, if its role and scope still parse.
fn grant_of(r: &TokenRecord) -> Result<Grant, super::grant::GrantError> {
    let role: Role = r.role.parse()?;
    let scope: Scope = r.scope.parse()?;
    Grant::new(r.name.clone(), role, scope)
}
