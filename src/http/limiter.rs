//! The rate limit each token is held to (`GDH_RATE_LIMIT`, `GDH_RATE_BURST`), kept in
//! memory by this server alone.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};

use crate::graphql::ApiSettings;

/// Checks between two prunings of the rate limiter: a few seconds' traffic. A pruning walks
/// the tokens seen since the last one (hundreds, for this hub's users) inside the request
/// that triggers it: microseconds, not worth a task of its own.
const LIMITER_PRUNE_EVERY: u64 = 10_000;

/// Requests each token may make, tracked per token id. A token's entry stays in memory until
/// pruned: every `prune_every` checks, entries whose allowance has refilled are dropped (a
/// token then starts afresh, as it would anyway), so tokens used once and never again do
/// not grow the map for as long as the server runs.
pub struct TokenLimiter {
    limiter: governor::DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
    prune_every: u64,
}

impl TokenLimiter {
    pub fn new(quota: governor::Quota, prune_every: u64) -> TokenLimiter {
        TokenLimiter {
            limiter: governor::RateLimiter::dashmap(quota),
            checks: AtomicU64::new(0),
            prune_every: prune_every.max(1),
        }
    }

    /// The limiter the settings ask for. Governor has no quota of zero: a rate of 0 is read
    /// as 1 a second, a burst of 0 as the rate.
    pub fn for_settings(settings: &ApiSettings) -> TokenLimiter {
        let per_second = NonZeroU32::new(settings.token_rate_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(settings.token_burst).unwrap_or(per_second);
        let quota = governor::Quota::per_second(per_second).allow_burst(burst);
        TokenLimiter::new(quota, LIMITER_PRUNE_EVERY)
    }

    /// One request by the token `jti`: refused with the earliest moment it may try again.
    pub fn check(&self, jti: &str) -> Result<(), governor::NotUntil<<DefaultClock as Clock>::Instant>> {
        let checks = self.checks.fetch_add(1, Ordering::Relaxed) + 1;
        if checks % self.prune_every == 0 {
            self.limiter.retain_recent();
        }
        // An owned key only for a token not seen yet would need a second lookup; jtis are short.
        self.limiter.check_key(&jti.to_owned())
    }

    /// Tokens tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

#[cfg(test)]
mod tests {
    use super::TokenLimiter;

    #[test]
    fn tokens_whose_allowance_has_refilled_are_forgotten_as_checks_go_by() {
        let quota = governor::Quota::per_second(std::num::NonZeroU32::new(1_000).expect("non-zero"));
        let limiter = TokenLimiter::new(quota, 4);
        assert!(limiter.check("a").is_ok() && limiter.check("b").is_ok() && limiter.check("c").is_ok());
        assert_eq!(limiter.tracked(), 3);
        // A millisecond refills one request of a thousand a second.
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(limiter.check("d").is_ok(), "the fourth check prunes, then counts d");
        assert_eq!(limiter.tracked(), 1, "a, b and c were forgotten");
    }

    #[test]
    fn a_token_past_its_burst_is_refused_until_it_refills() {
        let quota = governor::Quota::per_hour(std::num::NonZeroU32::new(1).expect("non-zero"));
        let limiter = TokenLimiter::new(quota, 1);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err(), "pruning keeps a token that has not refilled");
        assert!(limiter.check("b").is_ok(), "each token has its own allowance");
    }
}
