//! A reference relay built from samod: an axum server whose `/sync`
//! websocket is accepted by a samod repo with in-memory storage. Used to
//! check that linli's client syncs with relays other than linli's own.

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::routing::get;
use samod::Repo;

/// A samod relay on a loopback port, on its own thread and runtime; it
/// stops when dropped.
pub struct SamodRelay {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SamodRelay {
    pub fn start() -> Self {
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let repo = Repo::build_tokio()
                    .with_peer_id("samod-relay".into())
                    .load()
                    .await;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let url = format!("ws://{}/sync", listener.local_addr().unwrap());
                let acceptor = repo.make_acceptor(url.parse().unwrap()).unwrap();
                let app = Router::new().route(
                    "/sync",
                    get(move |upgrade: WebSocketUpgrade| {
                        let acceptor = acceptor.clone();
                        async move {
                            upgrade.on_upgrade(move |socket| async move {
                                let _ = acceptor.accept_axum(socket, None);
                            })
                        }
                    }),
                );
                url_tx.send(url).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
                repo.stop().await;
            });
        });
        let url = url_rx
            .recv_timeout(super::relay_process::PATIENCE)
            .expect("samod relay did not start");
        Self {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for SamodRelay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
