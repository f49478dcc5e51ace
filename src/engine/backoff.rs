//! The pause after WhatsApp's 429 `rate-overlimit`: its `backoff` (seconds, when it gives one)
//! or a first pause, doubled for every 429 in a row up to a most, and back to the start once a
//! request is answered. Shared by the read and the write pace; pure, so tested without sleeping.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct Backoff {
    first: Duration,
    most: Duration,
    /// 429s in a row (reset by an answer).
    refusals: u32,
    until: Option<Instant>,
}

impl Backoff {
    pub fn new(first: Duration, most: Duration) -> Self {
        Self {
            first,
            most,
            refusals: 0,
            until: None,
        }
    }

    /// A 429 at `now`, with WhatsApp's `backoff` if any: nothing until the instant returned.
    pub fn refused(&mut self, now: Instant, backoff: Option<u32>) -> Instant {
        let base = backoff.map_or(self.first, |s| Duration::from_secs(u64::from(s.max(1))));
        let pause = base
            .saturating_mul(1 << self.refusals.min(8))
            .min(self.most.max(base));
        self.refusals += 1;
        let until = now + pause;
        self.until = Some(until);
        until
    }

    /// A request was answered: the next 429 starts from its own pause again.
    pub fn answered(&mut self) {
        self.refusals = 0;
    }

    /// Until when requests wait, if a pause is on at `now`.
    pub fn until(&self, now: Instant) -> Option<Instant> {
        self.until.filter(|t| *t > now)
    }
}
