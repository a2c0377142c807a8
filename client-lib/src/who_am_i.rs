//! Who this device's token is, as the relay says at `GET /api/me`.
//!
//! The relay refuses a bad token's websocket upgrade with a bare 401,
//! which does not tell a revoked token from a mistyped one. After such a
//! refusal the sync asks here, so a revoked device hears plainly that the
//! street office revoked it (as the field app does, which cannot even see
//! the 401).

use crate::relay::RelayTarget;
use crate::relay_http::http_get;

/// The relay's answer about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhoAmI {
    /// A live token.
    Token {
        name: String,
        role: String,
        scope: Vec<String>,
    },
    /// The street office revoked it.
    Revoked,
    /// Refused for another reason (unknown, missing), in the relay's words.
    Refused(String),
}

#[derive(serde::Deserialize)]
struct Me {
    name: String,
    role: String,
    #[serde(default)]
    scope: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Refused {
    error: String,
}

/// Asks the relay at `target` about `target`'s token. `Err` when the relay
/// cannot be asked or does not answer as a linli relay does.
pub async fn who_am_i(target: &RelayTarget) -> Result<WhoAmI, String> {
    let answer = http_get(target.url(), "/api/me", target.token()).await?;
    match answer.status {
        200 => {
            let me: Me = serde_json::from_str(&answer.body)
                .map_err(|e| format!("the relay's /api/me answer is not as expected: {e}"))?;
            Ok(WhoAmI::Token {
                name: me.name,
                role: me.role,
                scope: me.scope,
            })
        }
        401 => {
            let refused: Refused = serde_json::from_str(&answer.body)
                .map_err(|e| format!("the relay's /api/me refusal is not as expected: {e}"))?;
            Ok(match refused.error.as_str() {
                "revoked" => WhoAmI::Revoked,
                _ => WhoAmI::Refused(refused.error),
            })
        }
        other => Err(format!("the relay answered /api/me with HTTP {other}")),
    }
}
