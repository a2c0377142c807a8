//! Starting, killing and restarting the real relay binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

/// How long any single wait in these tests may take before it fails. Long,
/// because the machine is small and noisy; tests wait on events, not time.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Path of a binary of this workspace. `cargo test --workspace` builds the
/// binaries with the tests; when they are missing or older than the sources
/// (say after `cargo test -p linli-tests`), they are built first, once per
/// run, so a stale binary is never tested by mistake.
pub fn binary(name: &str) -> PathBuf {
    static CHECKED: OnceLock<()> = OnceLock::new();
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/e2e-<hash> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory")
        .to_path_buf();
    CHECKED.get_or_init(|| {
        let stale = ["linli-relay", "linli"]
            .iter()
            .any(|b| modified(&dir.join(b)) < newest_source());
        if stale {
            linli_tests::build_linli_binaries();
        }
    });
    dir.join(name)
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

/// The newest modification time of any source file the binaries are built from.
fn newest_source() -> std::time::SystemTime {
    fn walk(dir: &Path, newest: &mut std::time::SystemTime) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, newest);
            } else {
                *newest = (*newest).max(modified(&path));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut newest = std::time::UNIX_EPOCH;
    for krate in [
        "protocol",
        "store",
        "store-pg",
        "records",
        "server",
        "client-lib",
    ] {
        walk(&root.join(krate).join("src"), &mut newest);
        newest = newest.max(modified(&root.join(krate).join("Cargo.toml")));
    }
    // The relay embeds the built field app.
    walk(&root.join("web").join("dist"), &mut newest);
    newest
}

/// A running `linli-relay` process, killed when dropped.
pub struct RelayProcess {
    child: Child,
    pub data: PathBuf,
    /// The websocket URL with the street-admin token made at first start.
    pub url: String,
    /// The websocket URL without any token.
    pub bare_url: String,
    /// The street-admin token made at first start.
    pub admin_token: String,
    /// `host:port` of its metrics listener (`/metrics`), when it serves one.
    pub metrics_addr: Option<String>,
    extra_args: Vec<String>,
    /// Where its log goes when a test reads it, and at which level.
    log: Option<(String, RelayLog)>,
}

/// Everything a relay wrote to its log (standard error), for tests that
/// check what it never says (tokens).
#[derive(Debug, Clone, Default)]
pub struct RelayLog(Arc<Mutex<String>>);

impl RelayLog {
    /// The log so far.
    pub fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl RelayProcess {
    /// Starts a relay on a free loopback port with its data in `data`.
    pub fn start(data: &Path) -> Self {
        Self::start_with(data, &[])
    }

    pub fn start_with(data: &Path, extra_args: &[&str]) -> Self {
        Self::spawn(
            data,
            "127.0.0.1:0",
            extra_args.iter().map(|s| s.to_string()).collect(),
            None,
        )
    }

    /// Starts a relay whose log, at `filter` (a `RUST_LOG` value), is kept
    /// for the test to read.
    pub fn start_logged(data: &Path, filter: &str) -> (Self, RelayLog) {
        let log = RelayLog::default();
        let relay = Self::spawn(
            data,
            "127.0.0.1:0",
            Vec::new(),
            Some((filter.to_owned(), log.clone())),
        );
        (relay, log)
    }

    /// [`Self::start_logged`] with `extra_args`.
    pub fn start_logged_with(data: &Path, filter: &str, extra_args: &[&str]) -> (Self, RelayLog) {
        let log = RelayLog::default();
        let relay = Self::spawn(
            data,
            "127.0.0.1:0",
            extra_args.iter().map(|s| s.to_string()).collect(),
            Some((filter.to_owned(), log.clone())),
        );
        (relay, log)
    }

    /// The relay process's id (for reading `/proc/PID/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn spawn(
        data: &Path,
        listen: &str,
        extra_args: Vec<String>,
        log: Option<(String, RelayLog)>,
    ) -> Self {
        let filter = match &log {
            Some((filter, _)) => filter.clone(),
            None => std::env::var("LINLI_TEST_RELAY_LOG").unwrap_or_else(|_| "warn".into()),
        };
        // Many relays run at once: metrics on a free port unless the test
        // says otherwise, never the fixed default.
        let metrics_listen: &[&str] = if extra_args.iter().any(|a| a == "--metrics-listen") {
            &[]
        } else {
            &["--metrics-listen", "127.0.0.1:0"]
        };
        let mut child = Command::new(binary("linli-relay"))
            .arg("--listen")
            .arg(listen)
            .arg("--data")
            .arg(data)
            .args(metrics_listen)
            .args(&extra_args)
            .env("RUST_LOG", filter)
            .stdout(Stdio::piped())
            .stderr(if log.is_some() {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("start linli-relay");
        if let (Some((_, kept)), Some(stderr)) = (&log, child.stderr.take()) {
            let kept = kept.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut text = kept.0.lock().unwrap_or_else(|p| p.into_inner());
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        let stdout = child.stdout.take().expect("relay stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // The metrics line, when there is one, comes first.
            let mut metrics_addr = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("linli-relay metrics at http://") {
                    metrics_addr = rest.strip_suffix("/metrics").map(str::to_owned);
                }
                if let Some(rest) = line.strip_prefix("linli-relay serving ") {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send((url, metrics_addr.take()));
                }
            }
        });
        let (bare_url, metrics_addr) = rx
            .recv_timeout(PATIENCE)
            .expect("relay did not print its URL in time");
        let admin_token = std::fs::read_to_string(data.join("admin-token"))
            .expect("relay wrote its first street-admin token")
            .trim()
            .to_owned();
        Self {
            child,
            data: data.to_path_buf(),
            url: format!("{bare_url}?token={admin_token}"),
            bare_url,
            admin_token,
            metrics_addr,
            extra_args,
            log,
        }
    }

    /// `host:port` the relay listens on.
    pub fn addr(&self) -> String {
        self.bare_url
            .trim_start_matches("ws://")
            .trim_end_matches("/sync")
            .to_owned()
    }

    /// Makes a token with the admin CLI and returns its secret.
    pub fn create_token(&self, role: &str, scope: &str, name: &str) -> String {
        let mut args = vec!["token", "create", "--role", role, "--name", name];
        if !scope.is_empty() {
            args.extend(["--scope", scope]);
        }
        admin(&self.data, &args).trim().to_owned()
    }

    /// SIGKILL: no chance to flush or clean up.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again on the same data and the same port.
    pub fn restart(&mut self) {
        self.kill9();
        let addr = self.addr();
        let again = Self::spawn(&self.data, &addr, self.extra_args.clone(), self.log.clone());
        *self = again;
    }

    /// Starts again on the same data and port with `extra_args` instead.
    pub fn restart_with(&mut self, extra_args: &[&str]) {
        self.extra_args = extra_args.iter().map(|s| s.to_string()).collect();
        self.restart();
    }

    /// SIGTERM, without waiting: the relay starts to stop (and drains,
    /// when started with `--drain-secs`).
    pub fn signal_term(&self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
    }

    /// SIGTERM, then waits; returns the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `linli-relay ARGS --data DIR` (an admin subcommand) and returns its
/// stdout; panics with its stderr if it fails.
pub fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(binary("linli-relay"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-relay admin command");
    assert!(
        out.status.success(),
        "linli-relay {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
