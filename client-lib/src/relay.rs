//! Where the relay is and how to authenticate to it.

use std::fmt;

use tokio_tungstenite::tungstenite::http::Uri;

use crate::ClientError;

/// The websocket path of a linli relay.
pub const SYNC_PATH: &str = "/sync";

/// A relay to connect to: its websocket URL and, optionally, a bearer token
/// sent as `Authorization: Bearer …` at the upgrade. `Debug` never shows the
/// token.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayTarget {
    url: String,
    token: Option<String>,
}

impl RelayTarget {
    /// A relay at `url` (see [`normalize_url`]), without a token.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        Ok(Self {
            url: normalize_url(url)?,
            token: None,
        })
    }

    /// Sends `token` as a bearer token when connecting.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with any query (which may carry a `?token=`) elided, for
    /// logs and messages.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }

    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

impl fmt::Debug for RelayTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayTarget")
            .field("url", &self.display_url())
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Anything [`Client::connect`](crate::Client::connect) accepts as a relay:
/// a URL (`&str`, `String`) or a [`RelayTarget`] (with a token).
pub trait IntoRelayTarget {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError>;
}

impl IntoRelayTarget for RelayTarget {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError> {
        Ok(self)
    }
}

impl IntoRelayTarget for &RelayTarget {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError> {
        Ok(self.clone())
    }
}

impl IntoRelayTarget for &str {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError> {
        RelayTarget::new(self)
    }
}

impl IntoRelayTarget for String {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError> {
        RelayTarget::new(&self)
    }
}

impl IntoRelayTarget for &String {
    fn into_relay_target(self) -> Result<RelayTarget, ClientError> {
        RelayTarget::new(self)
    }
}

/// `url` without its query string (shown as `?…`), so a `?token=` never
/// reaches a log or the terminal.
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_owned(),
    }
}

/// Checks that `url` is a `ws://` or `wss://` URL with a host, and gives a
/// URL without a path the relay's path `/sync`.
pub fn normalize_url(url: &str) -> Result<String, ClientError> {
    let bad = |reason: &str| ClientError::BadRelayUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim();
    let uri: Uri = trimmed
        .parse()
        .map_err(|e: tokio_tungstenite::tungstenite::http::uri::InvalidUri| bad(&e.to_string()))?;
    match uri.scheme_str() {
        Some("ws") | Some("wss") => {}
        Some(other) => {
            return Err(bad(&format!(
                "the scheme is {other:?}; use ws:// or wss://"
            )));
        }
        None => return Err(bad("it has no scheme; use ws://HOST:PORT/sync or wss://…")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(bad(
            "user names or passwords in the URL are not supported; use a token",
        ));
    }
    if uri.path().is_empty() || uri.path() == "/" {
        let base = trimmed.trim_end_matches('/');
        return Ok(match uri.query() {
            Some(q) => {
                let without_query = base.split('?').next().unwrap_or(base).trim_end_matches('/');
                format!("{without_query}{SYNC_PATH}?{q}")
            }
            None => format!("{base}{SYNC_PATH}"),
        });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_and_wss_urls_are_accepted_and_a_missing_path_becomes_sync() {
        assert_eq!(
            normalize_url("ws://127.0.0.1:8080/sync").unwrap(),
            "ws://127.0.0.1:8080/sync"
        );
        assert_eq!(
            normalize_url("wss://relay.example/sync").unwrap(),
            "wss://relay.example/sync"
        );
        assert_eq!(normalize_url("ws://relay:1").unwrap(), "ws://relay:1/sync");
        assert_eq!(normalize_url("ws://relay:1/").unwrap(), "ws://relay:1/sync");
        assert_eq!(
            normalize_url("ws://relay/custom").unwrap(),
            "ws://relay/custom"
        );
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for bad in [
            "http://relay/sync",
            "relay:8080",
            "",
            "ws://",
            "not a url",
            "ws://u:p@h/sync",
        ] {
            assert!(
                matches!(normalize_url(bad), Err(ClientError::BadRelayUrl { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let target = RelayTarget::new("ws://h/sync")
            .unwrap()
            .with_token("s3cret");
        let shown = format!("{target:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
