//! Embeds the field app's built files (`web/dist`, committed) into the relay,
//! so `cargo run --release --bin linli-relay` on a fresh clone serves the app
//! at `/` with no Node on the machine. Writes `$OUT_DIR/web_app_files.rs`:
//! one `(path, bytes, content type)` per file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    collect(&dist, &mut files);
    files.sort();
    if files.is_empty() {
        println!(
            "cargo:warning=web/dist is empty: the relay will not serve the field app (run web/build.sh)"
        );
    }
    let mut out = String::from("pub(super) static FILES: &[(&str, &[u8], &str)] = &[\n");
    for file in &files {
        let rel = file.strip_prefix(&dist).unwrap_or(file);
        let route = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
        let _ = writeln!(
            out,
            "    ({route:?}, include_bytes!({path:?}), {mime:?}),",
            path = file.display().to_string(),
            mime = content_type(file),
        );
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("web_app_files.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
