//! [`Clock`]: where the device client gets the time its changes carry.
//!
//! Each change records when it was made; `linli status` shows the age of
//! the oldest one the relay has not confirmed. The client never reads the
//! system clock by itself: whoever opens it (the `linli` binary, an app)
//! passes a clock in, [`Clock::system`] for real use, a fixed one in tests.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self(Arc::new(SystemTime::now))
    }

    /// A clock that always says `at`.
    pub fn fixed(at: SystemTime) -> Self {
        Self(Arc::new(move || at))
    }

    /// Any source of time, e.g. a test's adjustable clock.
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    pub fn now(&self) -> SystemTime {
        (self.0)()
    }

    /// Now, as a change timestamp (seconds since the epoch, as automerge
    /// records it; 0 before the epoch).
    pub(crate) fn change_time(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests;
