//! One wamod per data directory. Two clients on one key store replace each other's connection
//! (WhatsApp keeps one per linked device), and two writers would interleave the audit log, so
//! wamod takes an advisory lock on `<data>/wamod.lock` before it touches anything else there.
//! The lock goes with the process, however it ends.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::paths::private_dir;

/// Held for as long as wamod runs; dropping it (or exiting) frees the directory.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another wamod is using {} (pid {pid}); quit it first, or use another --data-dir", dir.display())]
    Busy { dir: PathBuf, pid: String },
    #[error("{0}")]
    Unsafe(String),
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DataLock {
    /// Takes the lock of `data_dir` (creating it 0700), or says who holds it.
    pub fn acquire(data_dir: &Path) -> Result<Self, LockError> {
        let path = data_dir.join("wamod.lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        crate::paths::check_own_dir(data_dir).map_err(LockError::Unsafe)?;
        private_dir(data_dir).map_err(io)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(LockError::Busy {
                    dir: data_dir.to_path_buf(),
                    pid: if pid.is_empty() { "unknown" } else { pid }.to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        // Ours now: say who holds it, for the message a second wamod prints.
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_until_it_lets_go() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let first = DataLock::acquire(&dir).unwrap();
        match DataLock::acquire(&dir) {
            Err(LockError::Busy { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        assert!(DataLock::acquire(&dir).is_ok());
    }
}
