//! The field app's figures as a markdown table: each figure, its goal
//! (issue 10, "Measured") and whether it is met.

use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use super::median;

const MB: f64 = 1_000_000.0;

fn num(v: &Value, path: &[&str]) -> anyhow::Result<f64> {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    at.as_f64()
        .with_context(|| format!("the browser gave no {}", path.join(".")))
}

fn ms(x: f64) -> String {
    if x >= 10_000.0 {
        format!("{:.1} s", x / 1000.0)
    } else {
        format!("{x:.0} ms")
    }
}

fn runs(v: &Value, path: &[&str]) -> String {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    let all: Vec<f64> = at
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max);
    if all.len() < 2 {
        String::new()
    } else {
        format!(" ({}–{})", ms(lo), ms(hi))
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

fn memory(v: &Value, key: &str) -> anyhow::Result<String> {
    let page = num(v, &[key, "page_js"])?;
    let worker = num(v, &[key, "worker_js"])?;
    let wasm = num(v, &[key, "wasm"])?;
    Ok(format!(
        "JS heap {:.1} MB (page {:.1} + worker {:.1}), wasm memory {:.1} MB",
        (page + worker) / MB,
        page / MB,
        worker / MB,
        wasm / MB
    ))
}

/// The table, from the browser's figures and the CLI's visit times.
pub fn render(
    app: &Value,
    cli: &[Duration],
    reps: usize,
    grid_reps: usize,
) -> anyhow::Result<String> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut row = |a: &str, b: String, c: &str, d: &str| {
        rows.push([a.to_owned(), b, c.to_owned(), d.to_owned()]);
    };

    let gz = num(app, &["size", "gzipped"])?;
    row(
        "app shell + wasm, gzipped (every web/dist file, gzip -9)",
        format!(
            "{:.2} MB (wasm {:.2} MB; {:.2} MB uncompressed; the relay's copies {:.2} MB)",
            gz / MB,
            num(app, &["size", "wasm_gzipped"])? / MB,
            num(app, &["size", "raw"])? / MB,
            num(app, &["size", "served"])? / MB
        ),
        "≤ 1.5 MB",
        verdict(gz <= 1.5 * MB),
    );

    let open = num(app, &["cached_open", "ms"])?;
    row(
        "cached open → household list, 60-household building, CPU 4× (page thread)",
        format!(
            "{}{}; buildings list at {}",
            ms(open),
            runs(app, &["cached_open", "runs"]),
            ms(num(app, &["cached_open", "buildings_ms"])?)
        ),
        "≤ 1 s",
        verdict(open <= 1000.0),
    );

    let first = num(app, &["first_signin", "ms"])?;
    row(
        "first sign-in → household list, Fast 3G on every byte (slow link), once",
        format!(
            "{}; buildings list at {}; {:.2} MB down",
            ms(first),
            ms(num(app, &["first_signin", "buildings_ms"])?),
            num(app, &["first_signin", "bytes_down"])? / MB
        ),
        "≤ 10 s",
        verdict(first <= 10_000.0),
    );
    row(
        "first sign-in → household list, CDP Fast 3G (page's requests only), once",
        format!(
            "{}; buildings list at {}",
            ms(num(app, &["first_signin_cdp", "ms"])?),
            ms(num(app, &["first_signin_cdp", "buildings_ms"])?)
        ),
        "–",
        "(the worker's wasm and socket are not slowed)",
    );

    row(
        &format!(
            "grid worker, 10 buildings: cached open → household list, CPU 4× (page thread), median of {grid_reps}"
        ),
        format!(
            "{}{}",
            ms(num(app, &["grid_open", "ms"])?),
            runs(app, &["grid_open", "runs"])
        ),
        "–",
        "no goal",
    );
    row(
        "grid worker, 10 buildings: memory after opening",
        memory(app, "grid_memory")?,
        "–",
        "no goal",
    );
    row(
        "building head, 1 building: memory after opening",
        memory(app, "head_memory")?,
        "–",
        "no goal",
    );

    let visit = num(app, &["visit", "ms"])?;
    let cli_ms = median(cli).as_secs_f64() * 1000.0;
    let never = num(app, &["visit", "never_unsaved"])?;
    row(
        "log a visit → \"saved on the relay\", online (app)",
        format!(
            "{}{}{}",
            ms(visit),
            runs(app, &["visit", "runs"]),
            if never > 0.0 {
                format!("; {never} run(s) never showed unsaved")
            } else {
                String::new()
            }
        ),
        &format!("≤ 2 × CLI = {}", ms(2.0 * cli_ms)),
        verdict(visit <= 2.0 * cli_ms),
    );
    let cli_runs: Vec<f64> = cli.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    row(
        "the same with the CLI: `linli visit log` + `linli sync`",
        format!(
            "{}{}",
            ms(cli_ms),
            runs(&serde_json::json!({ "r": cli_runs }), &["r"])
        ),
        "–",
        "reference",
    );

    let mut out = format!("| figure (median of {reps}) | measured | goal | |\n|---|---|---|---|\n");
    for [a, b, c, d] in rows {
        out.push_str(&format!("| {a} | {b} | {c} | {d} |\n"));
    }
    Ok(out)
}
