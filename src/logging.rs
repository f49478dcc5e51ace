//! Logs go to a file in the state directory, never to the terminal wamod draws on. Message
//! bodies and keys are never logged by wamod; the protocol library's own debug output is kept at
//! `info` unless asked for.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::private_file;

/// Starts logging to `file` (0600). Keep the guard alive until exit so the last lines are
/// flushed.
pub fn init(file: &Path, filter: Option<&str>) -> std::io::Result<WorkerGuard> {
    private_file(file)?;
    let log = std::fs::OpenOptions::new().append(true).open(file)?;
    let (writer, guard) = tracing_appender::non_blocking(log);
    let filter = EnvFilter::try_new(filter.unwrap_or("info,whatsapp_rust=warn,wacore=warn"))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
