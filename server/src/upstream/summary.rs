//! The street summary (placeholder until written).

use crate::state::AppState;

/// Brings the street summary up to date.
pub(super) async fn refresh(_state: &AppState) {}
