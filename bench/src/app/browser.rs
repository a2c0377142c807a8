//! Runs a browser side (`web/bench/app.mjs` or `office.mjs`, playwright-core
//! driving Debian's Chromium) and reads the one JSON object it prints last.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::process::Command;

/// Runs `web/bench/<script>` with `config` and returns its figures.
pub async fn run(web: &Path, script: &str, config: &Value) -> anyhow::Result<Value> {
    let script = web.join("bench").join(script);
    if !web.join("node_modules/playwright-core").exists() {
        bail!(
            "{} is missing: run `npm ci` in {} (or ./test.sh)",
            web.join("node_modules/playwright-core").display(),
            web.display()
        );
    }
    let out = Command::new("node")
        .arg(&script)
        .current_dir(web)
        .env("LINLI_BENCH", config.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("run node (the browser side needs node: apt-get install -y nodejs)")?
        .wait_with_output()
        .await?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("{} failed ({}):\n{stdout}", script.display(), out.status);
    }
    let last = stdout
        .lines()
        .last()
        .context("the script printed nothing")?;
    serde_json::from_str(last).with_context(|| format!("the script printed: {last}"))
}
