//! The UI loop: terminal events, engine updates and a clock tick go through the pure reducer;
//! its effects go to the engine; the view is redrawn when something changed, at most once per
//! few milliseconds so a burst of events never starves the keyboard.

use std::time::Duration;

use anyhow::Result;
use futures_util::StreamExt;
use ratatui::crossterm::event::{
    Event as TermEvent, EventStream, KeyEventKind, MouseButton, MouseEventKind,
};
use tokio::sync::mpsc;

use crate::app::msg::{Effect, Msg};
use crate::app::state::AppState;
use crate::app::update::update;
use crate::engine::EngineHandle;
use crate::protocol::{Action, Update};
use crate::tui::Term;
use crate::ui::{Theme, draw};

/// Shortest time between two frames (60 Hz): a flood of updates redraws at most this often
/// instead of after every batch, and a key still shows within one frame.
pub const FRAME: Duration = Duration::from_millis(16);

/// Something besides the engine that feeds updates (the demo's simulated phone).
pub type SideChannel = mpsc::UnboundedReceiver<Update>;

pub async fn run(
    terminal: &mut Term,
    engine: &mut EngineHandle,
    state: &mut AppState,
    theme: &Theme,
    mut side: Option<SideChannel>,
    mut on_update: impl FnMut(&Update),
) -> Result<()> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if let Ok(size) = terminal.size() {
        update(state, Msg::Resize(size.width, size.height));
    }
    let mut dirty = true;
    let mut last_draw: Option<tokio::time::Instant> = None;
    let mut quit_signals = QuitSignals::new()?;
    loop {
        // After a panic the terminal is already restored: drawing would scribble on it.
        if let Some(m) = crate::crash::message() {
            return Err(crate::crash::stopped(m));
        }
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|f| draw(f, state, theme))?;
            dirty = false;
            last_draw = Some(tokio::time::Instant::now());
        }
        let next_frame = last_draw.map_or_else(tokio::time::Instant::now, |t| t + FRAME);
        let mut effects = Vec::new();
        tokio::select! {
            // A change waits for its frame.
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    effects = update(state, Msg::Key(k));
                    dirty = true;
                }
                Some(Ok(TermEvent::Paste(text))) => {
                    effects = update(state, Msg::Paste(text));
                    dirty = true;
                }
                Some(Ok(TermEvent::Mouse(m))) => {
                    let msg = match m.kind {
                        MouseEventKind::ScrollDown => Some(Msg::Scroll(3)),
                        MouseEventKind::ScrollUp => Some(Msg::Scroll(-3)),
                        MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click(m.column, m.row)),
                        _ => None,
                    };
                    if let Some(msg) = msg {
                        effects = update(state, msg);
                        dirty = true;
                    }
                }
                Some(Ok(TermEvent::Resize(w, h))) => {
                    effects = update(state, Msg::Resize(w, h));
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            batch = engine.next_batch() => {
                // Applied at once, then drawn once.
                let Some(batch) = batch else { return Ok(()) };
                for u in &batch {
                    on_update(u);
                }
                effects = update(state, Msg::EngineBatch(batch));
                dirty = true;
            }
            Some(u) = async { match side.as_mut() { Some(s) => s.recv().await, None => None } } => {
                effects = update(state, Msg::EngineBatch(vec![u]));
                dirty = true;
            }
            m = crate::crash::happened() => return Err(crate::crash::stopped(m)),
            // SIGTERM, SIGHUP, SIGINT: quit as `q` does.
            () = quit_signals.next() => return Ok(()),
            _ = tick.tick() => {
                let now = chrono::Utc::now().timestamp();
                if now != state.now {
                    effects = update(state, Msg::Tick(now));
                    dirty = true;
                }
            }
        }
        for effect in effects {
            match effect {
                Effect::Send(action) => {
                    let _ = engine.actions.send(action);
                }
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::Quit => return Ok(()),
            }
        }
    }
}

/// The signals that ask wamod to quit: SIGTERM (kill, a shutdown), SIGHUP (the terminal
/// closed), SIGINT (Ctrl-c is a key in raw mode, but `kill -INT` still arrives).
struct QuitSignals {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 3],
}

impl QuitSignals {
    fn new() -> Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                signals: [
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::hangup())?,
                    signal(SignalKind::interrupt())?,
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            let [term, hup, int] = &mut self.signals;
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

/// OSC 52: the terminal puts the text on the system clipboard (works over SSH and in tmux with
/// `set-clipboard on`). Terminals without it ignore the sequence.
fn copy_to_clipboard(text: &str) {
    use base64::Engine as _;
    use std::io::Write as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

/// Asks the engine to stop its sessions and waits for it to write what it holds; what was
/// left undone, in words, when something was.
pub async fn shutdown(engine: EngineHandle) -> Option<String> {
    let _ = engine.actions.send(Action::Shutdown);
    let limit = crate::engine::WRITER_DRAIN + Duration::from_secs(10);
    match tokio::time::timeout(limit, engine.task).await {
        Ok(Ok(d)) if d.cache_written => None,
        Ok(Ok(_)) => Some(format!(
            "the cache writer did not finish within {} s: the latest changes are not in the \
             cache and are read again from WhatsApp next time (the audit log was written as \
             each operation went)",
            crate::engine::WRITER_DRAIN.as_secs()
        )),
        Ok(Err(e)) => Some(format!("the engine stopped abnormally: {e}")),
        Err(_) => Some(format!(
            "the engine did not stop within {} s; the latest changes may be missing from the cache",
            limit.as_secs()
        )),
    }
}
