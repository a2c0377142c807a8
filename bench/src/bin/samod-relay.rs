//! The reference relay for the benchmarks: an axum server whose `/sync`
//! websocket is accepted by a samod repo storing documents in a folder
//! (samod's filesystem storage, the layout automerge-repo's Node storage
//! uses). It has no tokens and no access control, and it does not announce
//! documents to peers, as a relay should not.
//!
//! Prints `samod-relay serving ws://ADDR/sync` once it listens; stops on
//! SIGTERM or SIGINT.

use std::path::PathBuf;

use anyhow::Context;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::routing::get;
use axum::serve::ListenerExt;
use clap::Parser;
use samod::storage::TokioFilesystemStorage;
use samod::{Repo, ShareConfig};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    #[arg(long)]
    data: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.data).context("create the data folder")?;
    let repo = Repo::build_tokio()
        .with_storage(TokioFilesystemStorage::new(&args.data))
        .with_peer_id("samod-relay".into())
        // A relay serves what it is asked for; it does not offer every
        // document it holds to every peer that connects (linli-relay does
        // not either).
        .with_share_policy(ShareConfig::read_write().with_announce(false))
        .load()
        .await;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listen on {}", args.listen))?;
    let url = format!("ws://{}/sync", listener.local_addr()?);
    let acceptor = repo
        .make_acceptor(url.parse().context("websocket url")?)
        .context("samod acceptor")?;
    let app = Router::new().route(
        "/sync",
        get(move |upgrade: WebSocketUpgrade| {
            let acceptor = acceptor.clone();
            async move {
                upgrade
                    .max_message_size(64 * 1024 * 1024)
                    .on_upgrade(move |socket| async move {
                        let _ = acceptor.accept_axum(socket, None);
                    })
            }
        }),
    );
    // As linli-relay does: no Nagle delay on small sync messages.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("samod-relay serving {url}");
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped())
        .await?;
    repo.stop().await;
    Ok(())
}

async fn stopped() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
