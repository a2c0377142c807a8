//! The long-running sync loop: [`Client::connect`] and its [`SyncHandle`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use linli_protocol::PeerId;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::connection::{self, Control, Mode, Outcome};
use super::dial::{DialError, dial};
use super::session::Scope;
use crate::client::SyncClaim;
use crate::relay::IntoRelayTarget;
use crate::{Client, ClientError, RelayTarget};

/// Where the sync loop is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Opening the websocket or waiting for the relay's `peer`.
    Connecting,
    /// Handshake done; documents are syncing.
    Connected { relay: PeerId },
    /// The last connection failed or dropped; the next attempt follows after
    /// `retry_in`.
    Disconnected { reason: String, retry_in: Duration },
    /// The loop has ended.
    Stopped,
    /// The loop has ended because the street office revoked this device's
    /// token (the relay closed with 4403, or refused it and said so).
    /// Reconnecting with it cannot help; the person needs a new token.
    Revoked,
}

/// A running sync loop. Dropping the handle stops the loop too (without
/// waiting for it).
#[derive(Debug)]
pub struct SyncHandle {
    stop: watch::Sender<bool>,
    state: watch::Receiver<ConnectionState>,
    task: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// The connection state, to watch (`changed().await`) or read.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// The connection state now.
    pub fn current(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// Waits until the loop is connected (handshake done); `false` if that
    /// does not happen within `timeout` or the loop stopped.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let mut state = self.state.clone();
        let connected = state.wait_for(|s| {
            matches!(
                s,
                ConnectionState::Connected { .. }
                    | ConnectionState::Stopped
                    | ConnectionState::Revoked
            )
        });
        match tokio::time::timeout(timeout, connected).await {
            Ok(Ok(s)) => matches!(*s, ConnectionState::Connected { .. }),
            _ => false,
        }
    }

    /// Stops the loop (closing the websocket) and waits for it to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "sync loop task failed");
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Client {
    /// Starts syncing every document with the relay at `relay` (a URL or a
    /// [`RelayTarget`]) in a background task, reconnecting after any failure
    /// with exponential backoff and jitter (100 ms doubling to 30 s, reset
    /// after a connection that completed its handshake). Every reconnection
    /// starts each document's sync afresh.
    ///
    /// Must be called within a tokio runtime. One sync session per client at
    /// a time ([`ClientError::AlreadySyncing`] otherwise).
    pub fn connect(&self, relay: impl IntoRelayTarget) -> Result<SyncHandle, ClientError> {
        let target = relay.into_relay_target()?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            ClientError::Task("Client::connect must be called inside a tokio runtime".to_owned())
        })?;
        let claim = self.claim_sync()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let (state_tx, state_rx) = watch::channel(ConnectionState::Connecting);
        let task = runtime.spawn(sync_loop(self.clone(), target, claim, stop_rx, state_tx));
        Ok(SyncHandle {
            stop: stop_tx,
            state: state_rx,
            task: Some(task),
        })
    }
}

async fn sync_loop(
    client: Client,
    target: RelayTarget,
    _claim: SyncClaim,
    mut stop: watch::Receiver<bool>,
    state: watch::Sender<ConnectionState>,
) {
    let mut backoff = Backoff::new();
    let state = Arc::new(state);
    loop {
        if *stop.borrow() {
            break;
        }
        let _ = state.send(ConnectionState::Connecting);
        let mut local = client.inner.local_changes.subscribe();
        let dialed = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            dialed = dial(&target) => dialed,
        };
        let reason = match dialed {
            Err(DialError::Revoked) => return revoked(&state),
            Err(e) => e.message().to_owned(),
            Ok(socket) => {
                let session = Arc::new(Mutex::new(client.session(Scope::All)));
                let connected_state = state.clone();
                let on_connected = move |relay: &PeerId| {
                    let _ = connected_state.send(ConnectionState::Connected {
                        relay: relay.clone(),
                    });
                };
                let control = Control {
                    stop: &mut stop,
                    local: &mut local,
                    on_connected: &on_connected,
                };
                let end = connection::run(session, socket, Mode::Forever, control).await;
                if end.went_well() {
                    backoff.reset();
                }
                match end.outcome {
                    Outcome::Stopped => break,
                    Outcome::Idle => "idle".to_owned(),
                    Outcome::Lost(why) => why,
                    Outcome::Revoked => return revoked(&state),
                }
            }
        };
        let retry_in = backoff.next_delay(&mut rand::rng());
        tracing::warn!(relay = %target.display_url(), %reason, retry_in_ms = retry_in.as_millis() as u64, "disconnected from the relay");
        let _ = state.send(ConnectionState::Disconnected { reason, retry_in });
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            () = tokio::time::sleep(retry_in) => {}
        }
    }
    let _ = state.send(ConnectionState::Stopped);
    tracing::debug!("sync loop stopped");
}

/// Ends the loop for good: a revoked token is refused however often it
/// tries, and the person should hear it rather than see retries.
fn revoked(state: &watch::Sender<ConnectionState>) {
    tracing::error!("{}", super::dial::REVOKED);
    let _ = state.send(ConnectionState::Revoked);
}
