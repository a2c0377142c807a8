//! The hub's CPU time and peak memory, as the kernel counts them.

use anyhow::Context;

/// User plus system CPU seconds process `pid` has used so far.
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces: count from after it.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("no command name in /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    let ticks = |i: usize| -> anyhow::Result<u64> {
        Ok(fields.get(i - 3).context("short /proc stat")?.parse()?)
    };
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = if per_second > 0 {
        per_second as f64
    } else {
        100.0
    };
    Ok((ticks(14)? + ticks(15)?) as f64 / per_second)
}

/// The most resident memory process `pid` has held (VmHWM), in bytes.
pub fn peak_rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .context("no VmHWM in /proc status")?;
    Ok(kb * 1024)
}
