//! The measuring child's workloads, one function per stage of README's budget table: the
//! initial sync, the burst (and a key pressed during it), approving 1,000 requests, frame
//! times, and the peak memory through all of them.

mod burst;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::live::{Live, engine, groups_of, next_batch, screen_state, terminal};
use super::memory::{mem, peak_rss_mb};
use super::row::{Row, ms};
use super::sim_admin::Admin;
use crate::app::msg::Msg;
use crate::app::state::{AppState, Pane};
use crate::app::update::update;
use crate::domain::{ConnState, GroupId, SessionId};
use crate::ops::{Op, OpId};
use crate::protocol::{Action, Update};
use crate::sim::scale::{BURST_GROUP, FULL_GROUP};
use crate::ui::Theme;

const APPROVE: usize = 1_000;
const FRAMES: usize = 1_000;

fn gid(id: &str) -> GroupId {
    GroupId(format!("{id}@g.us"))
}

/// The measuring child: a fresh process (its memory is wamod's alone) resumes the linked
/// session against the simulator and runs the budget's workloads.
pub(super) async fn measure(ws: &str, admin: &Admin, dir: &Path) -> Result<Vec<Row>> {
    let term = terminal()?;
    forget_cache(dir);
    let state = screen_state();
    let iqs_before = group_iqs(admin).await?;
    let start = Instant::now();
    let mut live = Live {
        h: engine(ws, dir),
        state,
        term,
    };
    let (sync, session) = initial_sync(&mut live, start).await?;
    let mut rows = vec![sync];
    mem("after the initial sync");
    show_full_group(&mut live, session).await?;
    rows.push(sync_iqs(iqs_before, group_iqs(admin).await?));
    let clock = burst::burst(&mut live, admin).await?;
    burst::wait_until_stored(dir).await?;
    mem("stored");
    rows.extend(clock.rows());
    rows.push(approve(&mut live, session).await?);
    rows.push(frame_times(&mut live));
    let rss = peak_rss_mb();
    live.stop().await;
    rows.push(peak_memory(rss));
    Ok(rows)
}

/// Removes the cache, so the sync starts from a linked session alone.
fn forget_cache(dir: &Path) {
    for f in ["wamod.db", "wamod.db-wal", "wamod.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
}

/// Initial sync: a linked session, an empty cache, to the groups pane and every roster (timed
/// from `start`, just before the engine was spawned); then opening the 1,024-member group.
async fn initial_sync(live: &mut Live, start: Instant) -> Result<(Row, SessionId)> {
    let connected = |s: &AppState| s.sessions.iter().any(|v| v.conn == ConnState::Connected);
    let minute = Duration::from_secs(60);
    live.pump("the connection", minute, |s| {
        groups_of(s) >= 1_000 || connected(s)
    })
    .await?;
    mem("connected, before the group list");
    live.pump("the group list", minute, |s| groups_of(s) >= 1_000)
        .await?;
    let groups_at = start.elapsed();
    // The rosters come in the same answer: each brings our role in the group.
    live.pump("the rosters", minute, |s| roles_known(s) >= 1_000)
        .await?;
    let rosters_at = start.elapsed();
    let session = live.state.sessions.first().map_or(SessionId(1), |s| s.id);
    let roster_in = open_full_roster(live, session).await?;
    let row = Row {
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
    };
    Ok((row, session))
}

/// The group IQs the simulator has received so far, by kind.
async fn group_iqs(admin: &Admin) -> Result<BTreeMap<String, u64>> {
    let text = admin.get("/admin/group-iqs").await?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let (kind, n) = l.split_once(' ')?;
            Some((kind.to_string(), n.parse().ok()?))
        })
        .collect())
}

/// The group IQs of the initial sync: from connecting to every roster and the join requests
/// of the approval groups on screen. WhatsApp Web reads the list in one query.
fn sync_iqs(before: BTreeMap<String, u64>, after: BTreeMap<String, u64>) -> Row {
    let sent: Vec<(String, u64)> = after
        .into_iter()
        .map(|(k, n)| {
            let n = n - before.get(&k).copied().unwrap_or(0).min(n);
            (k, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let total: u64 = sent.iter().map(|(_, n)| n).sum();
    let kinds: Vec<String> = sent.iter().map(|(k, n)| format!("{n} {k}")).collect();
    Row {
        what: "group IQs sent by the initial sync of 1,000 groups (list, rosters, requests)".into(),
        figure: format!("{total} ({})", kinds.join(", ")),
        budget: "<= 5".into(),
        ok: total <= 5,
    }
}

/// Groups whose roster has told us our role in them.
fn roles_known(s: &AppState) -> usize {
    s.groups
        .values()
        .flatten()
        .filter(|g| g.my_role.is_some())
        .count()
}

/// Opening the 1,024-member group shows its roster from the engine's copy: how long that takes.
async fn open_full_roster(live: &mut Live, session: SessionId) -> Result<Duration> {
    let opened = Instant::now();
    live.h.actions.send(Action::LoadRoster {
        session,
        group: gid(FULL_GROUP),
    })?;
    live.pump("the roster", Duration::from_secs(30), |s| {
        s.rosters
            .get(&(session, gid(FULL_GROUP)))
            .is_some_and(|r| r.len() >= 1_024)
    })
    .await?;
    Ok(opened.elapsed())
}

/// Selects the 1,024-member group and waits for its 500 pending requests.
async fn show_full_group(live: &mut Live, session: SessionId) -> Result<()> {
    live.state.current_session = Some(session);
    live.state.current_group = Some(gid(FULL_GROUP));
    live.state.focus = Pane::Groups;
    live.pump("the 500 requests", Duration::from_secs(30), |s| {
        s.requests
            .get(&(session, gid(FULL_GROUP)))
            .is_some_and(|r| r.len() >= 500)
    })
    .await
}

/// Approves 1,000 of the burst's requests, in batched requests.
async fn approve(live: &mut Live, session: SessionId) -> Result<Row> {
    let jids: Vec<String> = live
        .state
        .requests
        .get(&(session, gid(BURST_GROUP)))
        .map(|r| r.iter().take(APPROVE).map(|x| x.jid.clone()).collect())
        .unwrap_or_default();
    if jids.len() < APPROVE {
        bail!("only {} requests to approve", jids.len());
    }
    let start = Instant::now();
    live.h.actions.send(Action::Run {
        id: OpId(1),
        session,
        group: Some(gid(BURST_GROUP)),
        op: Op::Approve(jids),
    })?;
    let mut report = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while report.is_none() {
        let batch = next_batch(&mut live.h, deadline, "the approvals").await?;
        for u in &batch {
            if let Update::OpDone(r) = u {
                report = Some(r.summary());
            }
        }
        update(&mut live.state, Msg::EngineBatch(batch));
    }
    let approve = start.elapsed();
    mem("after approving");
    Ok(Row {
        what: "approve 1,000 pending requests (batches of 256)".into(),
        figure: format!("{} ({})", ms(approve), report.unwrap_or_default()),
        budget: "<= 1 s".into(),
        ok: approve <= Duration::from_secs(1),
    })
}

/// One full frame at 200x60 of the 1,000-group list, the 1,024-member roster and the 500
/// pending requests, drawn 1,000 times.
fn frame_times(live: &mut Live) -> Row {
    live.state.current_group = Some(gid(FULL_GROUP));
    live.state.focus = Pane::Groups;
    let theme = Theme::default();
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let t = Instant::now();
            let _ = live.draw(&theme);
            t.elapsed()
        })
        .collect();
    times.sort();
    let p99 = times[FRAMES * 99 / 100];
    Row {
        what: "one full frame at 200x60 (1,000 groups, 1,024 roster, 500 requests)".into(),
        figure: format!("p99 {} (p50 {})", ms(p99), ms(times[FRAMES / 2])),
        budget: "p99 <= 2 ms".into(),
        ok: p99 <= Duration::from_millis(2),
    }
}

/// The peak resident memory, read before the engine stopped.
fn peak_memory(rss: Option<f64>) -> Row {
    let rss = rss.unwrap_or(0.0);
    Row {
        what: "peak memory (RSS) of wamod through all of the above".into(),
        figure: format!("{rss:.0} MB"),
        budget: "<= 80 MB".into(),
        ok: rss <= 80.0,
    }
}
