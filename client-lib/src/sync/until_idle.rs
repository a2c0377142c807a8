//! One-shot sync: [`Client::sync_until_idle`] and [`Client::fetch`], what
//! `linli sync` and `linli doc show` run.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use linli_protocol::{DocumentId, PeerId};
use tokio::sync::watch;
use tokio::time::Instant;

use super::SyncStore;
use super::backoff::Backoff;
use super::connection::{self, Control, Mode, Outcome, lock};
use super::dial::{DialError, dial};
use super::session::{Scope, SessionTotals};
use crate::pending::Pending;
use crate::relay::IntoRelayTarget;
use crate::{Client, ClientError, RelayTarget};

/// What a one-shot sync did, and what it left undone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// Documents the sync covered.
    pub documents: usize,
    /// Documents that received changes from the relay.
    pub updated: Vec<DocumentId>,
    /// Documents the relay said it does not have (or will not share).
    pub unavailable: Vec<DocumentId>,
    /// Documents whose sync had not settled when it ended.
    pub unfinished: Vec<DocumentId>,
    /// Documents that could not be read from the local store (corrupt);
    /// they were skipped and the others synced.
    pub failed: Vec<DocumentId>,
    /// This device's changes (in the covered documents) the relay has not
    /// confirmed.
    pub pending: Pending,
    /// Whether a connection completed the handshake.
    pub connected: bool,
    /// The last connection error, if any.
    pub last_error: Option<String>,
}

impl SyncReport {
    /// Nothing pending, nothing unfinished.
    pub fn is_complete(&self) -> bool {
        self.pending.is_empty() && self.unfinished.is_empty() && self.failed.is_empty()
    }
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} document(s), {} updated from the relay, ",
            self.documents,
            self.updated.len(),
        )?;
        match self.unavailable.len() {
            0 => write!(f, "0 unavailable, ")?,
            n => write!(
                f,
                "{n} unavailable (not on the relay, or not shared with this device's token), "
            )?,
        }
        write!(f, "{} local change(s) not confirmed", self.pending.changes)?;
        if let Some(age) = self.pending.oldest_age(SystemTime::now()) {
            write!(f, " (oldest {} old)", human_duration(age))?;
        }
        if !self.unfinished.is_empty() {
            write!(f, ", {} not finished", self.unfinished.len())?;
        }
        if !self.failed.is_empty() {
            write!(f, ", {} unreadable in the local store", self.failed.len())?;
        }
        if !self.connected {
            match &self.last_error {
                Some(e) => write!(f, "; could not connect: {e}")?,
                None => write!(f, "; could not connect")?,
            }
        }
        Ok(())
    }
}

/// A duration as a person reads it: `42s`, `5m`, `3h`, `2d`.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

impl Client {
    /// Connects to the relay (retrying within `timeout`), syncs every local
    /// and wanted document until each has settled (the relay holds exactly
    /// what this device holds, or says it does not have the document), and
    /// returns.
    ///
    /// Fails with [`ClientError::SyncIncomplete`] (carrying the report) when
    /// the timeout passes first, or when changes remain unconfirmed because
    /// the relay refused their documents; with [`ClientError::Connect`] when
    /// the relay refuses the connection outright (bad token, no TLS); with
    /// [`ClientError::TokenRevoked`] when the street office revoked this
    /// device's token.
    pub async fn sync_until_idle(
        &self,
        relay: impl IntoRelayTarget,
        timeout: Duration,
    ) -> Result<SyncReport, ClientError> {
        let target = relay.into_relay_target()?;
        let docs = SyncStore::documents(&*self.inner.store)?;
        let deadline = Instant::now() + timeout;
        let mut report = self.sync_once(&target, Scope::All, &docs, timeout).await?;
        // A document made here and named in a directory made or changed
        // here too (a new board and the directory listing it) can reach
        // the relay before the directory does, and the relay refuses what
        // no directory names yet. Once this run has stored the directory,
        // a later run finds the document accepted.
        // (A few runs at most: a document the relay really refuses this
        // device is refused every time, and a busy relay may need more
        // than one.)
        for _ in 0..3 {
            let left = deadline.saturating_duration_since(Instant::now());
            if !report.connected
                || report.unavailable.is_empty()
                || report.pending.is_empty()
                || left.is_zero()
            {
                break;
            }
            report = self.sync_once(&target, Scope::All, &docs, left).await?;
        }
        if report.connected {
            // What the relay would not give us, for `linli status`.
            self.set_unshared(&report.unavailable)?;
        }
        if report.is_complete() {
            Ok(report)
        } else {
            Err(ClientError::SyncIncomplete {
                timeout,
                report: Box::new(report),
            })
        }
    }

    /// Fetches one document from the relay (asking for it with
    /// [`Client::want`] if it is not here) and syncs just that document.
    /// Fails with [`ClientError::Unavailable`] when the relay does not have
    /// it and it is not here either.
    pub async fn fetch(
        &self,
        relay: impl IntoRelayTarget,
        doc: DocumentId,
        timeout: Duration,
    ) -> Result<SyncReport, ClientError> {
        let target = relay.into_relay_target()?;
        let already_wanted = self.wanted()?.contains(&doc);
        self.want(doc)?;
        let report = self
            .sync_once(&target, Scope::Only(BTreeSet::from([doc])), &[doc], timeout)
            .await?;
        if report.unavailable.contains(&doc) && !self.contains(doc)? {
            if !already_wanted {
                // A one-off look-up: do not keep asking for it in every sync.
                self.unwant(doc)?;
            }
            return Err(ClientError::Unavailable { doc });
        }
        if !report.unfinished.is_empty() && !self.contains(doc)? {
            return Err(ClientError::SyncIncomplete {
                timeout,
                report: Box::new(report),
            });
        }
        Ok(report)
    }

    async fn sync_once(
        &self,
        target: &RelayTarget,
        scope: Scope,
        docs: &[DocumentId],
        timeout: Duration,
    ) -> Result<SyncReport, ClientError> {
        let _claim = self.claim_sync()?;
        let deadline = Instant::now() + timeout;
        let (_stop_tx, mut stop) = watch::channel(false);
        let mut backoff = Backoff::new();
        let mut totals = SessionTotals::default();
        let mut unfinished: BTreeSet<DocumentId> = docs.iter().copied().collect();
        let mut connected = false;
        let mut last_error = None;
        let no_op = |_: &PeerId| {};

        while Instant::now() < deadline {
            let mut local = self.inner.local_changes.subscribe();
            let attempt = async {
                let socket = match dial(target).await {
                    Ok(s) => s,
                    Err(e) => return Err(e),
                };
                let session = Arc::new(Mutex::new(self.session(scope.clone())));
                let control = Control {
                    stop: &mut stop,
                    local: &mut local,
                    on_connected: &no_op,
                };
                let end = connection::run(session.clone(), socket, Mode::UntilIdle, control).await;
                let s = lock(&session);
                Ok((
                    end,
                    s.totals.clone(),
                    s.unsettled().copied().collect::<BTreeSet<_>>(),
                ))
            };
            match tokio::time::timeout_at(deadline, attempt).await {
                Err(_) => {
                    last_error.get_or_insert_with(|| "timed out".to_owned());
                    break;
                }
                Ok(Err(DialError::Refused(reason))) => {
                    return Err(ClientError::Connect {
                        url: target.display_url(),
                        reason,
                    });
                }
                Ok(Err(DialError::Revoked)) => return Err(ClientError::TokenRevoked),
                Ok(Err(DialError::Failed(reason))) => last_error = Some(reason),
                Ok(Ok((end, session_totals, session_unsettled))) => {
                    connected |= end.reached_peer;
                    if end.went_well() {
                        backoff.reset();
                    }
                    if end.reached_peer {
                        totals.updated.extend(session_totals.updated);
                        totals.unavailable.extend(session_totals.unavailable);
                        totals.failed.extend(session_totals.failed);
                        unfinished = session_unsettled;
                    }
                    match end.outcome {
                        Outcome::Idle => {
                            unfinished.clear();
                            last_error = None;
                            break;
                        }
                        Outcome::Stopped => break,
                        Outcome::Lost(why) => last_error = Some(why),
                        Outcome::Revoked => return Err(ClientError::TokenRevoked),
                    }
                }
            }
            let delay = backoff.next_delay(&mut rand::rng());
            if Instant::now() + delay >= deadline {
                break;
            }
            tracing::info!(retry_in_ms = delay.as_millis() as u64, error = ?last_error, "retrying the relay");
            tokio::time::sleep(delay).await;
        }

        let mut pending = Pending::default();
        for doc in docs {
            let p = match SyncStore::pending(&*self.inner.store, *doc) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(%doc, error = %e, "cannot count pending changes");
                    totals.failed.insert(*doc);
                    continue;
                }
            };
            pending.changes += p.changes;
            pending.oldest = match (pending.oldest, p.oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(SyncReport {
            documents: docs.len(),
            updated: totals.updated.into_iter().collect(),
            unavailable: totals.unavailable.into_iter().collect(),
            unfinished: unfinished.into_iter().collect(),
            failed: totals.failed.into_iter().collect(),
            pending,
            connected,
            last_error,
        })
    }
}
