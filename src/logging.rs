//! Logs go to a file in the state directory, never to the terminal wamod draws on. Message
//! bodies and keys are never logged by wamod; the protocol library logs the pairing phone number
//! and linking code at `info` under targets of its own ("Client/PairCode"), so by default only
//! wamod's own lines are kept at `info` and every other target's only from `warn`. The file is
//! rotated by size, a few old ones kept, each 0600.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::private_file;

/// What is logged unless `--log-level`/`WAMOD_LOG` says otherwise.
pub const DEFAULT_FILTER: &str = "warn,wamod=info";
/// A log file is rotated when it reaches this size...
pub const ROTATE_AT: u64 = 8 * 1024 * 1024;
/// ...and this many older files are kept (`wamod.log.1` the newest).
pub const KEEP: usize = 3;

/// Starts logging to `file` (0600). Keep the guard alive until exit so the last lines are
/// flushed. An invalid `filter` is an error, not a silent fallback.
pub fn init(file: &Path, filter: Option<&str>) -> std::io::Result<WorkerGuard> {
    let filter = parse_filter(filter).map_err(std::io::Error::other)?;
    let log = RotatingFile::open(file, ROTATE_AT, KEEP)?;
    let (writer, guard) = tracing_appender::non_blocking(log);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}

/// The filter `text` (tracing's `EnvFilter` syntax), or the default; why it is not valid.
pub fn parse_filter(text: Option<&str>) -> Result<EnvFilter, String> {
    let text = text.unwrap_or(DEFAULT_FILTER);
    EnvFilter::try_new(text).map_err(|e| {
        format!(
            "invalid log filter {text:?} (--log-level or WAMOD_LOG): {e}; e.g. \"warn,wamod=debug\""
        )
    })
}

/// A log file that moves itself aside at `limit` bytes: `wamod.log` → `wamod.log.1` → … →
/// `wamod.log.<keep>` (at least one), the oldest dropped. Every file is created 0600.
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    written: u64,
    limit: u64,
    keep: usize,
}

impl RotatingFile {
    pub fn open(path: &Path, limit: u64, keep: usize) -> std::io::Result<Self> {
        private_file(path)?;
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        let written = file.metadata()?.len();
        Ok(Self {
            path: path.to_path_buf(),
            file,
            written,
            limit,
            keep: keep.max(1),
        })
    }

    fn aside(&self, n: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        let _ = std::fs::remove_file(self.aside(self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(self.aside(n), self.aside(n + 1));
        }
        std::fs::rename(&self.path, self.aside(1))?;
        private_file(&self.path)?;
        self.file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.limit {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_log_moves_aside_and_only_a_few_are_kept_all_private() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("wamod.log");
        let mut log = RotatingFile::open(&path, 100, 2).expect("open");
        for i in 0..10 {
            log.write_all(format!("{i}{}\n", "x".repeat(58)).as_bytes())
                .expect("write");
        }
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["wamod.log", "wamod.log.1", "wamod.log.2"]);
        let text = |p: &str| std::fs::read_to_string(tmp.path().join(p)).expect("read");
        assert!(text("wamod.log").starts_with('9'));
        assert!(text("wamod.log.1").starts_with('8'));
        assert!(text("wamod.log.2").starts_with('7'));
        #[cfg(unix)]
        for n in &names {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(tmp.path().join(n))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{n}");
        }
    }

    #[test]
    fn only_wamod_logs_info_by_default_and_a_bad_filter_is_an_error() {
        let filter = parse_filter(None).expect("default").to_string();
        assert!(
            filter.contains("wamod=info") && filter.contains("warn"),
            "{filter}"
        );
        let err = parse_filter(Some("wamod=loud")).expect_err("invalid");
        assert!(err.contains("wamod=loud"), "{err}");
    }
}
