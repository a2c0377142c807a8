//! The street summary, kept by the relay itself: counts only, computed with
//! the records code from the street's buildings and boards
//! ([`linli_records::summary`]), written into a document of its own that
//! the street's directory names (`summary`), so it goes up with the rest.
//!
//! Debounced: the relay looks every few seconds whether any of the street's
//! documents changed since the last summary, and only then recomputes;
//! writing an unchanged summary makes no change, so the hub sees a new
//! version only when a figure moved.

use std::time::Duration;

use linli_protocol::DocumentId;
use linli_records::district;
use linli_records::ids::DocUrl;
use linli_store::{ChangeCursor, DocumentStore};
use tracing::{info, warn};

use super::down::{in_task, transact};
use crate::auth::Grant;
use crate::office::Want;
use crate::office::key_groups::KEY_TAGS;
use crate::state::AppState;

/// How often the relay looks for changes to summarise.
const EVERY: Duration = Duration::from_secs(2);
/// A key household not visited in this many days counts as not visited.
const NOT_VISITED_DAYS: u32 = 30;

/// Keeps the summary up to date until the relay shuts down.
pub(super) async fn run(state: AppState) {
    let mut cursor = ChangeCursor::START;
    // The first summary is written at once, so it goes up with the rest
    // when the link first comes up; then every EVERY.
    let mut first = true;
    loop {
        if !std::mem::take(&mut first) {
            tokio::select! {
                () = state.shutdown.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
        let changed = match state.storage.changed_since(cursor).await {
            Ok(c) => c,
            Err(e) => {
                warn!(error = %e, "cannot tell what changed; the summary waits");
                continue;
            }
        };
        let summary_doc = summary_id(&state).await;
        if changed.docs.iter().all(|d| Some(*d) == summary_doc) {
            cursor = changed.cursor;
            continue;
        }
        if refresh(&state, summary_doc).await {
            cursor = changed.cursor;
        }
    }
}

/// The summary document the directory names, if any.
async fn summary_id(state: &AppState) -> Option<DocumentId> {
    let dir = state.relay.directory.id()?;
    in_task(&state.relay.docs, dir, |d| {
        Ok(district::summary_url(&*d)
            .ok()
            .flatten()
            .and_then(|u| DocumentId::parse_id_or_url(u.as_str()).ok()))
    })
    .await
    .flatten()
}

/// Recomputes and writes the summary (creating its document and naming it
/// in the directory the first time); whether it is done.
async fn refresh(state: &AppState, existing: Option<DocumentId>) -> bool {
    let Some(dir) = state.relay.directory.id() else {
        return false;
    };
    let index = state.relay.directory.index();
    let want = Want {
        buildings: true,
        teams: false,
        boards: true,
    };
    let street = match state
        .office
        .street(&state.storage, Some(dir), &index, &Grant::anonymous(), want)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            warn!(error = %e, "cannot read the street for its summary");
            return false;
        }
    };
    let buildings: Vec<(String, linli_records::building::Building)> = street
        .buildings
        .iter()
        .map(|(id, b)| (id.to_string(), (**b).clone()))
        .collect();
    let summary = linli_records::summary::compute(
        &street.directory,
        &buildings,
        &street.board_values(),
        KEY_TAGS,
        NOT_VISITED_DAYS,
        crate::wall_clock_millis(),
    );
    let doc = existing.unwrap_or_else(|| DocumentId::random(&mut rand::rng()));
    let written = in_task(&state.relay.docs, doc, move |d| {
        transact(d, |tx| {
            linli_records::summary::write(tx, &summary).map_err(|e| e.to_string())
        })
    })
    .await;
    if written.is_none() {
        return false;
    }
    if existing.is_none() {
        let Ok(url) = DocUrl::new(doc.url()) else {
            return false;
        };
        let named = in_task(&state.relay.docs, dir, move |d| {
            transact(d, |tx| {
                district::set_summary_url(tx, &url).map_err(|e| e.to_string())
            })
        })
        .await;
        if named.is_none() {
            return false;
        }
        info!(summary = %doc, "the street summary document is made and named in the directory");
    }
    true
}
