//! Reconnect delays: exponential backoff with jitter, so a street's worth
//! of devices coming back online do not hit the relay in lockstep.

use std::time::Duration;

use rand::Rng;

/// The first delay after a failure.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The longest delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Doubles from [`INITIAL_BACKOFF`] to [`MAX_BACKOFF`]; each delay is drawn
/// uniformly from the upper half of the current step.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    step: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Self {
            step: INITIAL_BACKOFF,
        }
    }

    /// The delay before the next attempt; the one after will be longer.
    pub(crate) fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        let step = self.step;
        self.step = (step * 2).min(MAX_BACKOFF);
        let half = step / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rng.random_range(0..=jitter_ms))
    }

    /// Back to the first step (after a connection that worked).
    pub(crate) fn reset(&mut self) {
        self.step = INITIAL_BACKOFF;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter_and_reset() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut backoff = Backoff::new();
        let mut step = INITIAL_BACKOFF;
        for _ in 0..20 {
            let d = backoff.next_delay(&mut rng);
            assert!(
                d >= step / 2 && d <= step,
                "{d:?} outside [{:?}, {step:?}]",
                step / 2
            );
            step = (step * 2).min(MAX_BACKOFF);
        }
        assert!(backoff.next_delay(&mut rng) >= MAX_BACKOFF / 2);
        backoff.reset();
        assert!(backoff.next_delay(&mut rng) <= INITIAL_BACKOFF);
    }
}
