//! What the `linli-relay` admin subcommands do to the relay's database:
//! tokens, the directory setting, the audit log. They work on the SQLite
//! file directly, also while the relay runs; the relay notices within a
//! second.

use std::io::Write;
use std::path::Path;

use linli_protocol::DocumentId;
use linli_store::{AuditEntry, Store, StoreError, TokenRecord};

use crate::auth::{Grant, GrantError, Role, Scope, token};

/// Meta key of the street's directory document id.
pub const DIRECTORY_KEY: &str = "relay.directory";

/// File in the data folder holding the first street-admin token.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Grant(#[from] GrantError),
    #[error("no live token named {0:?}")]
    NoSuchToken(String),
    #[error("{0}")]
    BadDocument(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl From<crate::storage::StorageError> for AdminError {
    fn from(e: crate::storage::StorageError) -> Self {
        match e {
            crate::storage::StorageError::Store(e) => AdminError::Store(e),
            crate::storage::StorageError::Task(e) => AdminError::Store(StoreError::backend(e)),
        }
    }
}

/// A new token created at `now` (milliseconds since the epoch): the record
/// to store (its hash only) and the secret to show once.
pub fn new_token(
    name: &str,
    role: Role,
    scope: &str,
    now: i64,
) -> Result<(TokenRecord, String), AdminError> {
    let scope: Scope = scope.parse()?;
    let grant = Grant::new(name.to_owned(), role, scope)?;
    let secret = token::generate();
    let record = TokenRecord {
        name: grant.name,
        role: role.as_str().to_owned(),
        scope: grant.scope.to_string(),
        hash: token::hash(&secret),
        created_at: now,
        revoked_at: None,
    };
    Ok((record, secret))
}

/// Makes a token created at `now` (milliseconds since the epoch) and
/// returns its secret, which is stored only as a hash.
pub fn create_token(
    store: &mut Store,
    name: &str,
    role: Role,
    scope: &str,
    now: i64,
) -> Result<String, AdminError> {
    let (record, secret) = new_token(name, role, scope, now)?;
    store.token_insert(&record)?;
    Ok(secret)
}

/// [`create_token`] on either backend.
pub async fn create_token_in(
    storage: &crate::storage::Storage,
    name: &str,
    role: Role,
    scope: &str,
    now: i64,
) -> Result<String, AdminError> {
    let (record, secret) = new_token(name, role, scope, now)?;
    storage.token_insert(record).await?;
    Ok(secret)
}

/// [`revoke_token`] on either backend.
pub async fn revoke_token_in(
    storage: &crate::storage::Storage,
    name: &str,
    now: i64,
) -> Result<(), AdminError> {
    if storage.token_revoke(name, now).await? {
        Ok(())
    } else {
        Err(AdminError::NoSuchToken(name.to_owned()))
    }
}

/// [`rescope_token`] on either backend.
pub async fn rescope_token_in(
    storage: &crate::storage::Storage,
    name: &str,
    scope: &str,
) -> Result<(), AdminError> {
    let scope: Scope = scope.parse()?;
    let record = storage
        .tokens()
        .await?
        .into_iter()
        .find(|t| t.name == name && t.revoked_at.is_none())
        .ok_or_else(|| AdminError::NoSuchToken(name.to_owned()))?;
    let role: Role = record.role.parse()?;
    Grant::new(name.to_owned(), role, scope.clone())?;
    storage.token_set_scope(name, &scope.to_string()).await?;
    Ok(())
}

/// [`ensure_first_admin`] on either backend.
pub async fn ensure_first_admin_in(
    storage: &crate::storage::Storage,
    data: &Path,
    now: i64,
) -> Result<Option<String>, AdminError> {
    if !storage.tokens().await?.is_empty() {
        return Ok(None);
    }
    let secret = create_token_in(storage, "street-admin", Role::StreetAdmin, "", now).await?;
    let path = data.join(ADMIN_TOKEN_FILE);
    write_owner_only(&path, format!("{secret}\n").as_bytes())
        .map_err(|source| AdminError::Io { path, source })?;
    Ok(Some(secret))
}

/// Revokes `name` as of `now` (milliseconds since the epoch).
pub fn revoke_token(store: &mut Store, name: &str, now: i64) -> Result<(), AdminError> {
    if store.token_revoke(name, now)? {
        Ok(())
    } else {
        Err(AdminError::NoSuchToken(name.to_owned()))
    }
}

pub fn rescope_token(store: &mut Store, name: &str, scope: &str) -> Result<(), AdminError> {
    let scope: Scope = scope.parse()?;
    let record = store
        .tokens()?
        .into_iter()
        .find(|t| t.name == name && t.revoked_at.is_none())
        .ok_or_else(|| AdminError::NoSuchToken(name.to_owned()))?;
    let role: Role = record.role.parse()?;
    Grant::new(name.to_owned(), role, scope.clone())?;
    store.token_set_scope(name, &scope.to_string())?;
    Ok(())
}

/// On a relay with no tokens at all, makes a street-admin token, writes it
/// to `<data>/admin-token` (owner-only) and returns it, so it can be shown
/// once. Otherwise `None`. `now` is the time it is made.
pub fn ensure_first_admin(
    store: &mut Store,
    data: &Path,
    now: i64,
) -> Result<Option<String>, AdminError> {
    if !store.tokens()?.is_empty() {
        return Ok(None);
    }
    let secret = create_token(store, "street-admin", Role::StreetAdmin, "", now)?;
    let path = data.join(ADMIN_TOKEN_FILE);
    write_owner_only(&path, format!("{secret}\n").as_bytes())
        .map_err(|source| AdminError::Io { path, source })?;
    Ok(Some(secret))
}

fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Records which document is the street's directory.
pub fn set_directory(store: &mut Store, url: &str) -> Result<DocumentId, AdminError> {
    let id =
        DocumentId::parse_id_or_url(url).map_err(|e| AdminError::BadDocument(e.to_string()))?;
    store.meta_set(DIRECTORY_KEY, id.to_string().as_bytes())?;
    Ok(id)
}

pub fn directory(store: &Store) -> Result<Option<DocumentId>, StoreError> {
    Ok(parse_directory(store.meta_get(DIRECTORY_KEY)?))
}

/// The directory setting as stored (`None` if unset or unreadable).
pub fn parse_directory(stored: Option<Vec<u8>>) -> Option<DocumentId> {
    stored
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
}

pub fn audit(store: &Store, doc: &str, since: i64) -> Result<Vec<AuditEntry>, AdminError> {
    let id =
        DocumentId::parse_id_or_url(doc).map_err(|e| AdminError::BadDocument(e.to_string()))?;
    Ok(store.audit(&id, since)?)
}
