//! `linli-relay`: serve a street's sync relay, and administer it. Each
//! subcommand lives in its own file under `cli/`.

mod cli;

use clap::{Parser, Subcommand};
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
    Audit(cli::audit::Args),
    Backup(cli::backup::Args),
    Restore(cli::restore::Args),
    Check(cli::check::Args),
    /// The link to the district hub (`--upstream`).
    #[command(subcommand)]
    Upstream(UpstreamCommand),
}

#[derive(Debug, Subcommand)]
enum UpstreamCommand {
    Status(cli::upstream_status::Args),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    Create(cli::token_create::Args),
    List(cli::token_list::Args),
    Revoke(cli::token_revoke::Args),
    Scope(cli::token_scope::Args),
}

#[derive(Debug, Subcommand)]
enum DirectoryCommand {
    Set(cli::directory_set::Args),
    Show(cli::directory_show::Args),
}

/// Counts each thread's allocations, so the relay measures the memory each
/// document takes when it loads (the memory budget; see `heap.rs`).
#[global_allocator]
static ALLOCATOR: linli_server::heap::CountingAllocator = linli_server::heap::CountingAllocator;

fn main() -> anyhow::Result<()> {
    ALLOCATOR.installed();
    let Cli { config, command } = Cli::parse();
    init_logging(config.log_format);
    let Some(command) = command else {
        return cli::serve::run(config);
    };
    match command {
        Command::Token(TokenCommand::Create(args)) => cli::token_create::run(&config, args),
        Command::Token(TokenCommand::List(args)) => cli::token_list::run(&config, args),
        Command::Token(TokenCommand::Revoke(args)) => cli::token_revoke::run(&config, args),
        Command::Token(TokenCommand::Scope(args)) => cli::token_scope::run(&config, args),
        Command::Directory(DirectoryCommand::Set(args)) => cli::directory_set::run(&config, args),
        Command::Directory(DirectoryCommand::Show(args)) => cli::directory_show::run(&config, args),
        Command::Audit(args) => cli::audit::run(&config, args),
        Command::Backup(args) => cli::backup::run(&config, args),
        Command::Restore(args) => cli::restore::run(&config, args),
        Command::Check(args) => cli::check::run(&config, args),
        Command::Upstream(UpstreamCommand::Status(args)) => {
            cli::upstream_status::run(&config, args)
        }
    }
}

/// Logs to standard error at `RUST_LOG` (default `info`), in `format`.
fn init_logging(format: linli_server::config::LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        linli_server::config::LogFormat::Text => logs.init(),
        linli_server::config::LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
    }
}
