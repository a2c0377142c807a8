//! The district hub of the benchmark: a `linli-relay` (on SQLite in its
//! data folder, or on PostgreSQL), its district directory listing every
//! street, and one `street-relay` token per street.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use linli_client::{Client, EditError};
use linli_records::district::{self, StreetEntry};
use linli_records::ids::DocUrl;

use crate::app::street::run;
use crate::relay::{Kind, Relay};

/// How long the operator's device may take to store the district directory.
const PATIENCE: Duration = Duration::from_secs(120);

pub struct Hub {
    pub relay: Relay,
    /// Street `n`'s `street-relay` token, in the order of the streets.
    pub tokens: Vec<String>,
}

impl Hub {
    /// Starts the hub in `data` (on `db` when given), stores a district
    /// directory listing the streets whose directories are `directories`
    /// (street `n` is `s{n}`), makes their tokens and restarts the hub so
    /// that it starts as a hub.
    pub async fn start(
        bin_dir: &Path,
        data: &Path,
        db: Option<&str>,
        directories: &[String],
    ) -> anyhow::Result<Self> {
        let storage: Vec<&str> = db.map(|db| vec!["--storage", db]).unwrap_or_default();
        let mut relay = match db {
            Some(db) => Relay::start_linli_on(bin_dir, data, db)?,
            None => Relay::start(Kind::Linli, bin_dir, data)?,
        };
        let operator_dir = tempfile::tempdir()?;
        let operator = Client::open(operator_dir.path())?;
        let w = |e: linli_records::WriteError| EditError::other(e.to_string());
        let (doc, ()) = operator.create_with(|tx| {
            district::init(tx, "东湖区").map_err(w)?;
            for (n, directory) in directories.iter().enumerate() {
                let entry = StreetEntry {
                    name: format!("街道{n}"),
                    directory: Some(
                        DocUrl::new(directory.as_str())
                            .map_err(|e| EditError::other(e.to_string()))?,
                    ),
                };
                district::put_street(tx, &format!("s{n}"), &entry).map_err(w)?;
            }
            Ok(())
        })?;
        let token = relay.token.clone().context("the hub made no admin token")?;
        let url = format!("{}?token={token}", relay.url);
        let deadline = Instant::now() + PATIENCE;
        while !operator
            .sync_until_idle(url.as_str(), PATIENCE)
            .await
            .is_ok_and(|r| r.is_complete())
        {
            if Instant::now() > deadline {
                bail!("the hub never stored the district directory");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let data_arg = data.to_str().context("UTF-8 path")?;
        let admin = |args: &[&str]| {
            let all = [args, &["--data", data_arg][..], &storage[..]].concat();
            run(relay.program(), &all)
        };
        admin(&["directory", "set", &doc.url()])?;
        let mut tokens = Vec::new();
        for n in 0..directories.len() {
            let (scope, name) = (format!("street:s{n}"), format!("relay-s{n}"));
            let args: [&str; 8] = [
                "token",
                "create",
                "--role",
                "street-relay",
                "--scope",
                &scope,
                "--name",
                &name,
            ];
            tokens.push(admin(&args)?.trim().to_owned());
        }
        relay.restart()?;
        Ok(Self { relay, tokens })
    }
}
