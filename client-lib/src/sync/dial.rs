//! Opening the websocket to the relay with tokio-tungstenite.

use std::time::Duration;

use futures::{Sink, Stream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::UrlError;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header::AUTHORIZATION};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Error as WsError};

use linli_protocol::Frame;

use super::frame::tungstenite_frames;
use super::session::MAX_FRAME_BYTES;
use crate::RelayTarget;
use crate::who_am_i::{WhoAmI, who_am_i};

/// How long opening the connection (TCP and upgrade) may take.
const DIAL_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the websocket could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DialError {
    /// Retrying will not help (bad token, no TLS support, …).
    Refused(String),
    /// Perhaps it works later (relay down, network gone).
    Failed(String),
    /// The street office revoked this device's token.
    Revoked,
}

impl DialError {
    pub(crate) fn message(&self) -> &str {
        match self {
            DialError::Refused(m) | DialError::Failed(m) => m,
            DialError::Revoked => REVOKED,
        }
    }
}

/// What a revoked device is told.
pub(crate) const REVOKED: &str =
    "this device's token was revoked by the street office; ask them for a new one";

/// Connects to the relay and returns the socket as a stream and sink of
/// frames.
pub(crate) async fn dial(
    target: &RelayTarget,
) -> Result<
    impl Stream<Item = Result<Frame, WsError>> + Sink<Frame, Error = WsError> + Unpin + use<>,
    DialError,
> {
    let mut request = target
        .url()
        .into_client_request()
        .map_err(|e| DialError::Refused(format!("invalid relay URL: {e}")))?;
    if let Some(token) = target.token() {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| DialError::Refused("the token contains invalid characters".to_owned()))?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let connected = tokio::time::timeout(DIAL_TIMEOUT, connecting)
        .await
        .map_err(|_| DialError::Failed(format!("no answer within {}s", DIAL_TIMEOUT.as_secs())))?;
    match connected {
        Ok((ws, _response)) => Ok(tungstenite_frames(ws)),
        Err(WsError::Http(response)) if response.status().as_u16() == 401 => {
            // A 401 does not say whether the token is unknown or revoked;
            // the relay's /api/me does.
            if let Ok(WhoAmI::Revoked) = who_am_i(target).await {
                Err(DialError::Revoked)
            } else {
                Err(classify(WsError::Http(response)))
            }
        }
        Err(e) => Err(classify(e)),
    }
}

fn classify(e: tungstenite::Error) -> DialError {
    match e {
        WsError::Http(response) => {
            let status = response.status();
            let what = match status.as_u16() {
                401 => "the relay did not accept this device's token".to_owned(),
                403 => "the relay refused this device".to_owned(),
                404 => "the relay has no sync endpoint at this path (expected /sync)".to_owned(),
                _ => format!("the relay answered HTTP {status}"),
            };
            if status.is_client_error() {
                DialError::Refused(format!("{what} (HTTP {})", status.as_u16()))
            } else {
                DialError::Failed(what)
            }
        }
        WsError::Url(UrlError::TlsFeatureNotEnabled) => DialError::Refused(
            "wss:// needs TLS support, which this build of linli does not include".to_owned(),
        ),
        WsError::Url(other) => DialError::Refused(format!("invalid relay URL: {other}")),
        other => DialError::Failed(other.to_string()),
    }
}
