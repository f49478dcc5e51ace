//! Reads at a pace WhatsApp accepts. WhatsApp answers a client that queries groups too often
//! with 429 `rate-overlimit` (Baileys #1419, #2148: looping `groupMetadata`), and keeps
//! penalising one that goes on. Every group read of a session goes through one [`ReadGate`]:
//! at most [`READS_PER_WINDOW`] per [`READ_WINDOW`], and after a 429 none until the backoff is
//! over, doubling while WhatsApp keeps refusing. The pace itself ([`ReadPace`]) is a pure
//! function of the instants it is given, so it is tested without sleeping.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::backoff::Backoff;
use whatsapp_rust::features::{CommunityError, GroupError};
use whatsapp_rust::request::IqError;

/// Group reads per window: well under what WhatsApp tolerates, so a session never meets the
/// limit by itself (WhatsApp Web reads the whole list once and then lives on notifications).
pub const READS_PER_WINDOW: usize = 30;
pub const READ_WINDOW: Duration = Duration::from_secs(60);
/// The pause after a 429 without `backoff`; it doubles per 429 in a row, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// Why a read failed: WhatsApp's rate limit (wait and retry), or anything else (reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    RateLimited { backoff: Option<u32> },
    Failed(String),
}

impl ReadError {
    pub fn of_iq(what: &str, e: &IqError) -> Self {
        match e {
            IqError::ServerError {
                code: 429, backoff, ..
            } => ReadError::RateLimited { backoff: *backoff },
            other => ReadError::Failed(format!("{what}: {other}")),
        }
    }

    pub fn of_group(what: &str, e: &GroupError) -> Self {
        match e {
            GroupError::Iq(iq) => Self::of_iq(what, iq),
            other => ReadError::Failed(format!("{what}: {other}")),
        }
    }

    pub fn of_community(what: &str, e: &CommunityError) -> Self {
        match e {
            CommunityError::Iq(iq) => Self::of_iq(what, iq),
            CommunityError::Group(g) => Self::of_group(what, g),
            other => ReadError::Failed(format!("{what}: {other}")),
        }
    }
}

/// The pace of one session's reads.
#[derive(Debug)]
pub struct ReadPace {
    per_window: usize,
    window: Duration,
    /// When the reads of the current window went out, oldest first.
    sent: VecDeque<Instant>,
    backoff: Backoff,
}

impl ReadPace {
    pub fn new(per_window: usize, window: Duration) -> Self {
        Self {
            per_window: per_window.max(1),
            window,
            sent: VecDeque::new(),
            backoff: Backoff::new(FIRST_BACKOFF, MAX_BACKOFF),
        }
    }

    /// A read may go out at `now` (it is counted), or not before the instant returned.
    pub fn take(&mut self, now: Instant) -> Result<(), Instant> {
        if let Some(until) = self.backoff.until(now) {
            return Err(until);
        }
        while self.sent.front().is_some_and(|t| *t + self.window <= now) {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.per_window {
            let oldest = self.sent.front().copied().unwrap_or(now);
            return Err(oldest + self.window);
        }
        self.sent.push_back(now);
        Ok(())
    }

    /// WhatsApp answered 429 (with its `backoff`, in seconds, if it gave one): no read until the
    /// instant returned. The pause doubles with every 429 in a row.
    pub fn rate_limited(&mut self, now: Instant, backoff: Option<u32>) -> Instant {
        self.backoff.refused(now, backoff)
    }

    /// A read was answered: the next 429 starts from the first backoff again.
    pub fn answered(&mut self) {
        self.backoff.answered();
    }
}

/// The session's gate for reads, shared by its fetch tasks. `on_pause` hears when reads stop
/// after a 429 (until when, in unix seconds) and `None` once one is answered again.
pub struct ReadGate {
    pace: Mutex<ReadPace>,
    on_pause: Box<dyn Fn(Option<i64>) + Send + Sync>,
}

impl ReadGate {
    pub fn new(pace: ReadPace, on_pause: impl Fn(Option<i64>) + Send + Sync + 'static) -> Self {
        Self {
            pace: Mutex::new(pace),
            on_pause: Box::new(on_pause),
        }
    }

    /// Runs `read` when the pace allows, again after each 429's pause (shown, with when it
    /// will try again) until it is answered or fails otherwise.
    pub async fn read<T, F, Fut>(&self, mut read: F) -> Result<T, String>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ReadError>>,
    {
        let mut paused = false;
        loop {
            self.turn().await;
            match read().await {
                Ok(v) => {
                    self.with_pace(ReadPace::answered);
                    if paused {
                        (self.on_pause)(None);
                    }
                    return Ok(v);
                }
                Err(ReadError::RateLimited { backoff }) => {
                    let now = Instant::now();
                    let until = self.with_pace(|p| p.rate_limited(now, backoff));
                    let left = until.saturating_duration_since(now).as_secs();
                    let at = chrono::Utc::now().timestamp() + i64::try_from(left).unwrap_or(0);
                    tracing::warn!("WhatsApp rate-limited a read; reads resume in {left}s");
                    paused = true;
                    (self.on_pause)(Some(at));
                }
                Err(ReadError::Failed(e)) => return Err(e),
            }
        }
    }

    /// Waits until a read may go out (and counts it).
    async fn turn(&self) {
        loop {
            let now = Instant::now();
            match self.with_pace(|p| p.take(now)) {
                Ok(()) => return,
                Err(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    fn with_pace<T>(&self, f: impl FnOnce(&mut ReadPace) -> T) -> T {
        // A poisoned lock only means a panic elsewhere mid-update; the pace is still usable.
        let mut pace = self.pace.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut pace)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn reads_past_the_window_budget_wait_for_the_oldest_to_age_out() {
        let t0 = Instant::now();
        let mut p = ReadPace::new(3, MIN);
        for i in 0..3 {
            assert_eq!(p.take(t0 + Duration::from_secs(i)), Ok(()));
        }
        assert_eq!(p.take(t0 + Duration::from_secs(10)), Err(t0 + MIN));
        assert_eq!(p.take(t0 + MIN), Ok(()), "the first read has aged out");
    }

    #[test]
    fn a_429_pauses_reads_and_the_pause_doubles_while_it_repeats() {
        let t0 = Instant::now();
        let mut p = ReadPace::new(100, MIN);
        let first = p.rate_limited(t0, None);
        assert_eq!(first, t0 + FIRST_BACKOFF);
        assert_eq!(p.take(t0 + Duration::from_secs(5)), Err(first));
        let second = p.rate_limited(first, Some(20));
        assert_eq!(
            second,
            first + Duration::from_secs(40),
            "WhatsApp's 20s, doubled"
        );
        p.answered();
        let t1 = second + MIN;
        assert_eq!(p.take(t1), Ok(()));
        assert_eq!(p.rate_limited(t1, Some(20)), t1 + Duration::from_secs(20));
    }

    #[test]
    fn the_pause_is_capped() {
        let t0 = Instant::now();
        let mut p = ReadPace::new(100, MIN);
        let mut until = t0;
        for _ in 0..20 {
            until = p.rate_limited(t0, None);
        }
        assert_eq!(until, t0 + MAX_BACKOFF);
    }

    /// On tokio's paused clock: a read refused twice is retried after each pause, the pauses
    /// are reported with when reads resume, and the end of the pause once it is answered.
    #[tokio::test(start_paused = true)]
    async fn the_gate_retries_after_each_pause_and_reports_it() {
        let pauses = Arc::new(Mutex::new(Vec::new()));
        let heard = pauses.clone();
        let gate = ReadGate::new(ReadPace::new(10, MIN), move |p| {
            heard.lock().unwrap().push(p.is_some());
        });
        let tries = AtomicUsize::new(0);
        let started = Instant::now();
        let answer = gate
            .read(|| {
                let n = tries.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        Err(ReadError::RateLimited { backoff: Some(10) })
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(answer, Ok(2));
        assert_eq!(started.elapsed(), Duration::from_secs(10 + 20));
        assert_eq!(*pauses.lock().unwrap(), [true, true, false]);
    }

    #[tokio::test(start_paused = true)]
    async fn other_failures_are_not_retried() {
        let gate = ReadGate::new(ReadPace::new(10, MIN), |_| {});
        let answer: Result<(), String> = gate
            .read(|| async { Err(ReadError::Failed("loading g: gone".into())) })
            .await;
        assert_eq!(answer, Err("loading g: gone".into()));
    }
}
