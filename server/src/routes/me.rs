//! `GET /api/me`: who the request's token is, or why it is refused.
//!
//! A browser cannot read the HTTP status of a refused websocket upgrade
//! (it sees only close code 1006), so the field app asks here: at sign-in
//! to learn its role (a viewer gets no edit controls) and after a failed
//! connect to learn whether its token was revoked (then it signs out and
//! deletes the residents' data it holds). The `linli` CLI asks the same
//! after the relay refuses its upgrade with 401.
//!
//! Answers, always JSON and never cached:
//! - 200 `{"name": "wang-phone", "role": "building-head",
//!   "scope": ["building:b0103"], "directory": "automerge:…"}`
//!   (`directory` is null while the relay has none);
//! - 401 `{"error": "revoked"}`, `{"error": "unknown token"}` or
//!   `{"error": "missing token"}`.
//!
//! The token itself is never logged nor echoed.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::token;
use crate::state::AppState;

/// The answer for a good token.
#[derive(Debug, serde::Serialize)]
struct Me {
    name: String,
    role: &'static str,
    scope: Vec<String>,
    /// The street's directory document as an automerge URL.
    directory: Option<String>,
}

/// The answer for a refused one.
#[derive(Debug, serde::Serialize)]
struct Refused {
    error: &'static str,
}

pub async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let token = token::from_request(&headers, query.as_deref());
    let answer = match state
        .grants
        .authenticate_now(token.as_deref(), &state.storage)
        .await
    {
        Ok(grant) => Json(Me {
            name: grant.name,
            role: grant.role.as_str(),
            scope: grant.scope.items(),
            directory: state.relay.directory.id().map(|id| id.url()),
        })
        .into_response(),
        Err(refused) => (
            StatusCode::UNAUTHORIZED,
            Json(Refused {
                error: refused.code(),
            }),
        )
            .into_response(),
    };
    not_cached(answer)
}

/// A token's answer belongs to that token alone, and a revocation must
/// show at once: no cache (the service worker's included) may keep it.
fn not_cached(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
