//! `linli`: the command-line client. See `linli --help`.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
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

/// `linli street show | head` closes the pipe after ten lines. Rust starts
/// programs with SIGPIPE ignored, so the next `println!` fails and panics
/// ("failed printing to stdout: Broken pipe") with a backtrace. Restoring
/// the default makes `linli` end quietly there, as Unix tools do (the shell
/// sees status 141). Sockets are not affected: Rust and tokio send with
/// `MSG_NOSIGNAL`, so a relay that goes away is still an error, not a kill.
#[cfg(unix)]
fn end_quietly_on_a_closed_pipe() {
    // SAFETY: called first in `main`, before any other thread exists; it
    // only sets SIGPIPE's disposition back to the default, no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn end_quietly_on_a_closed_pipe() {}
