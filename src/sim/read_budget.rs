//! WhatsApp's limit on group reads: an account that queries group metadata too often gets
//! `<error code="429" text="rate-overlimit" backoff="N"/>` (wacore reads `backoff` into
//! `IqError::ServerError`; Baileys #1419, #2148 and WhiskeySockets/Baileys #795 report it for
//! `groupMetadata` loops). The simulator keeps a per-account budget of reads (group IQs of
//! type `get`) per window, counted over every device of the account.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Reads per window allowed to one account (scenario `[server] read_budget`,
/// `read_window_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBudget {
    pub reads: usize,
    pub window: Duration,
}

impl Default for ReadBudget {
    fn default() -> Self {
        Self {
            reads: 100,
            window: Duration::from_secs(60),
        }
    }
}

/// When each account's reads of the current window came.
#[derive(Debug, Default)]
pub struct ReadLog {
    reads: HashMap<String, VecDeque<Instant>>,
}

impl ReadLog {
    /// Counts a read of `phone` at `now`: `Ok`, or past the budget the `backoff` (seconds until
    /// the window has room again) to answer the 429 with. Refused reads count too: a client
    /// that keeps asking stays limited, as on WhatsApp.
    pub fn admit(&mut self, phone: &str, now: Instant, budget: ReadBudget) -> Result<(), u32> {
        let log = self.reads.entry(phone.to_string()).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= budget.window)
        {
            log.pop_front();
        }
        log.push_back(now);
        if log.len() <= budget.reads {
            return Ok(());
        }
        let oldest = log.front().copied().unwrap_or(now);
        let left = budget.window.saturating_sub(now.duration_since(oldest));
        Err(u32::try_from(left.as_secs().max(1)).unwrap_or(u32::MAX))
    }

    /// Forgets the reads counted so far (a test's clean slate).
    pub fn clear(&mut self) {
        self.reads.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_budget_get_a_backoff_until_the_window_has_room() {
        let budget = ReadBudget {
            reads: 3,
            window: Duration::from_secs(60),
        };
        let t0 = Instant::now();
        let mut log = ReadLog::default();
        for i in 0..3 {
            assert_eq!(log.admit("1", t0 + Duration::from_secs(i), budget), Ok(()));
        }
        assert_eq!(
            log.admit("1", t0 + Duration::from_secs(10), budget),
            Err(50)
        );
        assert_eq!(log.admit("2", t0, budget), Ok(()), "per account");
        let later = t0 + Duration::from_secs(200);
        assert_eq!(log.admit("1", later, budget), Ok(()), "a new window");
    }
}
