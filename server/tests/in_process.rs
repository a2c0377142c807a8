//! A whole relay in the test's own process: [`linli_server::open`], then
//! [`linli_server::serve`] on a listener bound to port 0, stopped by a
//! future. For what a process test cannot easily see, and as the example
//! of running a relay embedded.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use linli_protocol::{Message, PeerId, PeerMetadata, handshake};
use linli_server::auth::Role;
use linli_server::{Config, admin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message as Ws;

const PATIENCE: Duration = Duration::from_secs(60);

/// `GET path` over plain HTTP/1.1; the whole response.
async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(PATIENCE, tcp.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    response
}

#[tokio::test]
async fn a_relay_serves_in_process_on_port_0_until_its_shutdown_future_completes() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_data(dir.path());
    let secret = {
        let mut store = linli_store::Store::open_relay(&config.database_path()).unwrap();
        admin::create_token(&mut store, "admin", Role::StreetAdmin, "", 0).unwrap()
    };
    let state = linli_server::open(&config).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(linli_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    assert!(get(addr, "/healthz").await.ends_with("ok\n"));
    let (mut ws, _) = tokio::time::timeout(
        PATIENCE,
        tokio_tungstenite::connect_async(format!("ws://{addr}/sync?token={secret}")),
    )
    .await
    .unwrap()
    .unwrap();
    let join = handshake::join(&PeerId::new("phone"), PeerMetadata::default());
    ws.send(Ws::Binary(join.encode().into())).await.unwrap();
    let answer = loop {
        match tokio::time::timeout(PATIENCE, ws.next()).await.unwrap() {
            Some(Ok(Ws::Binary(b))) => break Message::decode(&b, usize::MAX).unwrap(),
            Some(Ok(Ws::Ping(_))) => continue,
            other => panic!("expected peer, got {other:?}"),
        }
    };
    assert!(matches!(answer, Message::Peer { .. }), "{answer:?}");
    assert!(get(addr, "/status").await.contains("\"peers\":1"));

    stop.send(()).unwrap();
    // The live connection is closed, and serve returns.
    loop {
        match tokio::time::timeout(PATIENCE, ws.next()).await.unwrap() {
            None | Some(Err(_)) | Some(Ok(Ws::Close(_))) => break,
            Some(Ok(_)) => continue,
        }
    }
    tokio::time::timeout(PATIENCE, server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
