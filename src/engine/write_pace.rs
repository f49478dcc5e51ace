//! The pace of one session's writes (see `domain::PaceLimits` for why): how many people go in
//! one request, how long to wait before the next request, and the hourly and daily caps on
//! adds and group creations. Pure: every decision is a function of the instants it is given,
//! so it is tested without sleeping; the write queue (`write_queue`) does the waiting.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::backoff::Backoff;
use crate::domain::PaceLimits;
use crate::ops::Op;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
/// The pause after a write's 429 without `backoff`; it doubles per 429 in a row.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);

/// What a write is, for its pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// Adding people (also a new group's first members).
    Add,
    /// Creating a group, community or subgroup.
    Create,
    /// Any other people operation: remove, approve, reject, promote, demote.
    People,
    /// Anything else: settings, subject, links, leave, join.
    Other,
}

impl WriteKind {
    pub fn of(op: &Op) -> Self {
        match op {
            Op::Add(_) => WriteKind::Add,
            Op::Create(_) | Op::CreateCommunity(_) | Op::CreateSubgroup(_) => WriteKind::Create,
            _ if op.is_people() => WriteKind::People,
            _ => WriteKind::Other,
        }
    }
}

/// When the next write may go: now, or at an instant (and, when a cap is why, which one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    Now,
    Until { at: Instant, cap: Option<String> },
}

#[derive(Debug)]
pub struct WritePace {
    limits: PaceLimits,
    /// People added, by when, for the last day.
    adds: VecDeque<(Instant, u32)>,
    /// Groups created, for the last day.
    creates: VecDeque<Instant>,
    /// The earliest instant the next write may go, set after each one (its jittered gap).
    next_at: Option<Instant>,
    /// When the last add went, and the gap chosen after it.
    next_add_at: Option<Instant>,
    backoff: Backoff,
}

impl WritePace {
    pub fn new(limits: PaceLimits) -> Self {
        Self {
            limits,
            adds: VecDeque::new(),
            creates: VecDeque::new(),
            next_at: None,
            next_add_at: None,
            backoff: Backoff::new(FIRST_BACKOFF, MAX_BACKOFF),
        }
    }

    /// People per request for this kind of write.
    pub fn batch(&self, kind: WriteKind) -> usize {
        let batch = match kind {
            WriteKind::Add => self
                .limits
                .add_batch
                .min(self.limits.adds_per_hour as usize),
            _ => self.limits.people_batch,
        };
        batch.clamp(1, PaceLimits::MAX_BATCH)
    }

    /// When a write of `kind` naming `people` may go out, seen at `now`.
    pub fn wait(&mut self, kind: WriteKind, people: u32, now: Instant) -> Wait {
        self.forget(now);
        let mut at = now;
        let mut cap = None;
        for t in [self.backoff.until(now), self.next_at]
            .into_iter()
            .flatten()
        {
            at = at.max(t);
        }
        if kind == WriteKind::Add
            && let Some(t) = self.next_add_at
        {
            at = at.max(t);
        }
        // (counts adds, window, cap, what, how many this write brings)
        let mut caps = Vec::new();
        if kind == WriteKind::Create {
            caps.push((
                false,
                HOUR,
                self.limits.creates_per_hour,
                "new groups per hour",
                1,
            ));
            caps.push((
                false,
                DAY,
                self.limits.creates_per_day,
                "new groups per day",
                1,
            ));
        }
        // A new group's first members are adds too.
        if kind == WriteKind::Add || (kind == WriteKind::Create && people > 0) {
            caps.push((
                true,
                HOUR,
                self.limits.adds_per_hour,
                "adds per hour",
                people,
            ));
            caps.push((true, DAY, self.limits.adds_per_day, "adds per day", people));
        }
        for (adds, window, limit, what, wanted) in caps {
            if let Some(free) = self.free_at(adds, window, limit, wanted, now)
                && free > at
            {
                at = free;
                cap = Some(format!("{limit} {what}"));
            }
        }
        if at <= now {
            Wait::Now
        } else {
            Wait::Until { at, cap }
        }
    }

    /// When enough of the adds (or creations) in `window` have aged out for `wanted` more to
    /// fit under `limit` (`None`: they fit now).
    fn free_at(
        &self,
        adds: bool,
        window: Duration,
        limit: u32,
        wanted: u32,
        now: Instant,
    ) -> Option<Instant> {
        let recent: Vec<(Instant, u32)> = if adds {
            self.adds.iter().copied().collect()
        } else {
            self.creates.iter().map(|t| (*t, 1)).collect()
        };
        let recent: Vec<(Instant, u32)> = recent
            .into_iter()
            .filter(|(t, _)| now.duration_since(*t) < window)
            .collect();
        let mut used: u64 = recent.iter().map(|(_, n)| u64::from(*n)).sum();
        let wanted = u64::from(wanted.min(limit));
        if used + wanted <= u64::from(limit) {
            return None;
        }
        for (t, n) in recent {
            used -= u64::from(n);
            if used + wanted <= u64::from(limit) {
                return Some(t + window);
            }
        }
        Some(now + window)
    }

    /// A write of `kind` naming `people` went out at `now`; `jitter` (0..1) spreads the gap
    /// before the next one between its minimum and twice that.
    pub fn sent(&mut self, kind: WriteKind, people: u32, now: Instant, jitter: f64) {
        let spread = |secs: u64| {
            let base = Duration::from_secs(secs);
            base + base.mul_f64(jitter.clamp(0.0, 1.0))
        };
        self.next_at = Some(now + spread(self.limits.write_gap_secs));
        match kind {
            WriteKind::Add => {
                self.adds.push_back((now, people));
                self.next_add_at = Some(now + spread(self.limits.add_gap_secs));
            }
            WriteKind::Create => {
                self.creates.push_back(now);
                if people > 0 {
                    self.adds.push_back((now, people));
                }
            }
            _ => {}
        }
    }

    /// WhatsApp answered a write with 429 (with its `backoff` in seconds, if any): no write
    /// until the instant returned; the pause doubles with every 429 in a row.
    pub fn rate_limited(&mut self, now: Instant, backoff: Option<u32>) -> Instant {
        self.backoff.refused(now, backoff)
    }

    /// A write was answered: the next 429 starts from its own backoff again.
    pub fn answered(&mut self) {
        self.backoff.answered();
    }

    /// Until when writes are paused by a 429, if they are.
    pub fn paused_until(&self, now: Instant) -> Option<Instant> {
        self.backoff.until(now)
    }

    /// People added in the last hour, and the hourly cap.
    pub fn adds_last_hour(&self, now: Instant) -> (u32, u32) {
        let n = self
            .adds
            .iter()
            .filter(|(t, _)| now.duration_since(*t) < HOUR)
            .map(|(_, n)| *n)
            .sum();
        (n, self.limits.adds_per_hour)
    }

    /// Drops what is older than a day: no cap looks further back.
    fn forget(&mut self, now: Instant) {
        while self
            .adds
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= DAY)
        {
            self.adds.pop_front();
        }
        while self
            .creates
            .front()
            .is_some_and(|t| now.duration_since(*t) >= DAY)
        {
            self.creates.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> PaceLimits {
        PaceLimits {
            add_batch: 5,
            add_gap_secs: 30,
            adds_per_hour: 12,
            adds_per_day: 20,
            creates_per_hour: 2,
            creates_per_day: 3,
            people_batch: 100,
            write_gap_secs: 1,
        }
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn adds_go_in_small_batches_with_jittered_gaps() {
        let t0 = Instant::now();
        let mut p = WritePace::new(limits());
        assert_eq!(p.batch(WriteKind::Add), 5);
        assert_eq!(p.batch(WriteKind::People), 100);
        assert_eq!(p.wait(WriteKind::Add, 5, t0), Wait::Now);
        p.sent(WriteKind::Add, 5, t0, 0.5);
        let next = Wait::Until {
            at: t0 + secs(45),
            cap: None,
        };
        assert_eq!(
            p.wait(WriteKind::Add, 5, t0 + secs(1)),
            next,
            "30s + half of 30s"
        );
        // Other writes only keep their own, shorter gap.
        assert_eq!(p.wait(WriteKind::People, 50, t0 + secs(2)), Wait::Now);
    }

    #[test]
    fn a_cap_holds_adds_until_the_oldest_leave_the_window() {
        let t0 = Instant::now();
        let mut p = WritePace::new(limits());
        p.sent(WriteKind::Add, 5, t0, 0.0);
        p.sent(WriteKind::Add, 5, t0 + secs(60), 0.0);
        // 10 of 12 this hour: 5 more would pass the cap until the first 5 are an hour old.
        assert_eq!(
            p.wait(WriteKind::Add, 5, t0 + secs(120)),
            Wait::Until {
                at: t0 + HOUR,
                cap: Some("12 adds per hour".into())
            }
        );
        assert_eq!(p.adds_last_hour(t0 + secs(120)), (10, 12));
        p.sent(WriteKind::Add, 5, t0 + HOUR, 0.0);
        p.sent(WriteKind::Add, 5, t0 + HOUR + secs(60), 0.0);
        // 20 today: the daily cap waits for the first add to be a day old.
        let later = t0 + 2 * HOUR + secs(120);
        assert_eq!(
            p.wait(WriteKind::Add, 5, later),
            Wait::Until {
                at: t0 + DAY,
                cap: Some("20 adds per day".into())
            }
        );
    }

    #[test]
    fn group_creations_have_their_own_caps() {
        let t0 = Instant::now();
        let mut p = WritePace::new(limits());
        p.sent(WriteKind::Create, 3, t0, 0.0);
        p.sent(WriteKind::Create, 0, t0 + secs(10), 0.0);
        assert_eq!(
            p.wait(WriteKind::Create, 0, t0 + secs(20)),
            Wait::Until {
                at: t0 + HOUR,
                cap: Some("2 new groups per hour".into())
            }
        );
        assert_eq!(
            p.adds_last_hour(t0 + secs(20)),
            (3, 12),
            "its members count as adds"
        );
    }

    #[test]
    fn a_429_pauses_every_write_and_doubles_while_it_repeats() {
        let t0 = Instant::now();
        let mut p = WritePace::new(limits());
        assert_eq!(p.rate_limited(t0, Some(10)), t0 + secs(10));
        assert_eq!(
            p.wait(WriteKind::People, 1, t0 + secs(1)),
            Wait::Until {
                at: t0 + secs(10),
                cap: None
            }
        );
        assert_eq!(p.rate_limited(t0 + secs(10), Some(10)), t0 + secs(30));
        assert_eq!(p.rate_limited(t0 + secs(30), None), t0 + secs(30 + 120));
        p.answered();
        assert_eq!(p.rate_limited(t0, None), t0 + FIRST_BACKOFF);
        let mut long = t0;
        for _ in 0..20 {
            long = p.rate_limited(t0, None);
        }
        assert_eq!(long, t0 + MAX_BACKOFF);
    }
}
