//! `linli`: the command-line client. See `linli --help`.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Logs go to stderr so stdout stays machine-readable; RUST_LOG filters
    // them. Nothing logs tokens or document content. By default: warnings,
    // without automerge's internal logs (it logs errors it also returns,
    // which linli reports itself).
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,automerge=off")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("linli: {err:#}");
            cli::exit_code_for(&err)
        }
    }
}
