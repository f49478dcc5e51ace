//! A panic anywhere ends wamod. The panic hook restores the terminal at once and records the
//! message here; the UI loop, which would otherwise go on drawing on a cooked terminal (a panic
//! in a session, the cache writer or a blocking store call only ends that task), stops drawing
//! and returns the message, so wamod quits as `q` does and says why on stderr. A poisoned store
//! lock is never lived with.

use std::sync::OnceLock;

use tokio::sync::Notify;

static MESSAGE: OnceLock<String> = OnceLock::new();
static HAPPENED: Notify = Notify::const_new();

/// Records the first panic (from the panic hook); later ones are in the log.
pub fn record(message: String) {
    let _ = MESSAGE.set(message);
    HAPPENED.notify_one();
}

/// The first panic's message, if any happened.
pub fn message() -> Option<&'static str> {
    MESSAGE.get().map(String::as_str)
}

/// Resolves once a panic has been recorded.
pub async fn happened() -> &'static str {
    loop {
        if let Some(m) = message() {
            return m;
        }
        HAPPENED.notified().await;
    }
}

/// "file:line: message" of a panic.
pub fn describe(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    match info.location() {
        Some(l) => format!("{}:{}: {text}", l.file(), l.line()),
        None => text,
    }
}

/// A panic at a named point when `when()` holds, for the end-to-end tests of sim-demo builds
/// (`WAMOD_FAULT=<point>`): `store-write` panics inside the sync's cache write, holding the
/// database lock. Default builds neither read the variable nor call `when`.
pub fn inject(point: &str, when: impl FnOnce() -> bool) {
    #[cfg(feature = "sim-demo")]
    {
        static FAULT: OnceLock<Option<String>> = OnceLock::new();
        let fault = FAULT.get_or_init(|| std::env::var("WAMOD_FAULT").ok());
        if fault.as_deref() == Some(point) && when() {
            panic!("injected fault ({point})");
        }
    }
    #[cfg(not(feature = "sim-demo"))]
    let _ = (point, when);
}

/// The UI loop's words for a recorded panic.
pub fn stopped(message: &str) -> anyhow::Error {
    anyhow::anyhow!("stopped after a crash (a panic: {message}); details are in the log")
}
