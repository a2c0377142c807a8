//! The link's loop: dial, run the session, offer what is shared, keep the
//! status; on any end, wait (backoff with jitter) and dial again.

use std::collections::HashMap;
use std::time::Duration;

use linli_protocol::{DocumentId, PeerId};
use rand::Rng;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{info, warn};

use super::dial::{self, DialError};
use super::status::{META_KEY, SharedDoc, UpstreamStatus};
use crate::auth::Grant;
use crate::connection;
use crate::doc_actor::DocCommand;
use crate::outbound::{ConnRef, Outbound};
use crate::state::AppState;
use linli_store::DocumentStore;

/// The first wait after a failure, and the longest.
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often the link looks for newly shared documents, checks what the
/// hub has, and follows the district's shared boards.
const TICK: Duration = Duration::from_millis(500);
/// The token name the hub's changes are audited under on the street.
const HUB_TOKEN: &str = "upstream-hub";

/// Starts the link to `url` (with `token`) as a task of the relay; it ends
/// when the relay shuts down.
/// `reoffer`: a shared document the hub still lacks this long after it was
/// offered is offered again from scratch (`--upstream-reoffer-secs`).
pub fn spawn(state: &AppState, url: String, token: Option<String>, reoffer: Duration) {
    let state = state.clone();
    let tasks = state.tasks.clone();
    tasks.spawn(super::summary::run(state.clone()));
    tasks.spawn(async move {
        run(state, url, token, reoffer).await;
    });
}

async fn run(state: AppState, url: String, token: Option<String>, reoffer: Duration) {
    let mut wait = BACKOFF_MIN;
    let mut status = UpstreamStatus {
        hub: strip_query(&url),
        ..UpstreamStatus::default()
    };
    loop {
        let dialing = dial::dial(
            &url,
            token.as_deref(),
            &state.relay.relay_id,
            &state.limits.storage_id,
            state.limits.max_message_bytes,
        );
        let dialed = tokio::select! {
            () = state.shutdown.cancelled() => return,
            d = dialing => d,
        };
        match dialed {
            Ok(link) => {
                info!(hub = %status.hub, "upstream link up");
                status.last_error = None;
                let opened = Instant::now();
                run_link(&state, link, &mut status, reoffer).await;
                state.relay.metrics.upstream_connected(false);
                status.connected = false;
                write_status(&state, &mut status).await;
                if opened.elapsed() > BACKOFF_MAX {
                    wait = BACKOFF_MIN;
                }
                info!(hub = %status.hub, "upstream link down");
            }
            Err(e) => {
                if matches!(e, DialError::Refused(_)) {
                    // Retrying soon will not help; retrying later may
                    // (a new token, a fixed configuration).
                    wait = BACKOFF_MAX;
                    warn!(hub = %status.hub, error = %e, "upstream link refused");
                } else {
                    info!(hub = %status.hub, error = %e, "upstream link failed");
                }
                status.last_error = Some(e.to_string());
                write_status(&state, &mut status).await;
            }
        }
        let delay = wait / 2 + wait.mul_f64(rand::rng().random_range(0.0..0.5));
        wait = (wait * 2).min(BACKOFF_MAX);
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Runs one connection to its end: the session, and beside it the offers,
/// the status and the district's boards.
async fn run_link<S>(
    state: &AppState,
    link: dial::Dialed<S>,
    status: &mut UpstreamStatus,
    reoffer: Duration,
) where
    S: futures::Stream<Item = linli_protocol::Frame>
        + futures::Sink<linli_protocol::Frame>
        + Unpin
        + Send,
{
    let dial::Dialed {
        socket,
        hub,
        path,
        district,
    } = link;
    tracing::debug!(hub = %hub, ?district, above = path.len(), "upstream handshake done");
    state.upstream.set_above(path);
    if let Some(d) = district {
        state.relay.directory.set_district(d);
    }
    let (opened, conn) = oneshot::channel();
    let session = connection::run_dialed(
        socket,
        state.relay.clone(),
        Grant::hub(HUB_TOKEN),
        state.limits.clone(),
        state.shutdown.clone(),
        hub.clone(),
        opened,
    );
    let driver = async {
        let Ok(conn) = conn.await else { return };
        state.relay.metrics.upstream_connected(true);
        status.connected = true;
        drive(state, &conn, &hub, district, status, reoffer).await;
    };
    tokio::select! {
        () = session => {}
        () = driver => {}
    }
}

/// Every [`TICK`] while the link is up: offers newly shared documents,
/// re-offers what the hub keeps lacking (after `reoffer`), asks what the hub has, registers
/// the district's boards. Never returns by itself.
async fn drive(
    state: &AppState,
    conn: &ConnRef,
    hub: &PeerId,
    district: Option<DocumentId>,
    status: &mut UpstreamStatus,
    reoffer: Duration,
) {
    let mut offered: HashMap<DocumentId, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let index = state.relay.directory.index();
        let mut shared: Vec<DocumentId> = index.shared_up().copied().collect();
        shared.sort_by_key(|d| d.url());
        let mut documents = Vec::with_capacity(shared.len());
        // The hub learns what belongs to this street from this street's
        // directory: a board offered before the hub holds the directory
        // naming it is refused, and would wait for the re-offer. So the
        // directory goes first, and every other document is first offered
        // once the hub's heads cover the directory (the hub indexes a
        // directory before it answers, so it knows the document by then).
        let directory = state.relay.directory.id();
        let directory_covered = match directory {
            Some(d) => covered(state, d, hub).await,
            None => false,
        };
        for doc in &shared {
            let first = Some(*doc) == directory;
            let covered = if first {
                directory_covered
            } else {
                covered(state, *doc, hub).await
            };
            let now = Instant::now();
            match offered.get(doc) {
                None if first || directory_covered => {
                    conn.send(Outbound::Offer(*doc, false));
                    offered.insert(*doc, now);
                }
                None => {}
                Some(at) if !covered && now.duration_since(*at) > reoffer => {
                    conn.send(Outbound::Offer(*doc, true));
                    offered.insert(*doc, now);
                }
                Some(_) => {}
            }
            state
                .relay
                .metrics
                .upstream_document_covered(&doc.url(), covered);
            documents.push(SharedDoc {
                doc: doc.url(),
                covered,
            });
        }
        status.documents = documents;
        write_status(state, status).await;
        if let (Some(district), Some(street)) = (district, state.relay.directory.id()) {
            super::down::register(&state.relay.docs, district, street).await;
        }
    }
}

/// Whether the hub's heads cover this relay's for `doc`.
async fn covered(state: &AppState, doc: DocumentId, hub: &PeerId) -> bool {
    let (reply, answer) = oneshot::channel();
    state.relay.docs.send(
        doc,
        DocCommand::Covered {
            peer: hub.clone(),
            reply,
        },
    );
    matches!(
        tokio::time::timeout(Duration::from_secs(10), answer).await,
        Ok(Ok(Some(true)))
    )
}

/// Stores the status for `linli-relay upstream status` when it changed.
async fn write_status(state: &AppState, status: &mut UpstreamStatus) {
    let previous = state.upstream.last_written();
    let mut same = status.clone();
    same.at = previous.as_ref().map_or(0, |p| p.at);
    if previous.as_ref() == Some(&same) {
        return;
    }
    status.at = crate::wall_clock_millis();
    let Ok(json) = serde_json::to_vec(status) else {
        return;
    };
    if let Err(e) = state.storage.meta_set(META_KEY, json).await {
        warn!(error = %e, "could not store the upstream status");
        return;
    }
    state.upstream.written(status.clone());
}

/// The URL without its query (where a token could be).
fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or_default().to_owned()
}
