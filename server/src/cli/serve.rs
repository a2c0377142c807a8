//! `linli-relay` with no subcommand: serve until SIGINT or SIGTERM.

use std::io::Write;

use anyhow::Context;
use linli_server::admin;

#[tokio::main]
pub async fn run(config: linli_server::Config) -> anyhow::Result<()> {
    // Before anything says the relay serves: a stop that comes right after
    // must be a clean one, not the signal's default (instant) death.
    let mut signals = StopSignals::install()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("no local address")?;
    let postgres = config.postgres().map_err(anyhow::Error::msg)?.is_some();
    // Held while serving, so `restore` refuses to swap the database under us.
    // On PostgreSQL several hub processes share one database (and `restore`
    // is PostgreSQL's own business): no lock, and the first admin token is
    // made through the shared storage.
    let _lock = if postgres {
        linli_store::create_private_dir(&config.data)
            .with_context(|| format!("cannot create {}", config.data.display()))?;
        None
    } else {
        Some(super::lock_data_folder(&config)?)
    };
    {
        let now = linli_server::wall_clock_millis();
        let first = if postgres {
            let storage = linli_server::storage::Storage::open_postgres(
                config
                    .postgres()
                    .map_err(anyhow::Error::msg)?
                    .unwrap_or_default(),
            )
            .await
            .context("cannot open the PostgreSQL storage (--storage)")?;
            admin::ensure_first_admin_in(&storage, &config.data, now).await?
        } else {
            let mut store = super::open_store(&config)?;
            admin::ensure_first_admin(&mut store, &config.data, now)?
        };
        if let Some(secret) = first {
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

    let draining = state.draining.clone();
    let drain = config.drain();
    let stop = async move {
        signals.next().await;
        draining.cancel();
        if !drain.is_zero() {
            tracing::info!(
                secs = drain.as_secs(),
                "draining: /readyz says not ready; connections close after --drain-secs or at a second signal"
            );
            tokio::select! {
                () = tokio::time::sleep(drain) => {},
                () = signals.next() => {},
            }
        }
    };
    linli_server::serve(listener, state, stop)
        .await
        .context("relay stopped with an error")?;
    tracing::info!("relay stopped cleanly");
    Ok(())
}

/// SIGINT and SIGTERM, listened for from the start.
#[cfg(unix)]
struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
        })
    }

    /// Completes at the next SIGINT or SIGTERM.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {},
            _ = self.int.recv() => {},
        }
    }
}

/// Ctrl-C, where there are no unix signals.
#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    fn install() -> anyhow::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
