//! Changes the admin CLI (or another hub process) makes while the relay
//! runs.
//!
//! `linli-relay token …` and `linli-relay directory set` write the relay's
//! storage from another process. On SQLite the relay notices through
//! `data_version`, polled a few times a second; on PostgreSQL it
//! `LISTEN`s, and every token or setting change notifies in its own
//! transaction. Either way it applies them: revoked or changed tokens lose
//! their connections, and a new directory setting becomes the one access
//! is decided by. Both within a second, no restart.
//!
//! On PostgreSQL the same listener hears the documents other hub processes
//! store: a document loaded here takes in their chunks and syncs them to
//! its own peers ([`DocCommand::StoredElsewhere`]).

use std::time::Duration;

use linli_protocol::CloseReason;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::auth::Grants;
use crate::doc_actor::DocCommand;
use crate::documents::DocRegistry;
use crate::peers::PeerRegistry;
use crate::storage::Storage;
use crate::street_directory::StreetDirectory;
use linli_store_pg::{ChangeListener, Notice};

/// How often `data_version` is polled.
const POLL: Duration = Duration::from_millis(250);

/// What the watcher keeps up to date.
pub struct Watched {
    pub storage: Storage,
    pub grants: Grants,
    pub peers: PeerRegistry,
    pub docs: DocRegistry,
    pub directory: StreetDirectory,
    /// False when `--directory` names the directory: the flag wins over the
    /// stored setting, so setting changes are not followed.
    pub follow_directory_setting: bool,
    pub metrics: crate::metrics::Metrics,
}

/// Runs until `shutdown` is cancelled.
pub async fn admin_changes(watched: Watched, shutdown: CancellationToken) {
    if let Some(pg) = watched.storage.postgres() {
        let listener = ChangeListener::start(pg);
        return follow_postgres(watched, listener, shutdown).await;
    }
    let mut tick = tokio::time::interval(POLL);
    let mut seen = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let Ok(version) = watched.storage.run(|s| s.data_version()).await else {
            continue;
        };
        if seen == Some(version) {
            continue;
        }
        seen = Some(version);
        refresh_tokens(
            &watched.storage,
            &watched.grants,
            &watched.peers,
            &watched.metrics,
        )
        .await;
        if watched.follow_directory_setting {
            refresh_directory(&watched).await;
        }
    }
}

/// Applies what PostgreSQL notifies, until `shutdown` is cancelled.
async fn follow_postgres(
    watched: Watched,
    mut listener: ChangeListener,
    shutdown: CancellationToken,
) {
    loop {
        let notice = tokio::select! {
            () = shutdown.cancelled() => return,
            notice = listener.recv() => notice,
        };
        match notice {
            None => return,
            Some(Notice::Chunks(doc)) => {
                watched
                    .docs
                    .send_if_loaded(doc, DocCommand::StoredElsewhere);
            }
            Some(Notice::Admin(_)) => refresh_admin(&watched).await,
            Some(Notice::Listening) => {
                // Notices sent while not listening are lost: catch up on
                // everything they could have said.
                refresh_admin(&watched).await;
                for doc in watched.docs.loaded_ids() {
                    watched
                        .docs
                        .send_if_loaded(doc, DocCommand::StoredElsewhere);
                }
            }
        }
    }
}

async fn refresh_admin(watched: &Watched) {
    refresh_tokens(
        &watched.storage,
        &watched.grants,
        &watched.peers,
        &watched.metrics,
    )
    .await;
    if watched.follow_directory_setting {
        refresh_directory(watched).await;
    }
}

/// Reloads the tokens and closes the connections of revoked or changed
/// ones. The office's token endpoints call it right after their write (the
/// relay's own writes do not move `data_version`).
pub async fn refresh_tokens(
    storage: &Storage,
    grants: &Grants,
    peers: &PeerRegistry,
    metrics: &crate::metrics::Metrics,
) {
    match grants.refresh(storage).await {
        Ok(changed) => {
            for change in changed {
                let why = if change.revoked {
                    metrics.token_revoked();
                    CloseReason::Revoked
                } else {
                    CloseReason::AccessChanged
                };
                let closed = peers.close_token(&change.name, why);
                info!(token = %change.name, revoked = change.revoked, closed, "token revoked or changed; its connections were closed");
            }
        }
        Err(e) => warn!(error = %e, "could not reload tokens"),
    }
}

/// Switches to a newly set directory and has its document task index it.
async fn refresh_directory(watched: &Watched) {
    let setting = match watched.storage.directory().await {
        Ok(setting) => setting,
        Err(e) => {
            warn!(error = %e, "could not read the directory setting");
            return;
        }
    };
    if setting == watched.directory.id() {
        return;
    }
    watched.directory.switch_to(setting);
    match setting {
        Some(id) => {
            info!(directory = %id, "the directory setting changed; access now follows it");
            watched.docs.send(id, DocCommand::PublishDirectory);
        }
        None => info!("the directory setting was removed"),
    }
}
