//! The real binary in demo mode, driven through tmux as a user would: QR popup, the simulated
//! phone's scan, groups, the 1,024-member roster, a live event, quit, terminal restored.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wamod::sim::scenario::Scenario;
use wamod::store::Store;

struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs (CI installs it: see .ci/run)")
    }

    fn capture(&self) -> String {
        let out = self.cmd(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Polls the screen until `pred` holds (no fixed sleeps: the screen is the event).
    fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// POSTs to the demo simulator's admin route `path` (its address is in `<data>/demo/admin-url`,
/// the run's token in `admin-token`); the response.
fn admin_post(home: &Path, path: &str) -> String {
    use std::io::{Read, Write};
    let url = std::fs::read_to_string(home.join("data/demo/admin-url")).expect("admin-url");
    let token = std::fs::read_to_string(home.join("data/demo/admin-token")).expect("admin-token");
    let addr = url.trim().trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(addr).expect("admin route");
    write!(
        tcp,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
         content-length: 0\r\nconnection: close\r\n\r\n",
        token.trim()
    )
    .expect("request");
    let mut out = String::new();
    tcp.read_to_string(&mut out).expect("response");
    out
}

/// The demo's script with extra `exports` (e.g. `WAMOD_FAULT=store-write`).
fn write_script(dir: &Path, bin: &str, exports: &str) -> String {
    let script = dir.join("run.sh");
    let body = format!(
        "#!/bin/sh\n\
         export HOME='{home}' WAMOD_DATA_DIR='{home}/data' WAMOD_STATE_DIR='{home}/state' WAMOD_CONFIG_DIR='{home}/config' {exports}\n\
         '{bin}' --demo\n\
         echo \"EXIT=$?\"\n\
         stty -a > '{home}/stty.txt'\n\
         echo RESTORED\n\
         sleep 60\n",
        home = dir.display(),
    );
    std::fs::write(&script, body).expect("script");
    script.display().to_string()
}

#[test]
fn demo_pairs_loads_groups_streams_events_and_quits_cleanly() {
    let bin = env!("CARGO_BIN_EXE_wamod");
    let tmp = tempfile::tempdir().expect("tmp");
    let big = Scenario::demo(0)
        .world
        .groups
        .values()
        .find(|g| g.participants.len() == 1024)
        .map(|g| g.subject.clone())
        .expect("the demo world has a 1,024-member group");
    let parents = Scenario::demo(0)
        .world
        .groups
        .into_values()
        .find(|g| g.subject == "School Parents 4B")
        .expect("the demo's parents group");
    let member = parents
        .participants
        .iter()
        .find(|m| m.role == wamod::sim::world::Role::Member)
        .map(|m| m.phone.clone())
        .expect("a plain member");
    let tmux = start_demo(tmp.path(), "demo", "");

    // The QR popup, with the simulated phone's countdown.
    tmux.wait_for("the QR popup", Duration::from_secs(30), |s| {
        s.contains("Link a device") || s.contains("Linked devices")
    });
    // The scan links the device and the groups load.
    let first_word = big.split_whitespace().next().unwrap_or(&big).to_string();
    tmux.wait_for("the groups", Duration::from_secs(60), |s| {
        s.contains(&first_word)
    });

    // A second wamod on the same data directory is refused at once and touches nothing: the
    // first keeps its session (the next steps use it).
    let second = Command::new(bin)
        .arg("--demo")
        .env("HOME", tmp.path())
        .env("WAMOD_DATA_DIR", tmp.path().join("data"))
        .env("WAMOD_STATE_DIR", tmp.path().join("state2"))
        .env("WAMOD_CONFIG_DIR", tmp.path().join("config"))
        .output()
        .expect("second wamod");
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "another wamod is using {}",
            tmp.path().join("data").display()
        )) && said.contains("(pid "),
        "{said}"
    );

    // The community as a tree, with a subgroup Dana is not in; Enter on it joins it.
    tmux.wait_for("the community tree", Duration::from_secs(30), |s| {
        s.contains("▾⌂ Riverside Comm") && s.contains("○ Riverside Bo")
    });
    tmux.keys(&["2", "/"]);
    tmux.keys(&["-l", "Book Swap"]);
    tmux.keys(&["Enter", "j", "Enter"]);
    tmux.wait_for("the join confirm", Duration::from_secs(10), |s| {
        s.contains("Join Riverside Book Swap, a group of Riverside")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("the joined subgroup", Duration::from_secs(30), |s| {
        s.contains("Joined the group") && s.contains("Roster 1/35 · Riverside Book Swap")
    });
    tmux.keys(&["2"]);
    tmux.keys(&["Escape"]);
    tmux.wait_for("the groups filter cleared", Duration::from_secs(10), |s| {
        !s.contains("/Book")
    });

    // Open the 1,024-member group's roster: focus groups, filter by its name, open.
    tmux.keys(&["2", "/"]);
    tmux.keys(&["-l", &big]);
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("the 1,024-member roster", Duration::from_secs(30), |s| {
        s.contains("Roster 1/1024") && s.contains("superadmin")
    });

    // The scenario's activity streams into the events pane.
    tmux.wait_for("a live event", Duration::from_secs(60), |s| {
        [
            "joined", "left", "request", "promoted", "removed", "subject",
        ]
        .iter()
        .any(|w| s.contains(w))
    });

    // Moderate: approve the oldest join request of the parents' group, then remove a member
    // after the confirm. Both outcomes show, and both land in the audit table.
    // Esc goes alone: followed at once by a key, terminals read the pair as Alt-key.
    tmux.keys(&["2"]);
    tmux.keys(&["Escape"]);
    tmux.wait_for("the groups filter cleared", Duration::from_secs(10), |s| {
        !s.contains("/Riverside")
    });
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "School Parents"]);
    tmux.keys(&["Enter", "4"]);
    tmux.wait_for("the parents' requests", Duration::from_secs(30), |s| {
        s.contains("Join requests 1/3")
    });
    tmux.keys(&["a"]);
    tmux.wait_for("the approval's outcome", Duration::from_secs(30), |s| {
        s.contains("Approve 1 request: +") && s.contains(": done")
    });
    tmux.keys(&["3", "/"]);
    tmux.keys(&["-l", &member]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the member's row", Duration::from_secs(30), |s| {
        s.contains(&format!("member     +{member}"))
    });
    tmux.keys(&["x"]);
    tmux.wait_for("the remove confirm", Duration::from_secs(10), |s| {
        s.contains(&format!("Remove +{member} from School Parents 4B?"))
    });
    tmux.keys(&["y"]);
    tmux.wait_for("the removal's outcome", Duration::from_secs(30), |s| {
        s.contains(&format!("Remove 1 participant: +{member}: done"))
    });

    // WhatsApp hands the device to another client: session #1 says so at once, and `r` takes it
    // back.
    let said = admin_post(tmp.path(), "/admin/kick?phone=15550001111&reason=replaced");
    assert!(said.contains("kicked 1 connection"), "{said}");
    tmux.wait_for("the replaced session", Duration::from_secs(10), |s| {
        s.contains("#1 +15550001111 ✕ replaced")
    });
    tmux.keys(&["r"]);
    tmux.wait_for("the session back online", Duration::from_secs(30), |s| {
        s.contains("#1 +15550001111 ● online")
    });

    // Quit; the shell after wamod finds a cooked terminal and the normal screen.
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("wamod to exit", Duration::from_secs(20), |s| {
        s.contains("RESTORED")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_restored(&tmux, tmp.path(), &screen);

    let db = tmp.path().join("data/demo/wamod.db");
    let rows = Store::open(&db)
        .expect("the demo's wamod.db")
        .audit(100)
        .expect("audit");
    assert!(
        rows.iter().any(|r| r.action == "approve"
            && r.outcome == "done"
            && r.group_subject == "School Parents 4B"),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.action == "remove"
            && r.outcome == "done"
            && r.target_phone.as_deref() == Some(format!("+{member}").as_str())),
        "{rows:#?}"
    );
}

/// A refusal at start-up (here: this sim-demo build asked to reach real WhatsApp) is one line
/// the user can act on, status 1, without a report's location or backtrace hints.
#[test]
fn startup_refusals_are_one_clear_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = Command::new(env!("CARGO_BIN_EXE_wamod"))
        .env("HOME", tmp.path())
        .env("WAMOD_DATA_DIR", tmp.path().join("data"))
        .env("WAMOD_STATE_DIR", tmp.path().join("state"))
        .env("WAMOD_CONFIG_DIR", tmp.path().join("config"))
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("wamod");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{said}");
    assert!(lines[0].starts_with("wamod: this build skips WhatsApp's certificate check"));
    assert!(
        !said.contains("Location") && !said.contains("BACKTRACE"),
        "{said}"
    );
}

/// Runs the demo in its own tmux server (120x40), with `exports` in its environment.
fn start_demo(tmp: &Path, name: &str, exports: &str) -> Tmux {
    let tmux = Tmux {
        socket: format!("wamod-test-{name}-{}", std::process::id()),
        session: name.into(),
    };
    let script = write_script(tmp, env!("CARGO_BIN_EXE_wamod"), exports);
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        name,
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        &script,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tmux
}

/// After wamod ended: the shell found a cooked terminal on the normal screen, with nothing but
/// its own lines on it (the TUI lived on the alternate screen).
fn assert_restored(tmux: &Tmux, tmp: &Path, screen: &str) {
    let stty = std::fs::read_to_string(tmp.join("stty.txt")).expect("stty output");
    assert!(
        stty.contains(" icanon") && stty.contains(" echo"),
        "terminal left raw: {stty}"
    );
    let alternate = tmux.cmd(&[
        "display-message",
        "-p",
        "-t",
        &tmux.session,
        "#{alternate_on}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&alternate.stdout).trim(),
        "0",
        "still on the alternate screen"
    );
    assert!(
        !screen.contains("Sessions"),
        "the UI drew on the restored screen:\n{screen}"
    );
}

/// SIGTERM quits as `q` does; a panic in a background task (the cache writer, holding the
/// database lock) ends wamod too, the terminal restored and the panic on stderr and in the log.
#[test]
fn a_signal_or_a_panic_ends_wamod_with_the_terminal_restored() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tmux = start_demo(tmp.path(), "term", "");
    tmux.wait_for("the QR popup", Duration::from_secs(30), |s| {
        s.contains("Link a device") || s.contains("Linked devices")
    });
    let pid = std::fs::read_to_string(tmp.path().join("data/wamod.lock")).expect("lock");
    let killed = Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let screen = tmux.wait_for("wamod to quit", Duration::from_secs(30), |s| {
        s.contains("RESTORED")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_restored(&tmux, tmp.path(), &screen);
    drop(tmux);

    let tmp = tempfile::tempdir().expect("tmp");
    let tmux = start_demo(
        tmp.path(),
        "panic",
        "WAMOD_FAULT=store-write RUST_BACKTRACE=0",
    );
    let screen = tmux.wait_for("wamod to stop", Duration::from_secs(60), |s| {
        s.contains("RESTORED")
    });
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(
        screen.contains("wamod: stopped after a crash")
            && screen.contains("injected fault (store-write)"),
        "{screen}"
    );
    assert_restored(&tmux, tmp.path(), &screen);
    let log = std::fs::read_to_string(tmp.path().join("state/wamod.log")).expect("log");
    assert!(
        log.contains("panic") && log.contains("store-write"),
        "{log}"
    );
}

/// Files: an export over an existing file leaves it 0600; a shared data directory is refused
/// and left as it was.
#[cfg(unix)]
#[test]
fn exports_are_private_and_a_shared_data_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
    let wamod = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wamod"))
            .args(args)
            .env("HOME", tmp.path())
            .env("WAMOD_DATA_DIR", tmp.path().join("data"))
            .env("WAMOD_STATE_DIR", tmp.path().join("state"))
            .env("WAMOD_CONFIG_DIR", tmp.path().join("config"))
            .output()
            .expect("wamod")
    };
    drop(Store::open(&tmp.path().join("data/wamod.db")).expect("db"));
    let out = tmp.path().join("audit.csv");
    std::fs::write(&out, "old").expect("existing file");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let done = wamod(&["export", "audit", "--output", out.to_str().expect("utf-8")]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(mode(&out), 0o600);

    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let refused = wamod(&["--demo", "--data-dir", shared.to_str().expect("utf-8")]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(said.contains("writable by every user"), "{said}");
    assert_eq!(mode(&shared), 0o1777, "left as it was");
    assert!(!shared.join("wamod.lock").exists());
}
