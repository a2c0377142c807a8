//! Plain HTTP requests to the relay, beside the websocket: the audit log
//! (`GET /audit`) and who this device's token is (`GET /api/me`). Small
//! enough that a whole HTTP client would be more than the task.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTP/1.0 GET on the relay's host (plain for ws://, TLS for
/// wss://); returns the answer's status and body.
pub(crate) async fn http_get(
    ws_url: &str,
    path: &str,
    token: Option<&str>,
) -> Result<HttpAnswer, String> {
    let (tls, rest) = if let Some(r) = ws_url.strip_prefix("wss://") {
        (true, r)
    } else if let Some(r) = ws_url.strip_prefix("ws://") {
        (false, r)
    } else {
        return Err("not a ws:// or wss:// URL".into());
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:{}", if tls { 443 } else { 80 })
    };
    // A token given in the URL (`?token=`) goes along the same way.
    let path = match rest.split_once('?') {
        Some((_, query)) if !query.is_empty() => format!("{path}&{query}"),
        _ => path.to_owned(),
    };
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\n");
    if let Some(t) = token {
        request.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    request.push_str("\r\n");
    let io = async {
        let tcp = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| format!("cannot reach the relay: {e}"))?;
        if tls {
            let connector = native_tls::TlsConnector::new().map_err(|e| e.to_string())?;
            let connector = tokio_native_tls::TlsConnector::from(connector);
            let stream = connector
                .connect(host, tcp)
                .await
                .map_err(|e| format!("TLS with the relay failed: {e}"))?;
            exchange(stream, &request).await
        } else {
            exchange(tcp, &request).await
        }
    };
    let raw = tokio::time::timeout(Duration::from_secs(30), io)
        .await
        .map_err(|_| "the relay did not answer in time".to_owned())??;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "the relay's answer is not HTTP".to_owned())?;
    Ok(HttpAnswer {
        status,
        body: body.to_owned(),
    })
}

/// Sends `request` and reads until the relay closes (HTTP/1.0).
async fn exchange<S>(mut stream: S, request: &str) -> Result<Vec<u8>, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    Ok(raw)
}

/// What the relay answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: String,
}

impl HttpAnswer {
    /// The body of a 200 answer, else an error naming the status.
    pub fn ok_body(self) -> Result<String, String> {
        if self.status == 200 {
            Ok(self.body)
        } else {
            Err(format!("the relay answered HTTP {}", self.status))
        }
    }
}
