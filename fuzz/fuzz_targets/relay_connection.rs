//! One connection's whole message stream through the relay's real
//! connection loop, document tasks and SQLite storage: after a valid join,
//! the input is cut into frames (two length bytes, then the frame; a leading
//! 0xff byte makes a text frame). Whatever arrives, the relay must not
//! panic, hang, or stop serving.
#![no_main]

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Sink, Stream};
use libfuzzer_sys::fuzz_target;
use linli_protocol::{Frame, PeerId, PeerMetadata, handshake};
use linli_server::auth::Grant;
use linli_server::conn_context::ConnContext;
use linli_server::connection::{self, ConnectionLimits};
use linli_server::doc_actor::DocContext;
use linli_server::documents::DocRegistry;
use linli_server::peers::PeerRegistry;
use linli_server::storage::Storage;
use linli_server::street_directory::StreetDirectory;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

struct Relay {
    runtime: tokio::runtime::Runtime,
    ctx: ConnContext,
    _dir: tempfile::TempDir,
}

fn relay() -> &'static Relay {
    static RELAY: OnceLock<Relay> = OnceLock::new();
    RELAY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open(&dir.path().join("relay.sqlite"), None).expect("storage");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let relay_id = PeerId::new("relay");
        let directory = StreetDirectory::none();
        let docs = DocRegistry::new(
            DocContext {
                storage,
                relay_id: relay_id.clone(),
                idle_evict: Duration::from_secs(1),
                directory: directory.clone(),
            },
            TaskTracker::new(),
        );
        let ctx = ConnContext {
            relay_id,
            peers: PeerRegistry::new(),
            docs,
            directory,
        };
        Relay { runtime, ctx, _dir: dir }
    })
}

/// A connection that replays `incoming` and swallows what the relay sends.
struct Replay(VecDeque<Frame>);

impl Stream for Replay {
    type Item = Frame;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Frame>> {
        Poll::Ready(self.0.pop_front())
    }
}

impl Sink<Frame> for Replay {
    type Error = ();
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
    fn start_send(self: Pin<&mut Self>, _: Frame) -> Result<(), ()> {
        Ok(())
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
}

fn frames(data: &[u8]) -> VecDeque<Frame> {
    let join = handshake::join(&PeerId::new("fuzz"), PeerMetadata::default());
    let mut out = VecDeque::from([Frame::from(&join)]);
    let mut rest = data;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let body = &rest[2..2 + len];
        rest = &rest[2 + len..];
        out.push_back(match body.split_first() {
            Some((0xff, text)) => Frame::Text(String::from_utf8_lossy(text).into_owned()),
            _ => Frame::Binary(body.to_vec()),
        });
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let relay = relay();
    let limits = ConnectionLimits {
        max_message_bytes: 1 << 20,
        join_timeout: Duration::from_secs(5),
        peer_queue: 64,
        storage_id: "fuzz".into(),
        max_messages_per_sec: 10_000,
        max_docs: 64,
        idle_timeout: Duration::from_secs(60),
    };
    let socket = Replay(frames(data));
    relay.runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(20),
            connection::serve(socket, relay.ctx.clone(), Grant::anonymous(), limits, CancellationToken::new()),
        )
        .await
        .expect("the relay handled the connection without hanging");
    });
});
