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
