//! Who changed which field of a document, and when: the fold over the
//! document's own history is `linli_records::history`; this adds the
//! relay's audit log (which token stored each change) where the relay can
//! be asked.

use std::collections::HashMap;
use std::time::Duration;

use linli_records::history::history_of;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Client, ClientError, DocumentId, IntoRelayTarget};

pub use linli_records::history::HistoryEntry;

impl Client {
    /// The history of `doc`, oldest first, keeping only changes that touch
    /// a field under `prefix` (see [`history_of`]).
    pub fn history(&self, doc: DocumentId, prefix: &str) -> Result<Vec<HistoryEntry>, ClientError> {
        let device = self.device_prefix();
        self.read(doc, |d| history_of(d, &device, prefix))
    }

    /// Asks the relay which token stored each change of `doc`: change hash
    /// → token name. Needs a token that may read the document.
    pub async fn relay_audit(
        &self,
        relay: impl IntoRelayTarget,
        doc: DocumentId,
    ) -> Result<HashMap<String, String>, ClientError> {
        let target = relay.into_relay_target()?;
        let body = http_get(target.url(), &format!("/audit?doc={doc}"), target.token())
            .await
            .map_err(|reason| ClientError::Connect {
                url: target.display_url(),
                reason,
            })?;
        let lines: Vec<AuditLine> =
            serde_json::from_str(&body).map_err(|e| ClientError::Connect {
                url: target.display_url(),
                reason: format!("the relay's audit answer is not JSON: {e}"),
            })?;
        Ok(lines.into_iter().map(|l| (l.change, l.token)).collect())
    }
}

#[derive(serde::Deserialize)]
struct AuditLine {
    change: String,
    token: String,
}

/// A minimal HTTP/1.0 GET on the relay's host (plain for ws://, TLS for
/// wss://); returns the body of a 200 answer.
async fn http_get(ws_url: &str, path: &str, token: Option<&str>) -> Result<String, String> {
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
        let mut raw = Vec::new();
        if tls {
            let connector = native_tls::TlsConnector::new().map_err(|e| e.to_string())?;
            let connector = tokio_native_tls::TlsConnector::from(connector);
            let mut stream = connector
                .connect(host, tcp)
                .await
                .map_err(|e| format!("TLS with the relay failed: {e}"))?;
            stream
                .write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            stream
                .read_to_end(&mut raw)
                .await
                .map_err(|e| e.to_string())?;
        } else {
            let mut stream = tcp;
            stream
                .write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            stream
                .read_to_end(&mut raw)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(30), io)
        .await
        .map_err(|_| "the relay did not answer in time".to_owned())??;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap_or("?");
    if status != "200" {
        return Err(format!("the relay answered HTTP {status}"));
    }
    Ok(body.to_owned())
}
