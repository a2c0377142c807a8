//! Who changed which field of a document, and when: the fold over the
//! document's own history is `linli_records::history`; this adds the
//! relay's audit log (which token stored each change) where the relay can
//! be asked.

use std::collections::HashMap;

use linli_records::history::history_of;

use crate::relay_http::http_get;
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
            .and_then(|answer| answer.ok_body())
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
