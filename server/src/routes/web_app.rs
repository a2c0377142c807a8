//! The field app, served from the files embedded at build time (see
//! `server/build.rs`). Hashed build assets are cached for good; the page,
//! the service worker and the manifest are revalidated, so a new relay
//! version reaches phones on their next online visit.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/web_app_files.rs"));

/// `GET` of any path the other routes do not claim.
pub(super) async fn serve(uri: Uri) -> Response {
    let path = match uri.path() {
        "/" => "/index.html",
        p => p,
    };
    let Some((_, bytes, mime)) = FILES.iter().find(|(p, _, _)| *p == path) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let cache = if path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, cache),
        ],
        *bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::FILES;

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
