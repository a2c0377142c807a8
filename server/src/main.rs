//! `linli-relay`: serve a street's sync relay, and administer it.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linli_server::admin;
use linli_server::auth::Role;
use linli_store::Store;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

/// linli's sync relay: one per street. Peers connect over websocket at
/// /sync and speak the automerge-repo protocol. With no subcommand, serves.
#[derive(Debug, Parser)]
#[command(name = "linli-relay", version)]
struct Cli {
    #[command(flatten)]
    config: linli_server::Config,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage access tokens (shown once when made; stored only as hashes).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Which document is the street's directory (it decides who sees what).
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Show who stored which change of a document, and when.
    Audit {
        /// The document's automerge URL or id.
        #[arg(long)]
        doc: String,
        /// Only entries at or after this time (milliseconds since the epoch).
        #[arg(long, default_value_t = 0)]
        since: i64,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make a token and print it (once).
    Create {
        /// street-admin, grid-worker, building-head, volunteer, team-leader or viewer.
        #[arg(long)]
        role: Role,
        /// Comma-separated building:ID, community:ID, team:ID items.
        #[arg(long, default_value = "")]
        scope: String,
        /// A name for the person or device, unique on this relay.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token; its live connections close within a second.
    Revoke { name: String },
    /// Change a token's scope; its live connections close within a second
    /// and reconnect with the new scope.
    Scope { name: String, scope: String },
}

#[derive(Debug, Subcommand)]
enum DirectoryCommand {
    /// Set the street's directory document.
    Set { url: String },
    /// Show it.
    Show,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.config),
        Some(command) => administer(&cli.config, command),
    }
}

fn open_store(config: &linli_server::Config) -> anyhow::Result<Store> {
    let path = config.database_path();
    Store::open(&path).with_context(|| format!("cannot open {}", path.display()))
}

fn administer(config: &linli_server::Config, command: Command) -> anyhow::Result<()> {
    let mut store = open_store(config)?;
    match command {
        Command::Token(TokenCommand::Create { role, scope, name }) => {
            let secret = admin::create_token(&mut store, &name, role, &scope)?;
            println!("{secret}");
            eprintln!("token {name:?} ({role}) created; it is shown only this once");
        }
        Command::Token(TokenCommand::List) => {
            println!("{:<24} {:<14} {:<8} scope", "name", "role", "state");
            for t in store.tokens()? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                println!("{:<24} {:<14} {:<8} {}", t.name, t.role, state, t.scope);
            }
        }
        Command::Token(TokenCommand::Revoke { name }) => {
            admin::revoke_token(&mut store, &name)?;
            eprintln!("token {name:?} revoked");
        }
        Command::Token(TokenCommand::Scope { name, scope }) => {
            admin::rescope_token(&mut store, &name, &scope)?;
            eprintln!("token {name:?} now has scope {scope:?}");
        }
        Command::Directory(DirectoryCommand::Set { url }) => {
            let id = admin::set_directory(&mut store, &url)?;
            eprintln!("directory set to automerge:{id}; restart the relay to apply it");
        }
        Command::Directory(DirectoryCommand::Show) => match admin::directory(&store)? {
            Some(id) => println!("automerge:{id}"),
            None => println!("no directory set"),
        },
        Command::Audit { doc, since } => {
            for e in admin::audit(&store, &doc, since)? {
                println!("{}\t{}\t{}", e.at, e.token_name, e.change_hash);
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn serve(config: linli_server::Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("no local address")?;
    {
        let mut store = open_store(&config)?;
        if let Some(secret) = admin::ensure_first_admin(&mut store, &config.data)? {
            println!(
                "first start: street-admin token (shown once, also in {}):",
                config.data.join(admin::ADMIN_TOKEN_FILE).display()
            );
            println!("  {secret}");
        }
    }
    println!(
        "linli-relay serving ws://{addr}/sync (data in {})",
        config.data.display()
    );
    std::io::stdout().flush().ok();

    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    linli_server::serve(listener, config, shutdown)
        .await
        .context("relay stopped with an error")?;
    tracing::info!("relay stopped cleanly");
    Ok(())
}

/// Cancels `shutdown` on SIGINT or SIGTERM.
async fn stop_on_signal(shutdown: CancellationToken) {
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
    shutdown.cancel();
}
