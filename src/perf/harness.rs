//! `wamod perf`: the whole engine against the scale world, with the figures of README's budget
//! table. The simulator runs in a child process (`wamod perf --serve`); this process links a
//! session, then a fresh child (`--measure`) runs the workloads, so the memory figure is that
//! of a wamod process alone; the cold start is timed on more children (`--first-frame DIR`),
//! from spawn to exit.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::keymap::Keymap;
use crate::app::msg::Msg;
use crate::app::state::{AppState, Pane};
use crate::app::update::update;
use crate::domain::{ConnState, GroupId, SessionId};
use crate::engine::{Endpoint, EngineConfig, EngineHandle, spawn};
use crate::event_loop::FRAME;
use crate::ops::{Op, OpId};
use crate::protocol::{Action, Update};
use crate::sim::scale::{self, BURST_GROUP, FULL_GROUP, Scale};
use crate::ui::{Theme, draw};

const BURST: usize = 10_000;
const APPROVE: usize = 1_000;
const FRAMES: usize = 1_000;

fn gid(id: &str) -> GroupId {
    GroupId(format!("{id}@g.us"))
}

/// The child: the scale world on a loopback listener; prints its addresses, serves until its
/// standard input closes.
pub fn serve() -> Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let now = chrono::Utc::now().timestamp();
        let sim = crate::sim::Simulator::new(scale::scenario(Scale::BUDGET, now));
        let listener = crate::sim::listener::listen(sim, ([127, 0, 0, 1], 0).into()).await?;
        println!("{} {}", listener.ws_url(), listener.http_base());
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
pub fn measure_child(ws: &str, http: &str, dir: &Path) -> Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let rows = rt.block_on(measure(ws, http, dir))?;
    for r in rows {
        println!("{}", r.line());
    }
    Ok(())
}

/// The other child: what `wamod` does before its first frame (read the cache, apply it, draw
/// at 200x60), then exit.
pub fn first_frame(dir: &Path) -> Result<()> {
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

/// `POST` to the simulator's admin routes.
async fn post(http: &str, path: &str, body: &str) -> Result<String> {
    let addr = http.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    if !out.starts_with("HTTP/1.1 200") {
        bail!("{path}: {}", out.lines().next().unwrap_or_default());
    }
    Ok(out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string())
}

/// The next update before `deadline`, with whatever else is waiting (up to a UI batch).
async fn next_batch(
    h: &mut EngineHandle,
    deadline: tokio::time::Instant,
    what: &str,
) -> Result<Vec<Update>> {
    tokio::time::timeout_at(deadline, h.next_batch())
        .await
        .map_err(|_| anyhow!("timed out waiting for {what}"))?
        .ok_or_else(|| anyhow!("the engine stopped while waiting for {what}"))
}

/// Applies updates until `done` holds, drawing after each batch as the UI loop does.
async fn pump(
    h: &mut EngineHandle,
    state: &mut AppState,
    term: &mut Terminal<TestBackend>,
    what: &str,
    timeout: Duration,
    mut done: impl FnMut(&AppState) -> bool,
) -> Result<()> {
    let theme = Theme::default();
    let deadline = tokio::time::Instant::now() + timeout;
    while !done(state) {
        let batch = next_batch(h, deadline, what).await?;
        update(state, Msg::EngineBatch(batch));
        term.draw(|f| draw(f, state, &theme))?;
    }
    Ok(())
}

fn engine(ws: &str, dir: &Path) -> EngineHandle {
    spawn(EngineConfig {
        sessions_dir: dir.join("sessions"),
        endpoint: Endpoint::WebSocket(ws.to_string()),
        database: Some(dir.join("wamod.db")),
        op_timeout: EngineConfig::DEFAULT_OP_TIMEOUT,
    })
}

async fn stop(h: EngineHandle) {
    let _ = h.actions.send(Action::Shutdown);
    let _ = tokio::time::timeout(Duration::from_secs(10), h.task).await;
}

fn groups_of(state: &AppState) -> usize {
    state.groups.values().map(Vec::len).sum()
}

/// One line of /proc/self/status (Linux), e.g. `VmHWM:   81234 kB`.
fn proc_status(key: &str) -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))
        .map(str::to_string)
}

/// Peak resident memory of this process.
fn peak_rss_mb() -> Option<f64> {
    let kb: f64 = proc_status("VmHWM:")?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// With `WAMOD_PERF_MEM`, RSS at a stage, stamped in wall-clock seconds: a profile taken with
/// `perf record -k realtime` can then be cut to a stage with `perf report --time`.
fn mem(stage: &str) {
    if std::env::var_os("WAMOD_PERF_MEM").is_some() {
        let [rss, hwm, anon, file] = ["VmRSS:", "VmHWM:", "RssAnon:", "RssFile:"]
            .map(|k| proc_status(k).unwrap_or_default());
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        eprintln!("{stage}: {rss} {hwm} {anon} {file} at {t:.6}");
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Row {
    what: String,
    figure: String,
    budget: String,
    ok: bool,
}

impl Row {
    /// One tab-separated line, from the measuring child to the parent.
    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}",
            self.what, self.figure, self.budget, self.ok
        )
    }
    fn parse(line: &str) -> Option<Self> {
        let mut f = line.split('\t');
        Some(Self {
            what: f.next()?.into(),
            figure: f.next()?.into(),
            budget: f.next()?.into(),
            ok: f.next()? == "true",
        })
    }
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

pub fn run(exe: &Path) -> Result<()> {
    crate::engine::Endpoint::WebSocket(String::new())
        .check()
        .map_err(|e| anyhow!(e))?;
    let dir: PathBuf = std::env::temp_dir().join(format!("wamod-perf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    crate::paths::private_dir(&dir)?;
    let mut sim = wrapped(exe, "WAMOD_PERF_WRAP_SIM")
        .args(["perf", "--serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the simulator child")?;
    let mut line = String::new();
    BufReader::new(sim.stdout.take().context("simulator output")?).read_line(&mut line)?;
    let mut addrs = line.split_whitespace();
    let (ws, http) = match (addrs.next(), addrs.next()) {
        (Some(w), Some(h)) => (w.to_string(), h.to_string()),
        _ => bail!("the simulator child said {line:?}"),
    };
    let rt = tokio::runtime::Runtime::new()?;
    let paired = rt.block_on(pair(&ws, &http, &dir));
    drop(rt);
    let result = paired.and_then(|()| {
        let out = wrapped(exe, "WAMOD_PERF_WRAP")
            .args(["perf", "--ws", &ws, "--http", &http, "--measure"])
            .arg(&dir)
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
    });
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
    let rows = result?;
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
    Ok(())
}

/// Links a session (the simulated phone scans the QR) and lets its first sync land, so the
/// measuring child starts from a linked device.
async fn pair(ws: &str, http: &str, dir: &Path) -> Result<()> {
    let mut term = Terminal::new(TestBackend::new(200, 60))?;
    let mut state = AppState::new(Keymap::default(), chrono::Utc::now().timestamp());
    state.size = (200, 60);

    // Link a session (the simulated phone scans the QR), and let the first sync land.
    let mut h = engine(ws, dir);
    h.actions.send(Action::NewSession)?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut connected = false;
    while !connected {
        let batch = next_batch(&mut h, deadline, "the pairing").await?;
        for u in &batch {
            if let Update::Qr { code, .. } = u {
                let _ = post(http, "/admin/mock-phone/scan-qr", code).await;
            }
            connected |= matches!(
                u,
                Update::Conn {
                    state: ConnState::Connected,
                    ..
                }
            );
        }
        update(&mut state, Msg::EngineBatch(batch));
    }
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the first sync",
        Duration::from_secs(120),
        |s| groups_of(s) >= 1_000,
    )
    .await?;
    stop(h).await;
    Ok(())
}

/// The measuring child: a fresh process (its memory is wamod's alone) resumes the linked
/// session against the simulator and runs the budget's workloads.
async fn measure(ws: &str, http: &str, dir: &Path) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut term = Terminal::new(TestBackend::new(200, 60))?;

    // Initial sync: a linked session, an empty cache, to the groups pane and every roster.
    for f in ["wamod.db", "wamod.db-wal", "wamod.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let mut state = AppState::new(Keymap::default(), chrono::Utc::now().timestamp());
    state.size = (200, 60);
    let start = Instant::now();
    let mut h = engine(ws, dir);
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the connection",
        Duration::from_secs(60),
        |s| groups_of(s) >= 1_000 || s.sessions.iter().any(|v| v.conn == ConnState::Connected),
    )
    .await?;
    mem("connected, before the group list");
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the group list",
        Duration::from_secs(60),
        |s| groups_of(s) >= 1_000,
    )
    .await?;
    let groups_at = start.elapsed();
    // Then the rosters, a few groups at a time: each brings our role in the group.
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the rosters",
        Duration::from_secs(60),
        |s| {
            s.groups
                .values()
                .flatten()
                .filter(|g| g.my_role.is_some())
                .count()
                >= 1_000
        },
    )
    .await?;
    let rosters_at = start.elapsed();
    let session = state.sessions.first().map_or(SessionId(1), |s| s.id);
    // Opening the 1,024-member group shows its roster from the engine's copy.
    let opened = Instant::now();
    h.actions.send(Action::LoadRoster {
        session,
        group: gid(FULL_GROUP),
    })?;
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the roster",
        Duration::from_secs(30),
        |s| {
            s.rosters
                .get(&(session, gid(FULL_GROUP)))
                .is_some_and(|r| r.len() >= 1_024)
        },
    )
    .await?;
    let roster_in = opened.elapsed();
    rows.push(Row {
        what: "initial sync of 1,000 groups to a populated groups pane".into(),
        figure: format!(
            "{} with every roster and role ({} to the list; then opening the 1,024-member \
             roster: {})",
            ms(rosters_at),
            ms(groups_at),
            ms(roster_in)
        ),
        budget: "<= 1.5 s".into(),
        ok: rosters_at <= Duration::from_millis(1_500),
    });
    mem("after the initial sync");
    state.current_session = Some(session);
    state.current_group = Some(gid(FULL_GROUP));
    state.focus = Pane::Groups;
    pump(
        &mut h,
        &mut state,
        &mut term,
        "the 500 requests",
        Duration::from_secs(30),
        |s| {
            s.requests
                .get(&(session, gid(FULL_GROUP)))
                .is_some_and(|r| r.len() >= 500)
        },
    )
    .await?;

    // A burst of 10,000 join requests; a key pressed halfway shows in the next frame.
    let http_owned = http.to_string();
    mem("before the burst");
    let sent = Instant::now();
    let burst =
        tokio::spawn(
            async move { post(&http_owned, &format!("/admin/burst?n={BURST}"), "").await },
        );
    let mut first_at = None;
    let mut last_arrival: Option<Instant> = None;
    let mut key_latency = None;
    let theme = Theme::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut seen = 0usize;
    // As the UI loop paces its frames.
    let mut last_draw: Option<Instant> = None;
    while seen < BURST {
        let batch = next_batch(&mut h, deadline, "the burst").await?;
        first_at.get_or_insert_with(Instant::now);
        seen += batch
            .iter()
            .filter(|u| matches!(u, Update::Event(e) if e.group == gid(BURST_GROUP)))
            .count();
        if seen >= BURST {
            last_arrival = Some(Instant::now());
        }
        // Halfway, a key arrives just as a batch starts: it waits for that batch and its
        // frame, then gets its own.
        let key_at = (key_latency.is_none() && seen >= BURST / 2).then(Instant::now);
        update(&mut state, Msg::EngineBatch(batch));
        if last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            term.draw(|f| draw(f, &state, &theme))?;
            last_draw = Some(Instant::now());
        }
        if let Some(at) = key_at {
            update(
                &mut state,
                Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
            );
            // Its frame comes when the next one is due.
            if let Some(t) = last_draw {
                tokio::time::sleep_until((t + FRAME).into()).await;
            }
            term.draw(|f| draw(f, &state, &theme))?;
            last_draw = Some(Instant::now());
            key_latency = Some(at.elapsed());
        }
    }
    mem("after the burst");
    let _ = burst.await;
    // Stored: the cache writer has every request event.
    let db = dir.join("wamod.db");
    let stored_deadline = Instant::now() + Duration::from_secs(60);
    let reader = crate::store::Store::open(&db)?;
    loop {
        let n = reader.event_count(Some(&gid(BURST_GROUP))).unwrap_or(0);
        if n >= BURST || Instant::now() > stored_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    mem("stored");
    let stored_in = first_at.map_or(Duration::ZERO, |f| f.elapsed());
    let behind = last_arrival.map_or(Duration::ZERO, |l| l.elapsed());
    let rate = BURST as f64 / stored_in.as_secs_f64().max(1e-9);
    rows.push(Row {
        what: "burst of 10,000 notifications, applied to state and stored".into(),
        figure: format!(
            "{rate:.0} events/s from first arrival to stored ({}; the simulator took {} to send them; \
             all applied and stored {} after the last one arrived)",
            ms(stored_in),
            ms(sent.elapsed()),
            ms(behind)
        ),
        budget: ">= 20,000 events/s".into(),
        ok: rate >= 20_000.0,
    });
    let key = key_latency.unwrap_or_default();
    rows.push(Row {
        what: "a key pressed during the burst, to the next frame".into(),
        figure: ms(key),
        budget: "<= 50 ms".into(),
        ok: key <= Duration::from_millis(50),
    });

    // Approve 1,000 of the requests, in batched requests.
    let jids: Vec<String> = state
        .requests
        .get(&(session, gid(BURST_GROUP)))
        .map(|r| r.iter().take(APPROVE).map(|x| x.jid.clone()).collect())
        .unwrap_or_default();
    if jids.len() < APPROVE {
        bail!("only {} requests to approve", jids.len());
    }
    let start = Instant::now();
    h.actions.send(Action::Run {
        id: OpId(1),
        session,
        group: Some(gid(BURST_GROUP)),
        op: Op::Approve(jids),
    })?;
    let mut report = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while report.is_none() {
        let batch = next_batch(&mut h, deadline, "the approvals").await?;
        for u in &batch {
            if let Update::OpDone(r) = u {
                report = Some(r.summary());
            }
        }
        update(&mut state, Msg::EngineBatch(batch));
    }
    let approve = start.elapsed();
    mem("after approving");
    rows.push(Row {
        what: "approve 1,000 pending requests (batches of 256)".into(),
        figure: format!("{} ({})", ms(approve), report.unwrap_or_default()),
        budget: "<= 1 s".into(),
        ok: approve <= Duration::from_secs(1),
    });

    // One full frame at 200x60 of the 1,000-group list, the 1,024-member roster and the 500
    // pending requests.
    state.current_group = Some(gid(FULL_GROUP));
    state.focus = Pane::Groups;
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let t = Instant::now();
            let _ = term.draw(|f| draw(f, &state, &theme));
            t.elapsed()
        })
        .collect();
    times.sort();
    let p99 = times[FRAMES * 99 / 100];
    rows.push(Row {
        what: "one full frame at 200x60 (1,000 groups, 1,024 roster, 500 requests)".into(),
        figure: format!("p99 {} (p50 {})", ms(p99), ms(times[FRAMES / 2])),
        budget: "p99 <= 2 ms".into(),
        ok: p99 <= Duration::from_millis(2),
    });
    let rss = peak_rss_mb();
    stop(h).await;

    let rss = rss.unwrap_or(0.0);
    rows.push(Row {
        what: "peak memory (RSS) of wamod through all of the above".into(),
        figure: format!("{rss:.0} MB"),
        budget: "<= 80 MB".into(),
        ok: rss <= 80.0,
    });
    Ok(rows)
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
