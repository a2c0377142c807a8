//! Why a connection was closed on purpose: the websocket close codes and
//! reasons a linli relay sends, in one place, so the relay, the `linli`
//! CLI and the field app in the browser read the same numbers.
//!
//! A browser sees only the close frame of a websocket (its code and
//! reason), never the `error` message a relay sends just before it nor the
//! HTTP status of a refused upgrade (that shows as 1006). So every
//! deliberate close carries one of these codes. Codes below 4000 keep
//! their RFC 6455 meaning; linli's own are 4000 plus the nearest HTTP
//! status, so they read at a glance.
//!
//! What a client does with them:
//! - [`CloseReason::Revoked`] (4403): stop, do not reconnect; the device's
//!   token is gone for good. The field app signs out and deletes the
//!   residents' data it holds; the CLI says to ask the street office for a
//!   new token.
//! - every other code: reconnect with backoff (at once for
//!   [`CloseReason::AccessChanged`]); the `error` message before the close
//!   says what went wrong, for logs.
//!
//! A close code the relay did not send (1006: the connection just dropped)
//! means nothing more than "reconnect".

/// A deliberate close: see each variant for its code and reason text
/// ([`CloseReason::code`], [`CloseReason::reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// 1000 "bye": the other side left (sent `leave`, `error` or a close).
    Normal,
    /// 1001 "relay shutting down": the relay is stopping or restarting;
    /// reconnect with backoff.
    ShuttingDown,
    /// 1002 "protocol error": a malformed or unexpected message (bad CBOR,
    /// no `join` first, sync data that does not parse, …).
    ProtocolError,
    /// 1003 "binary frames only": the peer sent a text frame.
    TextFrame,
    /// 1008 "not allowed": something this peer may not do, such as writing
    /// a document it may only read, syncing more documents than a
    /// connection may, or using a peer id another token holds. Never means
    /// the token is bad (that is [`CloseReason::Revoked`]).
    NotAllowed,
    /// 1009 "message too large": a message over the relay's size limit.
    TooLarge,
    /// 1011 "relay error": the relay could not do its part (say, its disk
    /// is full and the changes were not stored); the device keeps them and
    /// sends them again later.
    RelayError,
    /// 4205 "access changed": the token's role or scope was changed by the
    /// street office; reconnect at once and access is decided afresh.
    AccessChanged,
    /// 4403 "token revoked": the street office revoked this device's
    /// token. Do not reconnect with it.
    Revoked,
    /// 4408 "timed out": no `join` in time, or the connection was silent
    /// for too long.
    TimedOut,
    /// 4409 "replaced by a newer connection": the same device (peer id and
    /// token) connected again; this older socket is closed.
    Replaced,
    /// 4429 "too many messages": the peer sent faster than the relay
    /// accepts, or read too slowly to keep up with what it was sent.
    TooManyMessages,
}

impl CloseReason {
    /// Every reason, for lookups and tests.
    pub const ALL: [CloseReason; 12] = [
        CloseReason::Normal,
        CloseReason::ShuttingDown,
        CloseReason::ProtocolError,
        CloseReason::TextFrame,
        CloseReason::NotAllowed,
        CloseReason::TooLarge,
        CloseReason::RelayError,
        CloseReason::AccessChanged,
        CloseReason::Revoked,
        CloseReason::TimedOut,
        CloseReason::Replaced,
        CloseReason::TooManyMessages,
    ];

    /// The websocket close code.
    pub const fn code(self) -> u16 {
        match self {
            CloseReason::Normal => 1000,
            CloseReason::ShuttingDown => 1001,
            CloseReason::ProtocolError => 1002,
            CloseReason::TextFrame => 1003,
            CloseReason::NotAllowed => 1008,
            CloseReason::TooLarge => 1009,
            CloseReason::RelayError => 1011,
            CloseReason::AccessChanged => 4205,
            CloseReason::Revoked => 4403,
            CloseReason::TimedOut => 4408,
            CloseReason::Replaced => 4409,
            CloseReason::TooManyMessages => 4429,
        }
    }

    /// The close frame's reason text: short (a close reason may hold at
    /// most 123 bytes) and fixed, so it never carries personal data.
    pub const fn reason(self) -> &'static str {
        match self {
            CloseReason::Normal => "bye",
            CloseReason::ShuttingDown => "relay shutting down",
            CloseReason::ProtocolError => "protocol error",
            CloseReason::TextFrame => "binary frames only",
            CloseReason::NotAllowed => "not allowed",
            CloseReason::TooLarge => "message too large",
            CloseReason::RelayError => "relay error",
            CloseReason::AccessChanged => "access changed",
            CloseReason::Revoked => "token revoked",
            CloseReason::TimedOut => "timed out",
            CloseReason::Replaced => "replaced by a newer connection",
            CloseReason::TooManyMessages => "too many messages",
        }
    }

    /// The reason a close code stands for, if a linli relay sends it.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A close frame as received: any code and reason, whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    pub code: u16,
    pub reason: String,
}

impl CloseFrame {
    /// What the code means, when it is one of linli's.
    pub fn linli_reason(&self) -> Option<CloseReason> {
        CloseReason::from_code(self.code)
    }

    /// Whether this close says the token was revoked.
    pub fn is_revoked(&self) -> bool {
        self.linli_reason() == Some(CloseReason::Revoked)
    }
}

impl From<CloseReason> for CloseFrame {
    fn from(reason: CloseReason) -> Self {
        CloseFrame {
            code: reason.code(),
            reason: reason.reason().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_map_back() {
        for reason in CloseReason::ALL {
            assert_eq!(CloseReason::from_code(reason.code()), Some(reason));
            assert!(reason.reason().len() <= 123, "{reason:?}");
        }
        assert_eq!(CloseReason::from_code(1006), None);
    }

    #[test]
    fn a_revoked_token_is_4403_token_revoked() {
        let frame = CloseFrame::from(CloseReason::Revoked);
        assert_eq!(frame.code, 4403);
        assert_eq!(frame.reason, "token revoked");
        assert!(frame.is_revoked());
        assert!(!CloseFrame::from(CloseReason::AccessChanged).is_revoked());
    }
}
