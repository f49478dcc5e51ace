//! How a session's traffic stands against WhatsApp's limits, for the status bar: reads paused
//! by a 429, writes waiting for their pace or a cap, and how much of the caps is used.

/// One session's pace, as the engine last reported it. Times are unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pace {
    /// WhatsApp answered a read with 429: reads wait until then, and are retried.
    pub reads_paused_until: Option<i64>,
    /// WhatsApp answered a write with 429: writes wait until then.
    pub writes_paused_until: Option<i64>,
    /// Operations in the session's queue, not sent yet (the one being sent not counted).
    pub queued: usize,
    /// When the next write goes out, when it waits for the pace or a cap.
    pub next_send: Option<i64>,
    /// What the next write waits for, when it is a cap: "adds 200/200 per day".
    pub cap_reached: Option<String>,
    /// Adds sent in the last hour, against the hourly cap.
    pub adds_hour: (u32, u32),
}

/// How fast a session may write: the config's `[pace]` (README: "Pace and caps"). Adds and
/// group creations are what WhatsApp bans accounts for (whatsapp-rust's `TemporaryBan`
/// reasons: "added too many people who don't have you", "created too many groups with people
/// who don't have you"), so they go in small batches with long, jittered gaps and have hourly
/// and daily caps; removals, approvals and rejections answer people who asked and go faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceLimits {
    /// People per add request.
    pub add_batch: usize,
    /// Seconds between add requests: at least this, at most twice this (jittered).
    pub add_gap_secs: u64,
    pub adds_per_hour: u32,
    pub adds_per_day: u32,
    pub creates_per_hour: u32,
    pub creates_per_day: u32,
    /// People per request of the other people operations (remove, approve, reject, promote,
    /// demote).
    pub people_batch: usize,
    /// Seconds between any two other writes: at least this, at most twice this (jittered).
    pub write_gap_secs: u64,
}

impl Default for PaceLimits {
    fn default() -> Self {
        Self {
            add_batch: 5,
            add_gap_secs: 30,
            adds_per_hour: 50,
            adds_per_day: 200,
            creates_per_hour: 3,
            creates_per_day: 10,
            people_batch: Self::MAX_BATCH,
            write_gap_secs: 1,
        }
    }
}

impl PaceLimits {
    /// The most people one request may name (WhatsApp's batch limit; one huge IQ is also what
    /// a rate limit refuses whole).
    pub const MAX_BATCH: usize = 256;

    /// No gaps and no caps: only for measuring wamod's own speed against the simulator.
    pub fn unpaced() -> Self {
        Self {
            add_batch: Self::MAX_BATCH,
            add_gap_secs: 0,
            adds_per_hour: u32::MAX,
            adds_per_day: u32::MAX,
            creates_per_hour: u32::MAX,
            creates_per_day: u32::MAX,
            people_batch: Self::MAX_BATCH,
            write_gap_secs: 0,
        }
    }
}
