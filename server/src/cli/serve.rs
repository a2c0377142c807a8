//! `linli-relay` with no subcommand: serve until SIGINT or SIGTERM.

use std::io::Write;

use anyhow::Context;
use linli_server::admin;

#[tokio::main]
pub async fn run(config: linli_server::Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("no local address")?;
    // Held while serving, so `restore` refuses to swap the database under us.
    let _lock = super::lock_data_folder(&config)?;
    {
        let mut store = super::open_store(&config)?;
        if let Some(secret) =
            admin::ensure_first_admin(&mut store, &config.data, linli_server::wall_clock_millis())?
        {
            println!(
                "first start: street-admin token (shown once, also in {}):",
                config.data.join(admin::ADMIN_TOKEN_FILE).display()
            );
            println!("  {secret}");
        }
    }
    let metrics_listener = match config.metrics_listen.0 {
        Some(at) => Some(tokio::net::TcpListener::bind(at).await.with_context(|| {
            format!("cannot listen for metrics on {at} (--metrics-listen; `off` serves none)")
        })?),
        None => None,
    };
    let state = linli_server::open(&config)
        .await
        .context("relay could not start")?;
    if let Some(listener) = metrics_listener {
        let at = listener.local_addr().context("no local address")?;
        println!("linli-relay metrics at http://{at}/metrics");
        let metrics = state.relay.metrics.clone();
        let shutdown = state.shutdown.clone();
        tokio::spawn(async move {
            if let Err(e) = linli_server::metrics::serve(listener, metrics, shutdown).await {
                tracing::warn!(error = %e, "metrics listener stopped");
            }
        });
    }
    println!(
        "linli-relay serving ws://{addr}/sync (data in {})",
        config.data.display()
    );
    std::io::stdout().flush().ok();

    linli_server::serve(listener, state, stop_signal())
        .await
        .context("relay stopped with an error")?;
    tracing::info!("relay stopped cleanly");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
