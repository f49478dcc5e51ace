//! The simulator's clock: WhatsApp stamps stanzas and world changes in unix seconds.

pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
