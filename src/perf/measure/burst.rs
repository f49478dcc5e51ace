//! The burst stage: 10,000 join requests arrive while the UI loop applies and draws them and the
//! cache writer stores them; a key pressed halfway shows in the next frame.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::gid;
use crate::app::msg::Msg;
use crate::app::update::update;
use crate::event_loop::FRAME;
use crate::perf::live::{Live, next_batch};
use crate::perf::memory::mem;
use crate::perf::row::{Row, ms};
use crate::perf::sim_admin::Admin;
use crate::protocol::Update;
use crate::sim::scale::BURST_GROUP;
use crate::ui::Theme;

const BURST: usize = 10_000;

/// When the burst's milestones happened; its rows are made once the cache has caught up.
pub(super) struct BurstClock {
    /// When the simulator was asked for the burst.
    sent: Instant,
    first_arrival: Option<Instant>,
    last_arrival: Option<Instant>,
    key_latency: Option<Duration>,
}

/// Asks the simulator for the burst and applies it as the UI loop does.
pub(super) async fn burst(live: &mut Live, admin: &Admin) -> Result<BurstClock> {
    let admin = admin.clone();
    mem("before the burst");
    let sent = Instant::now();
    let request =
        tokio::spawn(async move { admin.post(&format!("/admin/burst?n={BURST}"), "").await });
    let mut clock = BurstClock {
        sent,
        first_arrival: None,
        last_arrival: None,
        key_latency: None,
    };
    apply_burst(live, &mut clock).await?;
    mem("after the burst");
    let _ = request.await;
    Ok(clock)
}

/// Applies batches until every request event of the burst has arrived, drawing at most once
/// per frame as the UI loop paces its frames.
async fn apply_burst(live: &mut Live, clock: &mut BurstClock) -> Result<()> {
    let theme = Theme::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut seen = 0usize;
    let mut last_draw: Option<Instant> = None;
    while seen < BURST {
        let batch = next_batch(&mut live.h, deadline, "the burst").await?;
        clock.first_arrival.get_or_insert_with(Instant::now);
        seen += batch
            .iter()
            .filter(|u| matches!(u, Update::Event(e) if e.group == gid(BURST_GROUP)))
            .count();
        if seen >= BURST {
            clock.last_arrival = Some(Instant::now());
        }
        // Halfway, a key arrives just as a batch starts: it waits for that batch and its
        // frame, then gets its own.
        let key_at = (clock.key_latency.is_none() && seen >= BURST / 2).then(Instant::now);
        update(&mut live.state, Msg::EngineBatch(batch));
        if last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            live.draw(&theme)?;
            last_draw = Some(Instant::now());
        }
        if let Some(at) = key_at {
            last_draw = Some(key_to_frame(live, last_draw, &theme).await?);
            clock.key_latency = Some(at.elapsed());
        }
    }
    Ok(())
}

/// Presses `j` and draws its frame when the next one is due (after `last_draw`); when it was
/// drawn.
async fn key_to_frame(
    live: &mut Live,
    last_draw: Option<Instant>,
    theme: &Theme,
) -> Result<Instant> {
    update(
        &mut live.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
    );
    if let Some(t) = last_draw {
        tokio::time::sleep_until((t + FRAME).into()).await;
    }
    live.draw(theme)?;
    Ok(Instant::now())
}

/// Waits (up to a minute) until the cache writer has stored every request event of the burst.
pub(super) async fn wait_until_stored(dir: &Path) -> Result<()> {
    let db = dir.join("wamod.db");
    let stored_deadline = Instant::now() + Duration::from_secs(60);
    let reader = crate::store::Store::open(&db)?;
    loop {
        let n = reader.event_count(Some(&gid(BURST_GROUP))).unwrap_or(0);
        if n >= BURST || Instant::now() > stored_deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

impl BurstClock {
    /// The burst's throughput (first arrival to stored) and the key's latency.
    pub fn rows(&self) -> [Row; 2] {
        let stored_in = self.first_arrival.map_or(Duration::ZERO, |f| f.elapsed());
        let behind = self.last_arrival.map_or(Duration::ZERO, |l| l.elapsed());
        let rate = BURST as f64 / stored_in.as_secs_f64().max(1e-9);
        let throughput = Row {
            what: "burst of 10,000 notifications, applied to state and stored".into(),
            figure: format!(
                "{rate:.0} events/s from first arrival to stored ({}; the simulator took {} to send them; \
                 all applied and stored {} after the last one arrived)",
                ms(stored_in),
                ms(self.sent.elapsed()),
                ms(behind)
            ),
            budget: ">= 20,000 events/s".into(),
            ok: rate >= 20_000.0,
        };
        let key = self.key_latency.unwrap_or_default();
        let key_row = Row {
            what: "a key pressed during the burst, to the next frame".into(),
            figure: ms(key),
            budget: "<= 50 ms".into(),
            ok: key <= Duration::from_millis(50),
        };
        [throughput, key_row]
    }
}
