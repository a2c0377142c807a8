//! A PostgreSQL to test against: the one named by `LINLI_TEST_POSTGRES`,
//! or a throwaway cluster started here.
//!
//! - With `LINLI_TEST_POSTGRES` set (a connection string of a role that may
//!   `CREATE DATABASE`), that server is used (`.ci/run` starts one for the
//!   whole run).
//! - Otherwise [`TestCluster::start`] runs `initdb` and `pg_ctl` (found on
//!   `PATH`, else in the newest `/usr/lib/postgresql/*/bin`) on a temporary
//!   folder, listening only on a Unix socket in that folder. As root it
//!   runs them as the `postgres` user (`initdb` refuses root). Dropping
//!   the [`TestCluster`] stops the server and removes the folder.
//!
//! Each test asks for its own fresh database
//! ([`TestCluster::create_database`]), so tests never see each other's data.
//! Nothing waits a fixed time: `pg_ctl -w` returns once the server accepts
//! connections.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_postgres::NoTls;

/// The environment variable naming a server to use instead of starting one.
pub const ENV: &str = "LINLI_TEST_POSTGRES";

/// Seconds `pg_ctl` may take to start or stop the server.
const PG_CTL_TIMEOUT_SECS: &str = "120";

/// Why a test PostgreSQL could not be had.
#[derive(Debug, thiserror::Error)]
#[error("test PostgreSQL: {0}")]
pub struct ClusterError(String);

/// A PostgreSQL server for tests; stopped on drop when started here.
pub struct TestCluster {
    /// A connection string for the server, without a database name.
    base: Base,
    server: Option<Server>,
}

enum Base {
    /// `LINLI_TEST_POSTGRES`, as given.
    Given(String),
    /// The Unix socket folder of a server started here.
    Socket(PathBuf),
}

/// A server this process started.
struct Server {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    // Dropped after the server is stopped (field order).
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let mut stop = command(&self.bin, "pg_ctl", self.as_postgres);
        stop.arg("-D").arg(&self.data).args([
            "-m",
            "immediate",
            "-w",
            "-t",
            PG_CTL_TIMEOUT_SECS,
            "stop",
        ]);
        match stop.output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "test PostgreSQL did not stop: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("test PostgreSQL did not stop: {e}"),
        }
    }
}

impl TestCluster {
    /// The server named by `LINLI_TEST_POSTGRES`, or a new one.
    pub fn start() -> Result<Self, ClusterError> {
        if let Ok(given) = std::env::var(ENV)
            && !given.trim().is_empty()
        {
            return Ok(Self::on(given));
        }
        Self::start_server(false)
    }

    /// The server `given` names (a connection string of a role that may
    /// `CREATE DATABASE`); nothing is started or stopped.
    pub fn on(given: String) -> Self {
        TestCluster {
            base: Base::Given(given),
            server: None,
        }
    }

    /// A new server that syncs its writes to disk, as a real hub's does:
    /// for benchmarks, where `fsync=off` would flatter PostgreSQL.
    pub fn start_durable() -> Result<Self, ClusterError> {
        Self::start_server(true)
    }

    fn start_server(fsync: bool) -> Result<Self, ClusterError> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("linli-pg-")
            .tempdir()
            .map_err(|e| ClusterError(format!("cannot make a temporary folder: {e}")))?;
        let as_postgres = owned_by_root(dir.path());
        if as_postgres {
            run(Command::new("chown").arg("postgres").arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        let mut initdb = command(&bin, "initdb", as_postgres);
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .args(["--locale=C", "--no-sync"]);
        run(&mut initdb)?;
        // Only a Unix socket in the folder: nothing listens on the network.
        // fsync off for tests: a test server's durability across an OS
        // crash does not matter (its processes' crashes are what tests
        // inflict).
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync={} -c max_connections=400",
            dir.path().display(),
            if fsync { "on" } else { "off" }
        );
        let mut start = command(&bin, "pg_ctl", as_postgres);
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("server.log"))
            .args(["-o", &options, "-w", "-t", PG_CTL_TIMEOUT_SECS, "start"]);
        if let Err(e) = run(&mut start) {
            let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
            return Err(ClusterError(format!("{e}\n{log}")));
        }
        Ok(TestCluster {
            base: Base::Socket(dir.path().to_owned()),
            server: Some(Server {
                bin,
                data,
                as_postgres,
                _dir: dir,
            }),
        })
    }

    /// A connection string for database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        match &self.base {
            Base::Socket(dir) => {
                let host: String =
                    url::form_urlencoded::byte_serialize(dir.as_os_str().as_encoded_bytes())
                        .collect();
                format!("postgresql:///{name}?user=postgres&host={host}")
            }
            Base::Given(given) => with_dbname(given, name),
        }
    }

    /// Creates a new, empty database and returns its connection string.
    pub async fn create_database(&self) -> Result<String, ClusterError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "linli_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = match &self.base {
            Base::Socket(_) => self.url("postgres"),
            Base::Given(given) => given.clone(),
        };
        let (client, connection) = tokio_postgres::connect(&admin, NoTls)
            .await
            .map_err(|e| ClusterError(format!("cannot connect: {e}")))?;
        let driver = tokio::spawn(connection);
        let created = client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| ClusterError(format!("cannot create a database: {e}")));
        drop(client);
        let _ = driver.await;
        created?;
        Ok(self.url(&name))
    }

    /// Whether this process started the server (and stops it on drop).
    pub fn is_own(&self) -> bool {
        self.server.is_some()
    }
}

/// `given` with its database name replaced by `name`.
fn with_dbname(given: &str, name: &str) -> String {
    if (given.starts_with("postgres://") || given.starts_with("postgresql://"))
        && let Ok(mut url) = url::Url::parse(given)
    {
        url.set_path(name);
        return url.to_string();
    }
    format!("{given} dbname={name}")
}

/// Whether `path` (just made by this process) belongs to root, i.e. this
/// process runs as root.
fn owned_by_root(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).is_ok_and(|m| m.uid() == 0)
}

/// `program` from `bin`, run as the `postgres` user when `as_postgres`.
fn command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    let program = bin.join(program);
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> Result<(), ClusterError> {
    let out = command
        .output()
        .map_err(|e| ClusterError(format!("cannot run {command:?}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ClusterError(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`: `initdb`'s on
/// `PATH` (symlinks followed), else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin() -> Result<PathBuf, ClusterError> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("initdb"))
            .find(|p| p.is_file())
    });
    if let Some(initdb) = on_path {
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = real.parent() {
            return Ok(dir.to_owned());
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        ClusterError(format!(
            "initdb not found on PATH nor in /usr/lib/postgresql/*/bin: install PostgreSQL \
             (apt-get install postgresql) or set {ENV} to a server's connection string"
        ))
    })
}
