//! The engine as the UI loop drives it: its updates applied to an `AppState` and drawn on a
//! 200x60 test terminal, so the figures include the reducer and the frames.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::keymap::Keymap;
use crate::app::msg::Msg;
use crate::app::state::AppState;
use crate::app::update::update;
use crate::engine::{Endpoint, EngineConfig, EngineHandle, spawn};
use crate::protocol::{Action, Update};
use crate::ui::{Theme, draw};

/// The engine with its sessions and cache under `dir`, against the simulator at `ws`.
pub(super) fn engine(ws: &str, dir: &Path) -> EngineHandle {
    spawn(EngineConfig {
        sessions_dir: dir.join("sessions"),
        endpoint: Endpoint::WebSocket(ws.to_string()),
        version: crate::engine::VersionSource::simulator(),
        database: Some(dir.join("wamod.db")),
        op_timeout: EngineConfig::DEFAULT_OP_TIMEOUT,
        // The budgets measure wamod's own speed; the pace would measure its gaps.
        pace: crate::domain::PaceLimits::unpaced(),
        resync_after: EngineConfig::RESYNC_AFTER,
    })
}

/// The test terminal the figures are drawn on (the budget's 200x60).
pub(super) fn terminal() -> Result<Terminal<TestBackend>> {
    Ok(Terminal::new(TestBackend::new(200, 60))?)
}

/// A fresh UI state that knows it is drawn at 200x60.
pub(super) fn screen_state() -> AppState {
    let mut state = AppState::new(Keymap::default(), chrono::Utc::now().timestamp());
    state.size = (200, 60);
    state
}

pub(super) fn groups_of(state: &AppState) -> usize {
    state.groups.values().map(Vec::len).sum()
}

/// The next update before `deadline`, with whatever else is waiting (up to a UI batch).
pub(super) async fn next_batch(
    h: &mut EngineHandle,
    deadline: tokio::time::Instant,
    what: &str,
) -> Result<Vec<Update>> {
    tokio::time::timeout_at(deadline, h.next_batch())
        .await
        .map_err(|_| anyhow!("timed out waiting for {what}"))?
        .ok_or_else(|| anyhow!("the engine stopped while waiting for {what}"))
}

/// A running engine, the state its updates build and the terminal that state is drawn on.
pub(super) struct Live {
    pub h: EngineHandle,
    pub state: AppState,
    pub term: Terminal<TestBackend>,
}

impl Live {
    /// Applies updates until `done` holds, drawing after each batch as the UI loop does.
    pub async fn pump(
        &mut self,
        what: &str,
        timeout: Duration,
        mut done: impl FnMut(&AppState) -> bool,
    ) -> Result<()> {
        let theme = Theme::default();
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.state) {
            let batch = next_batch(&mut self.h, deadline, what).await?;
            update(&mut self.state, Msg::EngineBatch(batch));
            self.draw(&theme)?;
        }
        Ok(())
    }

    /// One frame of the current state.
    pub fn draw(&mut self, theme: &Theme) -> Result<()> {
        self.term.draw(|f| draw(f, &self.state, theme))?;
        Ok(())
    }

    /// Shuts the engine down (waiting up to ten seconds for it).
    pub async fn stop(self) {
        let _ = self.h.actions.send(Action::Shutdown);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.h.task).await;
    }
}
