//! Where wamod keeps things: XDG directories on Linux and macOS alike (like gitui, yazi, atuin),
//! with `WAMOD_*` overrides; private directories (0700) and files (0600) for keys and data.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `config.toml` lives here.
    pub config_dir: PathBuf,
    /// Session key stores and `wamod.db`.
    pub data_dir: PathBuf,
    /// `wamod.log`.
    pub state_dir: PathBuf,
}

impl Paths {
    /// Resolves from the environment: `WAMOD_CONFIG_DIR` > `$XDG_CONFIG_HOME/wamod` >
    /// `~/.config/wamod`, and likewise `WAMOD_DATA_DIR`/`XDG_DATA_HOME` (`~/.local/share`) and
    /// `WAMOD_STATE_DIR`/`XDG_STATE_HOME` (`~/.local/state`).
    pub fn from_env() -> Self {
        Self::resolve(|k| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }

    pub fn resolve(env: impl Fn(&str) -> Option<PathBuf>) -> Self {
        let home = env("HOME").unwrap_or_else(|| PathBuf::from("."));
        let pick = |own: &str, xdg: &str, fallback: &str| {
            env(own)
                .or_else(|| env(xdg).map(|d| d.join("wamod")))
                .unwrap_or_else(|| home.join(fallback).join("wamod"))
        };
        Self {
            config_dir: pick("WAMOD_CONFIG_DIR", "XDG_CONFIG_HOME", ".config"),
            data_dir: pick("WAMOD_DATA_DIR", "XDG_DATA_HOME", ".local/share"),
            state_dir: pick("WAMOD_STATE_DIR", "XDG_STATE_HOME", ".local/state"),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("wamod.log")
    }
    pub fn sessions_dir(&self) -> PathBuf {
        self.data_dir.join("sessions")
    }
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("wamod.db")
    }
}

/// Creates `dir` and any missing parents as 0700 (they hold keys or personal data). A
/// directory that already exists keeps its mode: wamod never chmods what it did not create
/// (`--data-dir /tmp` must not make `/tmp` private to one user).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    set_mode(dir, 0o700)
}

/// Refuses a directory for keys and the audit log that other users could write to or that
/// belongs to someone else (a missing one is fine: wamod creates it 0700).
pub fn check_own_dir(dir: &Path) -> Result<(), String> {
    let Ok(meta) = fs::metadata(dir) else {
        return Ok(());
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o002 != 0 {
            return Err(format!(
                "{} is writable by every user (mode {mode:o}), so it cannot hold wamod's keys \
                 and audit log; use a directory of your own (--data-dir or WAMOD_DATA_DIR)",
                dir.display()
            ));
        }
        // This process's user owns /proc/self (Linux); elsewhere the check is skipped.
        if let Ok(me) = fs::metadata("/proc/self").map(|m| m.uid())
            && meta.uid() != me
        {
            return Err(format!(
                "{} belongs to another user (uid {}), so it cannot hold wamod's keys and audit \
                 log; use a directory of your own (--data-dir or WAMOD_DATA_DIR)",
                dir.display(),
                meta.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

/// Creates `file` if missing and makes it 0600 before anything secret is written into it.
pub fn private_file(file: &Path) -> io::Result<()> {
    if let Some(parent) = file.parent() {
        private_dir(parent)?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(file)?;
    set_mode(file, 0o600)
}

/// Creates `file` (or empties it) for writing, readable by the owner only: exports hold
/// personal data, like the database they come from.
pub fn create_private_file(file: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let f = opts.open(file)?;
    set_mode(file, 0o600)?;
    Ok(f)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_then_xdg_then_home() {
        let env = |k: &str| match k {
            "HOME" => Some(PathBuf::from("/home/u")),
            "XDG_DATA_HOME" => Some(PathBuf::from("/xdg/data")),
            "WAMOD_STATE_DIR" => Some(PathBuf::from("/custom/state")),
            _ => None,
        };
        let p = Paths::resolve(env);
        assert_eq!(p.config_dir, PathBuf::from("/home/u/.config/wamod"));
        assert_eq!(p.data_dir, PathBuf::from("/xdg/data/wamod"));
        assert_eq!(p.state_dir, PathBuf::from("/custom/state"));
        assert_eq!(p.log_file(), PathBuf::from("/custom/state/wamod.log"));
    }

    #[cfg(unix)]
    #[test]
    fn private_modes() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("a/b/keys.db");
        private_file(&file).expect("create");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&tmp.path().join("a/b")), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700, "created parents too");
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_directory_keeps_its_mode_and_a_shared_one_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
        let shared = tmp.path().join("shared");
        fs::create_dir(&shared).expect("mkdir");
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).expect("chmod");
        private_dir(&shared).expect("exists");
        assert_eq!(mode(&shared), 0o1777, "not chmodded");
        let err = check_own_dir(&shared).expect_err("world-writable");
        assert!(err.contains("writable by every user (mode 1777)"), "{err}");
        let mine = tmp.path().join("mine");
        fs::create_dir(&mine).expect("mkdir");
        fs::set_permissions(&mine, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(check_own_dir(&mine), Ok(()));
        assert_eq!(check_own_dir(&tmp.path().join("missing")), Ok(()));
        if let Ok(me) = fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        {
            // Someone else's directory: as root, make one; as anyone else, / is root's.
            let theirs = if me == 0 {
                let d = tmp.path().join("theirs");
                fs::create_dir(&d).expect("mkdir");
                std::os::unix::fs::chown(&d, Some(65534), None).expect("chown");
                d
            } else {
                PathBuf::from("/")
            };
            let err = check_own_dir(&theirs).expect_err("not mine");
            assert!(err.contains("belongs to another user"), "{err}");
        }
    }
}
