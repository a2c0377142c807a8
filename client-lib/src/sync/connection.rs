//! The driver of one connection: moves frames between a socket and a
//! [`Session`], runs the session's blocking work off the async threads, and
//! watches for local changes, a stop request and a silent relay.
//!
//! It is generic over any `Stream + Sink` of [`Frame`]s, so tests drive it
//! over channels and production over tokio-tungstenite.

use std::fmt::Display;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use linli_protocol::{
    CloseFrame, DocumentId, Frame, Liveness, LivenessPolicy, Message, PeerId, Verdict,
};
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::session::{Session, SessionEnd};

/// How long the relay has to answer `join` with `peer`.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Ping the relay after 15 s without any frame from it; give the connection
/// up after 45 s. A phone's network can vanish without a close, and only
/// silence tells.
const LIVENESS: LivenessPolicy = LivenessPolicy {
    ping_after: Duration::from_secs(15),
    give_up_after: Duration::from_secs(45),
};
/// How often a connection looks for changes another process wrote to the
/// store (one SQLite pragma when there are none).
const OUTSIDE_CHECK: Duration = Duration::from_secs(1);
/// How long a polite close may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// When a connection should end by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Once every document has settled with the relay.
    UntilIdle,
    /// Never (until stopped or lost).
    Forever,
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Idle,
    Stopped,
    Lost(String),
    /// The relay closed with 4403: the street office revoked the token.
    /// Reconnecting with it cannot help.
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectionEnd {
    /// The relay answered the handshake.
    pub reached_peer: bool,
    /// The relay ended it with an `error` message (say, its disk is full).
    pub refused: bool,
    pub outcome: Outcome,
}

impl ConnectionEnd {
    fn new(reached_peer: bool, outcome: Outcome) -> Self {
        Self {
            reached_peer,
            refused: false,
            outcome,
        }
    }

    /// Whether the next connection may be tried at once (backoff reset):
    /// this one reached the relay and the relay did not refuse us. A relay
    /// that refuses would otherwise be hammered with the same upload.
    pub fn went_well(&self) -> bool {
        self.reached_peer && !self.refused
    }
}

/// Why a step ended the connection.
struct Stop {
    why: String,
    /// The relay sent an `error`.
    refused: bool,
    /// The relay's close frame said the token was revoked.
    revoked: bool,
}

impl From<String> for Stop {
    fn from(why: String) -> Self {
        Stop {
            why,
            refused: false,
            revoked: false,
        }
    }
}

impl Stop {
    /// The relay closed the connection, with `close` if it said why.
    fn closed(close: Option<&CloseFrame>) -> Self {
        match close {
            Some(c) if c.is_revoked() => Stop {
                why: super::dial::REVOKED.to_owned(),
                refused: true,
                revoked: true,
            },
            Some(c) => format!("the relay closed the connection ({} {})", c.code, c.reason).into(),
            None => "the relay closed the connection".to_owned().into(),
        }
    }
}

/// What the driver listens to besides the socket.
pub(crate) struct Control<'a> {
    /// Becomes true (or is dropped) when the connection should stop.
    pub stop: &'a mut watch::Receiver<bool>,
    /// Local changes (subscribed before the connection started).
    pub local: &'a mut broadcast::Receiver<DocumentId>,
    /// Called with the relay's id once the handshake completes.
    pub on_connected: &'a (dyn Fn(&PeerId) + Send + Sync),
}

/// Runs one connection until it is idle (in [`Mode::UntilIdle`]), stopped
/// or lost. The session is left finished (relay detached).
pub(crate) async fn run<S, E>(
    session: Arc<Mutex<Session>>,
    mut socket: S,
    mode: Mode,
    control: Control<'_>,
) -> ConnectionEnd
where
    S: Stream<Item = Result<Frame, E>> + Sink<Frame, Error = E> + Unpin,
    E: Display,
{
    let end = drive(&session, &mut socket, mode, control).await;
    if let Err(e) = blocking(&session, |s| s.finish()).await {
        tracing::error!(error = %e, "finishing the sync session failed");
    }
    // Best effort: the socket may already be gone.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.close()).await;
    end
}

async fn drive<S, E>(
    session: &Arc<Mutex<Session>>,
    socket: &mut S,
    mode: Mode,
    control: Control<'_>,
) -> ConnectionEnd
where
    S: Stream<Item = Result<Frame, E>> + Sink<Frame, Error = E> + Unpin,
    E: Display,
{
    let Control {
        stop,
        local,
        on_connected,
    } = control;
    let lost =
        |reached_peer: bool, why: String| ConnectionEnd::new(reached_peer, Outcome::Lost(why));

    // Handshake.
    let join = lock(session).join();
    if let Err(e) = send_all(socket, vec![join]).await {
        return lost(false, e);
    }
    let handshake = async {
        loop {
            match socket.next().await {
                Some(Ok(Frame::Close(Some(close)))) if close.is_revoked() => {
                    return Err(Stop::closed(Some(&close)));
                }
                Some(Ok(frame)) => match lock(session).on_handshake(&frame) {
                    Ok(true) => return Ok(()),
                    Ok(false) => {}
                    Err(e) => return Err(e.to_string().into()),
                },
                None => {
                    return Err("the relay closed the connection during the handshake"
                        .to_owned()
                        .into());
                }
                Some(Err(e)) => return Err(e.to_string().into()),
            }
        }
    };
    tokio::select! {
        biased;
        _ = stopped(stop) => return ConnectionEnd::new(false, Outcome::Stopped),
        result = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake) => match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) if e.revoked => return ConnectionEnd::new(false, Outcome::Revoked),
            Ok(Err(e)) => return lost(false, e.why),
            Err(_) => return lost(false, format!(
                "the relay did not answer the handshake within {}s", HANDSHAKE_TIMEOUT.as_secs()
            )),
        },
    }
    if let Some(relay) = lock(session).relay() {
        on_connected(relay);
    }

    // Local changes made before this point are covered by `start`.
    while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = local.try_recv() {}
    match blocking(session, |s| s.start()).await {
        Ok(Ok(out)) => {
            if let Err(e) = send_all(socket, out).await {
                return lost(true, e);
            }
        }
        Ok(Err(e)) => return lost(true, e.to_string()),
        Err(e) => return lost(true, e),
    }

    // The driver's clock: milliseconds since the session started.
    let origin = Instant::now();
    let now = || u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
    let at = |millis: u64| origin + Duration::from_millis(millis);
    let mut liveness = Liveness::new(LIVENESS, 0);
    let wake = tokio::time::sleep_until(at(liveness.next_wake()));
    tokio::pin!(wake);
    let mut outside = tokio::time::interval(OUTSIDE_CHECK);
    outside.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        if mode == Mode::UntilIdle && lock(session).is_idle() {
            return ConnectionEnd::new(true, Outcome::Idle);
        }
        let step: Result<Vec<Message>, Stop> = tokio::select! {
            biased;
            _ = stopped(stop) => {
                return ConnectionEnd::new(true, Outcome::Stopped);
            }
            frame = socket.next() => {
                liveness.heard(now());
                match frame {
                    Some(Ok(Frame::Binary(bytes))) => {
                        flatten(blocking(session, move |s| s.on_frame(&bytes)).await)
                    }
                    Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => Ok(Vec::new()),
                    Some(Ok(Frame::Text(_))) => Err(SessionEnd::TextFrame.to_string().into()),
                    Some(Ok(Frame::Close(close))) => Err(Stop::closed(close.as_ref())),
                    None => Err(Stop::closed(None)),
                    Some(Err(e)) => Err(format!("websocket error: {e}").into()),
                }
            }
            changed = local.recv() => match changed {
                Ok(doc) => flatten(blocking(session, move |s| s.on_local_change(doc)).await),
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    flatten(blocking(session, |s| s.on_local_overflow()).await)
                }
                Err(broadcast::error::RecvError::Closed) => Ok(Vec::new()),
            },
            _ = outside.tick() => flatten(blocking(session, |s| s.on_outside_writes()).await),
            () = &mut wake => {
                let verdict = liveness.poll(now());
                wake.as_mut().reset(at(liveness.next_wake()));
                match verdict {
                    Verdict::GiveUp { silent } => {
                        Err(format!("the relay has been silent for {}s", silent.as_secs()).into())
                    }
                    Verdict::Ping => socket
                        .send(Frame::Ping(Vec::new()))
                        .await
                        .map(|()| Vec::new())
                        .map_err(|e| e.to_string().into()),
                    Verdict::Fine => Ok(Vec::new()),
                }
            }
        };
        match step {
            Ok(out) => {
                if let Err(e) = send_all(socket, out).await {
                    keep_what_arrived(session, socket).await;
                    return lost(true, e);
                }
            }
            Err(stop) => {
                // A relay that refuses sends `error`, then a close frame
                // whose code says what to do about it: read that too.
                let revoked = stop.revoked || (stop.refused && closed_as_revoked(socket).await);
                if revoked {
                    return ConnectionEnd {
                        refused: true,
                        ..ConnectionEnd::new(true, Outcome::Revoked)
                    };
                }
                return ConnectionEnd {
                    refused: stop.refused,
                    ..lost(true, stop.why)
                };
            }
        }
    }
}

async fn send_all<S, E>(socket: &mut S, messages: Vec<Message>) -> Result<(), String>
where
    S: Sink<Frame, Error = E> + Unpin,
    E: Display,
{
    if messages.is_empty() {
        return Ok(());
    }
    for message in messages {
        tracing::trace!(r#type = message.type_name(), doc = ?message.document_id(), "sending");
        socket
            .feed(Frame::Binary(message.encode()))
            .await
            .map_err(|e| format!("cannot send to the relay: {e}"))?;
    }
    socket
        .flush()
        .await
        .map_err(|e| format!("cannot send to the relay: {e}"))
}

/// After a send failed (the link broke), applies the relay's messages that
/// had already arrived and wait unread in the socket, without answering
/// them, until the stream ends or stays silent for [`CLOSE_TIMEOUT`].
///
/// Each is whole and was stored by the relay before it was sent, so its
/// changes are as good as any; dropping them only makes the next
/// connection fetch them again. On a link that breaks every few seconds
/// (a phone on the move during its first sync), the unread backlog was
/// most of what each attempt received, and a first sync fetched its
/// documents several times over.
async fn keep_what_arrived<S, E>(session: &Arc<Mutex<Session>>, socket: &mut S)
where
    S: Stream<Item = Result<Frame, E>> + Unpin,
{
    loop {
        match tokio::time::timeout(CLOSE_TIMEOUT, socket.next()).await {
            Ok(Some(Ok(Frame::Binary(bytes)))) => {
                match blocking(session, move |s| s.on_frame(&bytes)).await {
                    Ok(Ok(_unanswerable)) => {}
                    Ok(Err(_)) | Err(_) => return,
                }
            }
            Ok(Some(Ok(Frame::Ping(_) | Frame::Pong(_)))) => {}
            _ => return,
        }
    }
}

/// Reads what follows a relay's `error` until its close frame (at most
/// [`CLOSE_TIMEOUT`]); whether that close says the token was revoked.
async fn closed_as_revoked<S, E>(socket: &mut S) -> bool
where
    S: Stream<Item = Result<Frame, E>> + Unpin,
{
    let close = async {
        loop {
            match socket.next().await {
                Some(Ok(Frame::Close(close))) => return close,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    };
    matches!(
        tokio::time::timeout(CLOSE_TIMEOUT, close).await,
        Ok(Some(c)) if c.is_revoked()
    )
}

/// Resolves when `stop` becomes true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Runs `f` on the session on a blocking thread.
async fn blocking<T, F>(session: &Arc<Mutex<Session>>, f: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> T + Send + 'static,
{
    let session = session.clone();
    tokio::task::spawn_blocking(move || f(&mut lock(&session)))
        .await
        .map_err(|e| format!("sync task failed: {e}"))
}

fn flatten(r: Result<Result<Vec<Message>, SessionEnd>, String>) -> Result<Vec<Message>, Stop> {
    match r {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(Stop {
            refused: matches!(e, SessionEnd::RelayError(_)),
            why: e.to_string(),
            revoked: false,
        }),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|p| p.into_inner())
}
