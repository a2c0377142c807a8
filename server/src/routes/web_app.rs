//! The field app, served from the files embedded at build time (see
//! `server/build.rs`). Hashed build assets are cached for good; the page,
//! the service worker and the manifest are revalidated, so a new relay
//! version reaches phones on their next online visit. Browsers that accept
//! gzip get the copy `web/build.sh` compressed (`FILE.gz`): the wasm is a
//! third of its size that way, which is what a first sign-in over slow
//! mobile data waits for.

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/web_app_files.rs"));

/// `GET` of any path the other routes do not claim.
pub(super) async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = match uri.path() {
        "/" => "/index.html",
        p => p,
    };
    let Some((_, bytes, mime)) = FILES.iter().find(|(p, _, _)| *p == path) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let gzipped = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(accepts_gzip)
        .then(|| {
            let gz = format!("{path}.gz");
            FILES.iter().find(|(p, _, _)| *p == gz)
        })
        .flatten();
    let cache = if path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = [
        (header::CONTENT_TYPE, *mime),
        (header::CACHE_CONTROL, cache),
        (header::VARY, "accept-encoding"),
    ];
    match gzipped {
        Some((_, gz, _)) => (headers, [(header::CONTENT_ENCODING, "gzip")], *gz).into_response(),
        None => (headers, *bytes).into_response(),
    }
}

/// Whether an `Accept-Encoding` value takes gzip (`gzip`, `gzip;q=0.8`,
/// `*`), and not `gzip;q=0`.
fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::{FILES, accepts_gzip};

    #[test]
    fn gzip_is_sent_only_to_browsers_that_take_it() {
        assert!(accepts_gzip("gzip, deflate, br, zstd"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, identity"));
        assert!(!accepts_gzip(""));
    }

    #[test]
    fn every_wasm_and_script_has_a_gzipped_copy() {
        for (path, _, _) in FILES {
            if path.ends_with(".wasm") || path.ends_with(".js") {
                let gz = format!("{path}.gz");
                assert!(
                    FILES.iter().any(|(p, _, _)| *p == gz),
                    "{path} has no gzipped copy (web/build.sh makes them)"
                );
            }
        }
    }

    #[test]
    fn the_built_app_is_embedded_with_its_page_worker_and_wasm() {
        let has = |pred: &dyn Fn(&str) -> bool| FILES.iter().any(|(p, _, _)| pred(p));
        assert!(
            has(&|p| p == "/index.html"),
            "web/dist/index.html is embedded"
        );
        assert!(has(&|p| p == "/sw.js"), "the service worker is embedded");
        assert!(
            has(&|p| p.ends_with(".wasm")),
            "the client's wasm is embedded"
        );
    }
}
