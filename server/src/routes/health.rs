//! Probes for supervisors and load balancers.
//!
//! `/livez` says only that the process answers: a supervisor that restarts
//! on it must not restart a relay whose disk is full, since a restart does
//! not make room. `/readyz` says whether the relay should be sent traffic:
//! its storage takes writes and it is not shutting down (from the first
//! stop signal on, through `--drain-secs`). Neither depends on
//! any other relay being reachable. `/healthz` stays what it always was, an
//! alias of `/livez`, so existing probes keep their meaning.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn livez() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.is_cancelled() || state.shutdown.is_cancelled() {
        return unready("draining: the relay is shutting down");
    }
    match state.storage.check_writable().await {
        Ok(()) => "ok\n".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: storage does not take writes");
            unready(&format!("storage is not writable: {e}"))
        }
    }
}

fn unready(reason: &str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")).into_response()
}
