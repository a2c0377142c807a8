//! A token bucket: `rate` messages per second on average, bursts of up to
//! ten seconds' worth (a device reconnecting sends one message per document
//! at once).

use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimit {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl RateLimit {
    pub fn new(per_second: u32) -> Self {
        let rate = f64::from(per_second.max(1));
        Self {
            rate,
            burst: rate * 10.0,
            tokens: rate * 10.0,
            last: None,
        }
    }

    /// Takes one token at `now`; false when the bucket is empty.
    pub fn allow(&mut self, now: Instant) -> bool {
        if let Some(last) = self.last {
            let refill = now.saturating_duration_since(last).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + refill).min(self.burst);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_pass_then_the_rate_holds() {
        let start = Instant::now();
        let mut r = RateLimit::new(10);
        let passed = (0..150).filter(|_| r.allow(start)).count();
        assert_eq!(passed, 100);
        assert!(!r.allow(start));
        assert!(r.allow(start + Duration::from_millis(100)));
        assert!(!r.allow(start + Duration::from_millis(100)));
    }
}
