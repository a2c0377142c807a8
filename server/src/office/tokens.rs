//! The office's token endpoints: list, create, rescope and revoke, for
//! street-admin tokens only. Each does what the `linli-relay token …`
//! command does (the same [`crate::admin`] functions on the same table),
//! and then applies it at once: a revoked or rescoped token's live
//! connections close as the admin CLI's would (within the watcher's
//! second; here without waiting for it). Every change is logged with the
//! name of the admin token that made it, never a secret.

use linli_records::directory::Directory;
use linli_store::TokenRecord;
use serde::{Deserialize, Serialize};
use tracing::info;

use super::OfficeError;
use crate::admin;
use crate::auth::{Grant, Role, Scope};
use crate::sign_in_link::{sign_in_link, svg_qr};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct TokenRow {
    pub name: String,
    pub role: String,
    pub scope: Vec<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub connected: usize,
}

pub fn rows(tokens: &[TokenRecord], state: &AppState) -> Vec<TokenRow> {
    let (live, _) = state.relay.peers.activity();
    let mut rows: Vec<TokenRow> = tokens
        .iter()
        .map(|t| TokenRow {
            name: t.name.clone(),
            role: t.role.clone(),
            scope: scope_items(&t.scope),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
            connected: live.get(&t.name).copied().unwrap_or(0),
        })
        .collect();
    rows.sort_by(|a, b| (a.revoked_at.is_some(), &a.name).cmp(&(b.revoked_at.is_some(), &b.name)));
    rows
}

/// A stored scope (`building:b1,team:t1`) as its items.
pub fn scope_items(scope: &str) -> Vec<String> {
    scope
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A token to make.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    pub name: String,
    pub role: String,
    /// `building:ID`, `community:ID`, `team:ID` items.
    #[serde(default)]
    pub scope: Vec<String>,
    /// The person id the device writes as; default: the name.
    #[serde(default)]
    pub person: Option<String>,
    /// Where phones open the app: the page sends the address it was
    /// opened at, which is the relay's address as people reach it.
    #[serde(default)]
    pub public_url: Option<String>,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Serialize)]
pub struct Created {
    pub name: String,
    pub role: String,
    pub token: String,
    pub link: Option<String>,
    pub qr_svg: Option<String>,
}

/// `items` as a scope whose every id is in the directory: the page picks
/// them from the directory, and a typo must not make a token that sees
/// nothing.
pub fn checked_scope(items: &[String], directory: &Directory) -> Result<Scope, OfficeError> {
    let scope: Scope = items
        .join(",")
        .parse()
        .map_err(|e: crate::auth::GrantError| OfficeError::BadRequest(e.to_string()))?;
    let unknown = |what: &str, id: &str| {
        OfficeError::BadRequest(format!("no {what} {id:?} in the street directory"))
    };
    for b in &scope.buildings {
        if !directory.buildings.keys().any(|k| k.as_str() == b) {
            return Err(unknown("building", b));
        }
    }
    for c in &scope.communities {
        if !directory.communities.keys().any(|k| k.as_str() == c) {
            return Err(unknown("community", c));
        }
    }
    for t in &scope.teams {
        if !directory.teams.keys().any(|k| k.as_str() == t) {
            return Err(unknown("team", t));
        }
    }
    for a in &scope.areas {
        if !directory.areas.keys().any(|k| k.as_str() == a) {
            return Err(unknown("area", a));
        }
    }
    for k in &scope.compounds {
        if !directory.compounds.keys().any(|c| c.as_str() == k) {
            return Err(unknown("compound", k));
        }
    }
    Ok(scope)
}

pub async fn create(
    state: &AppState,
    by: &Grant,
    req: NewToken,
    directory: &Directory,
) -> Result<Created, OfficeError> {
    let role: Role = req
        .role
        .parse()
        .map_err(|e: crate::auth::GrantError| OfficeError::BadRequest(e.to_string()))?;
    let name = req.name.trim().to_owned();
    if name.is_empty() {
        return Err(OfficeError::BadRequest("a token needs a name".into()));
    }
    let scope = checked_scope(&req.scope, directory)?;
    let public_url = req.public_url.clone();
    if let Some(url) = &public_url {
        crate::sign_in_link::app_url(url).map_err(|e| OfficeError::BadRequest(e.to_string()))?;
    }
    let now = crate::wall_clock_millis();
    let secret = match admin::create_token_in(&state.storage, &name, role, &scope.to_string(), now)
        .await
    {
        Ok(secret) => secret,
        Err(admin::AdminError::Store(e)) if e.kind() == linli_store::ErrorKind::AlreadyExists => {
            return Err(OfficeError::BadRequest(format!(
                "a token named {name:?} exists already; pick another name"
            )));
        }
        Err(admin::AdminError::Grant(e)) => return Err(OfficeError::BadRequest(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    info!(by = %by.name, token = %name, role = %role, "token created from the office page");
    refresh(state).await;
    let directory_id = state.relay.directory.id();
    let person = req
        .person
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(&name);
    let link = match (public_url, directory_id) {
        (Some(url), Some(dir)) => sign_in_link(&url, &secret, &dir, person).ok(),
        _ => None,
    };
    let qr_svg = link.as_deref().and_then(svg_qr);
    Ok(Created {
        name,
        role: role.as_str().to_owned(),
        token: secret,
        link,
        qr_svg,
    })
}

pub async fn revoke(state: &AppState, by: &Grant, name: &str) -> Result<(), OfficeError> {
    if name == by.name {
        return Err(OfficeError::BadRequest(
            "a token cannot revoke itself here; use another street-admin token or the admin CLI"
                .into(),
        ));
    }
    let now = crate::wall_clock_millis();
    let found = state.storage.token_revoke(name, now).await?;
    if !found {
        return Err(admin::AdminError::NoSuchToken(name.to_owned()).into());
    }
    info!(by = %by.name, token = %name, "token revoked from the office page");
    refresh(state).await;
    Ok(())
}

pub async fn rescope(
    state: &AppState,
    by: &Grant,
    name: &str,
    items: &[String],
    directory: &Directory,
) -> Result<(), OfficeError> {
    let scope = checked_scope(items, directory)?.to_string();
    let outcome = admin::rescope_token_in(&state.storage, name, &scope).await;
    match outcome {
        Ok(()) => {}
        Err(admin::AdminError::Grant(e)) => return Err(OfficeError::BadRequest(e.to_string())),
        Err(e) => return Err(e.into()),
    }
    info!(by = %by.name, token = %name, "token rescoped from the office page");
    refresh(state).await;
    Ok(())
}

async fn refresh(state: &AppState) {
    crate::watch::refresh_tokens(
        &state.storage,
        &state.grants,
        &state.relay.peers,
        &state.relay.metrics,
    )
    .await;
}
