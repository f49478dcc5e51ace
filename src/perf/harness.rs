//! `wamod perf`: the whole engine against the scale world, with the figures of README's budget
//! table. The simulator runs in a child process (`wamod perf --serve`); this process links a
//! session, then a fresh child (`--measure`) runs the workloads, so the memory figure is that
//! of a wamod process alone; the cold start is timed on more children (`--first-frame DIR`),
//! from spawn to exit.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::live::{Live, engine, groups_of, next_batch, screen_state, terminal};
use super::measure::measure;
use super::row::{Row, ms};
use super::sim_admin::Admin;
use crate::app::keymap::Keymap;
use crate::app::msg::Msg;
use crate::app::state::AppState;
use crate::app::update::update;
use crate::domain::ConnState;
use crate::protocol::{Action, Update};
use crate::sim::scale::{self, Scale};
use crate::ui::{Theme, draw};

/// The child: the scale world on a loopback listener; prints its addresses, serves until its
/// standard input closes.
pub fn serve() -> Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let now = chrono::Utc::now().timestamp();
        let sim = crate::sim::Simulator::new(scale::scenario(Scale::BUDGET, now));
        let listener = crate::sim::listener::listen(sim, ([127, 0, 0, 1], 0).into()).await?;
        // The admin token last: the user's own scripts can drive this simulator too.
        println!(
            "{} {} {}",
            listener.ws_url(),
            listener.http_base(),
            listener.admin_token()
        );
        std::io::stdout().flush()?;
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        })
        .await?;
        Ok(())
    })
}

/// The measuring child's entry: prints one line per figure.
pub fn measure_child(ws: &str, http: &str, token: &str, dir: &Path) -> Result<()> {
    // As `wamod` itself runs (see `heap`).
    crate::heap::one_arena();
    // The hidden `--ws`/`--http` options must not point this build at the network.
    crate::engine::Endpoint::WebSocket(ws.to_string())
        .check()
        .map_err(|e| anyhow!(e))?;
    if !crate::engine::endpoint::is_loopback_url(http, "http://") {
        return Err(anyhow!("{http:?} is not an http:// loopback address"));
    }
    let rt = tokio::runtime::Runtime::new()?;
    let admin = Admin {
        base: http.to_string(),
        token: token.to_string(),
    };
    let rows = rt.block_on(measure(ws, &admin, dir))?;
    for r in rows {
        println!("{}", r.line());
    }
    Ok(())
}

/// The other child: what `wamod` does before its first frame (read the cache, apply it, draw
/// at 200x60), then exit.
pub fn first_frame(dir: &Path) -> Result<()> {
    crate::heap::one_arena();
    let mut state = AppState::new(Keymap::default(), chrono::Utc::now().timestamp());
    let updates = crate::engine::first_frame(&dir.join("wamod.db"), &dir.join("sessions"));
    update(&mut state, Msg::EngineBatch(updates));
    let mut t = Terminal::new(TestBackend::new(200, 60))?;
    t.draw(|f| draw(f, &state, &Theme::default()))?;
    if state.groups.values().map(Vec::len).sum::<usize>() == 0 {
        bail!("the cache had no groups");
    }
    Ok(())
}

/// `exe`, or `exe` run by the command in the environment variable `var` (a profiler such as
/// `heaptrack` or `perf record -g`, split on spaces).
fn wrapped(exe: &Path, var: &str) -> Command {
    let wrapper = std::env::var(var).unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    match words.next() {
        Some(first) => {
            let mut c = Command::new(first);
            c.args(words).arg(exe);
            c
        }
        None => Command::new(exe),
    }
}

/// The parent: starts the simulator child, links a session, runs the measuring child and the
/// cold starts, and prints the budget table.
pub fn run(exe: &Path) -> Result<()> {
    crate::engine::Endpoint::WebSocket("ws://127.0.0.1/".into())
        .check()
        .map_err(|e| anyhow!(e))?;
    let dir: PathBuf = std::env::temp_dir().join(format!("wamod-perf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    crate::paths::private_dir(&dir)?;
    let (mut sim, ws, admin) = start_simulator(exe)?;
    let rt = tokio::runtime::Runtime::new()?;
    let paired = rt.block_on(pair(&ws, &admin, &dir));
    drop(rt);
    let result = paired.and_then(|()| run_measuring_child(exe, &ws, &admin, &dir));
    // Closing its standard input stops the simulator.
    drop(sim.stdin.take());
    let _ = sim.wait();
    let result = result.and_then(|mut rows| {
        rows.push(cold_start(exe, &dir)?);
        Ok(rows)
    });
    if std::env::var_os("WAMOD_PERF_KEEP").is_some() {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    print_table(result?);
    Ok(())
}

/// The simulator child and the addresses it listens on (websocket, admin HTTP and token).
fn start_simulator(exe: &Path) -> Result<(Child, String, Admin)> {
    let mut sim = wrapped(exe, "WAMOD_PERF_WRAP_SIM")
        .args(["perf", "--serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the simulator child")?;
    let mut line = String::new();
    BufReader::new(sim.stdout.take().context("simulator output")?).read_line(&mut line)?;
    let mut addrs = line.split_whitespace();
    let (ws, admin) = match (addrs.next(), addrs.next(), addrs.next()) {
        (Some(w), Some(h), Some(t)) => (
            w.to_string(),
            Admin {
                base: h.to_string(),
                token: t.to_string(),
            },
        ),
        _ => bail!("the simulator child said {line:?}"),
    };
    Ok((sim, ws, admin))
}

/// Runs the measuring child (`--measure`) and reads back its rows.
fn run_measuring_child(exe: &Path, ws: &str, admin: &Admin, dir: &Path) -> Result<Vec<Row>> {
    let out = wrapped(exe, "WAMOD_PERF_WRAP")
        .args([
            "perf",
            "--ws",
            ws,
            "--http",
            &admin.base,
            "--token",
            &admin.token,
        ])
        .arg("--measure")
        .arg(dir)
        .stderr(Stdio::inherit())
        .output()
        .context("starting the measuring child")?;
    if !out.status.success() {
        bail!("the measuring child failed");
    }
    let rows: Vec<Row> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(Row::parse)
        .collect();
    Ok(rows)
}

fn print_table(rows: Vec<Row>) {
    println!(
        "wamod perf: the scale world (1,000 groups, 100,000 participants, 500 pending requests)"
    );
    println!("simulator in a child process on loopback; figures from this machine\n");
    println!("| what | measured | budget | |");
    println!("|---|---|---|---|");
    for r in rows {
        let mark = if r.ok { "ok" } else { "OVER" };
        println!("| {} | {} | {} | {mark} |", r.what, r.figure, r.budget);
    }
}

/// Links a session (the simulated phone scans the QR) and lets its first sync land, so the
/// measuring child starts from a linked device.
async fn pair(ws: &str, admin: &Admin, dir: &Path) -> Result<()> {
    let term = terminal()?;
    let state = screen_state();
    let mut live = Live {
        h: engine(ws, dir),
        state,
        term,
    };
    live.h.actions.send(Action::NewSession)?;
    scan_qr_until_connected(&mut live, admin).await?;
    live.pump("the first sync", Duration::from_secs(120), |s| {
        groups_of(s) >= 1_000
    })
    .await?;
    live.stop().await;
    Ok(())
}

/// Has the simulated phone scan each QR code the engine shows, until the session connects.
async fn scan_qr_until_connected(live: &mut Live, admin: &Admin) -> Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut connected = false;
    while !connected {
        let batch = next_batch(&mut live.h, deadline, "the pairing").await?;
        for u in &batch {
            if let Update::Qr { code, .. } = u {
                let _ = admin.post("/admin/mock-phone/scan-qr", code).await;
            }
            connected |= matches!(
                u,
                Update::Conn {
                    state: ConnState::Connected,
                    ..
                }
            );
        }
        update(&mut live.state, Msg::EngineBatch(batch));
    }
    Ok(())
}

/// Cold start to the first frame from the cache, whole process (spawn to exit), median of
/// five, with the simulator and the engine gone.
fn cold_start(exe: &Path, dir: &Path) -> Result<Row> {
    let mut starts: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let status = Command::new(exe)
            .args(["perf", "--first-frame"])
            .arg(dir)
            .status()?;
        if !status.success() {
            bail!("the first-frame child failed");
        }
        starts.push(t.elapsed());
    }
    starts.sort();
    let cold = starts[2];
    Ok(Row {
        what: "cold start to the first frame from the cache (whole process)".into(),
        figure: format!("{} (median of 5)", ms(cold)),
        budget: "<= 150 ms".into(),
        ok: cold <= Duration::from_millis(150),
    })
}
