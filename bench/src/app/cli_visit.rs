//! The CLI's time for the edit the app is measured on: a building head's
//! `linli visit log`, then `linli sync` until the relay confirms it (sync
//! returns only then, and fails if it cannot), each a new process as she
//! would type them.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::Value;

use super::street::Cli;

/// Logs `reps` visits to `household` and syncs each; returns each time.
pub fn visits(device: &Cli, household: &str, reps: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(reps);
    for i in 0..reps {
        let note = format!("cli bench visit {}", i + 1);
        let started = Instant::now();
        device.run(&["visit", "log", household, "--note", &note])?;
        device.run(&["sync", "--timeout", "120"])?;
        times.push(started.elapsed());
        let status: Value = serde_json::from_str(&device.run(&["status", "--json"])?)?;
        if status["pending_changes"].as_u64() != Some(0) {
            bail!("after linli sync the visit is still pending: {status}");
        }
    }
    Ok(times)
}
