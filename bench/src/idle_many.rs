//! Many idle peers: websocket peers that connect, join and then stay idle,
//! as phones in pockets do. Reports the relay's memory per peer.
//!
//! The peers are raw: a websocket each, held open after the join handshake
//! and never read again, with a small read buffer so that 10,000 of them
//! fit in this process too. Loopback only; every socket closes when the
//! workload ends.

use std::time::Instant;

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use linli_client::sync::tungstenite_frames;
use linli_protocol::{Frame, PeerId, PeerMetadata, handshake};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::relay::Relay;
use crate::report::{Better, Figure};

/// Connections opened at once.
const CONCURRENCY: usize = 64;

/// Raises this process's open-file limit to its hard limit, so that the
/// relays it starts (which inherit it) and its own peers can hold
/// thousands of sockets. Returns the limit now in effect.
pub fn raise_fd_limit() -> anyhow::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write `limit`, a
    // valid, initialised rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        bail!("getrlimit: {}", std::io::Error::last_os_error());
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        bail!("setrlimit: {}", std::io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}

/// One raw peer: connected and joined, then left alone.
async fn join(relay: &Relay, ix: usize) -> anyhow::Result<impl Send> {
    let mut request = relay.url.as_str().into_client_request()?;
    if let Some(token) = &relay.token {
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .context("websocket connect")?;
    let mut socket = tungstenite_frames(ws);
    let me = PeerId::new(format!("idle-{ix}-{}", std::process::id()));
    socket
        .send(Frame::from(&handshake::join(&me, PeerMetadata::default())))
        .await?;
    loop {
        match socket.next().await {
            Some(Ok(frame)) => {
                if handshake::read_peer(&frame, usize::MAX)?.is_some() {
                    return Ok(socket);
                }
            }
            other => bail!("join failed: {other:?}"),
        }
    }
}

/// How long the peers may take to join. A relay that cannot take them
/// this fast is measured at the count it reached (and that count shown).
const JOIN_WITHIN: std::time::Duration = std::time::Duration::from_secs(90);

/// `n` idle peers join `relay` and stay; the relay's resident memory is
/// read before the first connects and after the last has joined (or when
/// [`JOIN_WITHIN`] has passed, over the peers that had joined by then).
pub async fn idle_many(relay: &Relay, n: usize) -> anyhow::Result<Vec<Figure>> {
    let before = relay.rss_bytes()?;
    let started = Instant::now();
    let mut joining = futures::stream::iter(0..n)
        .map(|ix| join(relay, ix))
        .buffer_unordered(CONCURRENCY);
    let mut held = Vec::with_capacity(n);
    let deadline = tokio::time::sleep(JOIN_WITHIN);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = joining.next() => match next {
                Some(peer) => held.push(peer?),
                None => break,
            },
            () = &mut deadline => break,
        }
    }
    drop(joining);
    let took = started.elapsed();
    let after = relay.rss_bytes()?;
    let joined = held.len();
    drop(held);
    if joined < n {
        eprintln!(
            "  {}: {joined} of {n} idle peers joined within {} s",
            relay.kind.name(),
            JOIN_WITHIN.as_secs()
        );
    }
    let workload: &'static str = Box::leak(format!("{n} idle peers").into_boxed_str());
    Ok(vec![
        Figure::ms(
            workload,
            "connect + join (all, or as many as in time)",
            took,
        ),
        Figure::new(workload, "peers joined", "", Better::Higher, joined as f64),
        Figure::new(
            workload,
            "relay memory per idle peer",
            "B",
            Better::Lower,
            after.saturating_sub(before) as f64 / joined.max(1) as f64,
        ),
    ])
}
