//! [`Liveness`]: when to ping a quiet connection and when to give it up.
//!
//! A connection can die without a close (a phone leaves the building, a
//! NAT forgets the mapping); only silence tells. Both ends follow the same
//! rule: after [`LivenessPolicy::ping_after`] without hearing anything,
//! ping (again every `ping_after` while the silence lasts, as a lost ping
//! proves nothing); after [`LivenessPolicy::give_up_after`] without hearing
//! anything, close. Any frame heard counts, pongs included.
//!
//! Time is passed in as milliseconds since any origin the driver picks
//! (e.g. when the connection opened); nothing here reads a clock, so tests
//! use plain numbers and a browser driver can use `performance.now()`.

use std::time::Duration;

/// How patient a connection is with a silent peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LivenessPolicy {
    /// Silence after which (and then at this interval) the peer is pinged.
    pub ping_after: Duration,
    /// Silence after which the connection is given up.
    pub give_up_after: Duration,
}

/// What a connection should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing: the peer was heard recently enough.
    Fine,
    /// Send a ping (the ping counts as sent).
    Ping,
    /// Close: the peer has been silent for `silent`.
    GiveUp { silent: Duration },
}

/// One connection's liveness state.
#[derive(Debug, Clone)]
pub struct Liveness {
    ping_after: u64,
    give_up_after: u64,
    last_heard: u64,
    last_ping: Option<u64>,
}

impl Liveness {
    /// A connection that opened (and so was last heard) at `now`.
    pub fn new(policy: LivenessPolicy, now: u64) -> Self {
        Self {
            ping_after: millis(policy.ping_after).max(1),
            give_up_after: millis(policy.give_up_after).max(1),
            last_heard: now,
            last_ping: None,
        }
    }

    /// Something (any frame) arrived from the peer at `now`.
    pub fn heard(&mut self, now: u64) {
        self.last_heard = self.last_heard.max(now);
        self.last_ping = None;
    }

    /// What to do at `now`. A [`Verdict::Ping`] is recorded as sent.
    pub fn poll(&mut self, now: u64) -> Verdict {
        let silent = now.saturating_sub(self.last_heard);
        if silent >= self.give_up_after {
            return Verdict::GiveUp {
                silent: Duration::from_millis(silent),
            };
        }
        if now >= self.next_ping() {
            self.last_ping = Some(now);
            return Verdict::Ping;
        }
        Verdict::Fine
    }

    /// When [`Liveness::poll`] next has something to say, unless the peer
    /// is heard from first. Waking earlier is harmless (`poll` answers
    /// [`Verdict::Fine`]), so a driver need not re-arm its timer for every
    /// frame it hears.
    pub fn next_wake(&self) -> u64 {
        self.next_ping()
            .min(self.last_heard.saturating_add(self.give_up_after))
    }

    fn next_ping(&self) -> u64 {
        self.last_ping
            .unwrap_or(self.last_heard)
            .saturating_add(self.ping_after)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
