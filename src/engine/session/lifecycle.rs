//! A session's connection over time: build a client, drive it, and when its run ends, either
//! build another (where WhatsApp would accept it) or stop and say why until the user acts.
//! whatsapp-rust ends its run loop by itself after a replaced stream, a ban, an outdated
//! version, a refused login or a logout (client/lifecycle.rs: auto-reconnect off), so the
//! session watches the `BotHandle` as well as the events: no silent death.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use whatsapp_rust::Client;
use whatsapp_rust::types::events::Event;

use super::{Live, SessionCmd, SessionTask, remove_keys};
use crate::domain::{ConnState, Ending, GroupEvent, GroupEventKind, GroupId};
use crate::engine::bot::{BuiltBot, build_bot};
use crate::engine::conn_watch::ConnProblem;
use crate::engine::endings::{Verdict, ended_line, judge, retry_delay_secs};
use crate::engine::session_reports::Internal;
use crate::protocol::Update;

/// Rounds of QR codes (about 2.5 min each) offered before pairing waits to be asked again.
const QR_ROUNDS: u32 = 3;

/// How long an ended run waits for the event that says why.
const LAST_WORDS: Duration = Duration::from_secs(2);

/// What one step of a running client asks for.
pub(super) enum Flow {
    Continue,
    /// Build a fresh client (its QR codes ran out while someone watches).
    Rebuild,
    /// Shut the client down and wait for the user (the state says why).
    Wait,
    Stop,
}

/// What to do after a client is gone.
enum Next {
    Rebuild,
    Retry(Duration),
    Wait,
    Stop,
}

/// How the connection stands, for the words and the retries.
#[derive(Default)]
pub(super) struct ConnTrack {
    /// Connect attempts since the last login.
    attempts: u32,
    /// Why the connection is over, once an event said so.
    ending: Option<ConnState>,
    /// QR rounds nobody scanned.
    qr_rounds: u32,
    /// The lines put in the feed since the last login: a retry loop (whose transport and
    /// version fetch may fail by turns) is recorded once, not every few seconds.
    recorded: HashSet<String>,
    /// A phone-number code to ask for as soon as the new client shows its first QR code.
    pair_with: Option<String>,
}

impl SessionTask {
    pub async fn run(mut self) {
        let (internal_tx, mut internal_rx) = mpsc::unbounded_channel();
        let mut live = Live::new(&mut self, internal_tx);
        let mut build_failures = 0;
        loop {
            // A new client reads every group once it is in (its offline queue may have gone to
            // the client before it).
            live.away_since = None;
            live.show(ConnState::Connecting);
            let (problems_tx, problems) = mpsc::unbounded_channel();
            let store = Self::key_store(&self.dir);
            let built = build_bot(&self.endpoint, &self.version, &store, problems_tx).await;
            let next = match built {
                Ok(bot) => {
                    build_failures = 0;
                    self.drive(&mut live, bot, problems, &mut internal_rx).await
                }
                Err(e) => {
                    tracing::warn!(session = %self.id, "cannot start the client: {e:#}");
                    build_failures += 1;
                    let secs = retry_delay_secs(build_failures).max(1);
                    live.show(ConnState::Disconnected {
                        reason: format!("cannot start the client: {e:#}"),
                        retry_in_secs: Some(secs),
                        attempt: build_failures,
                    });
                    Next::Retry(Duration::from_secs(secs))
                }
            };
            let go_on = match next {
                Next::Rebuild => true,
                Next::Retry(pause) => {
                    self.between_clients(&mut live, &mut internal_rx, Some(pause))
                        .await
                }
                Next::Wait => {
                    self.between_clients(&mut live, &mut internal_rx, None)
                        .await
                }
                Next::Stop => false,
            };
            if !go_on {
                return;
            }
        }
    }

    /// Runs one client until it ends or is ended.
    async fn drive(
        &mut self,
        live: &mut Live,
        bot: BuiltBot,
        mut problems: mpsc::UnboundedReceiver<ConnProblem>,
        internal_rx: &mut mpsc::UnboundedReceiver<Internal>,
    ) -> Next {
        let BuiltBot { mut handle, events } = bot;
        let client = handle.client();
        loop {
            let flow = tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ev) => {
                        let flow = live.on_event(&client, &ev);
                        if events.is_empty() {
                            live.flush();
                        }
                        flow
                    }
                    // The client is gone (its handler with it).
                    Err(_) => Flow::Wait,
                },
                () = &mut handle => live.last_words(&client, &events).await,
                Some(p) = problems.recv() => {
                    live.on_problem(p);
                    Flow::Continue
                }
                cmd = self.commands.recv() => match cmd {
                    Some(cmd) => live.on_command(&client, cmd).await,
                    None => Flow::Stop,
                },
                Some(msg) = internal_rx.recv() => {
                    live.on_internal(&client, msg);
                    Flow::Continue
                }
            };
            let next = match flow {
                Flow::Continue => continue,
                Flow::Rebuild => Next::Rebuild,
                Flow::Wait if live.conn.ending.is_some() => Next::Wait,
                // Ended without a word: a new client after a pause.
                Flow::Wait => Next::Retry(live.lost_without_reason()),
                Flow::Stop => Next::Stop,
            };
            live.flush();
            client.disconnect().await;
            handle.shutdown().await;
            return next;
        }
    }

    /// No client runs: until `pause` is over (or, without one, until the user reconnects with
    /// `r`, unlinks or quits), commands are answered as they can be without one. True to build
    /// a new client.
    async fn between_clients(
        &mut self,
        live: &mut Live,
        internal_rx: &mut mpsc::UnboundedReceiver<Internal>,
        pause: Option<Duration>,
    ) -> bool {
        let over = async {
            match pause {
                Some(p) => tokio::time::sleep(p).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(over);
        loop {
            tokio::select! {
                () = &mut over => return true,
                cmd = self.commands.recv() => match cmd {
                    None => return false,
                    Some(cmd) => {
                        if let Some(go_on) = live.without_client(cmd) {
                            return go_on;
                        }
                    }
                },
                Some(msg) = internal_rx.recv() => live.after_end(msg),
            }
        }
    }
}

impl Live {
    /// The run ended: the event saying why is delivered by a task of its own and may come just
    /// after, so it gets a moment before the end counts as unexplained.
    async fn last_words(
        &mut self,
        client: &Arc<Client>,
        events: &async_channel::Receiver<Arc<Event>>,
    ) -> Flow {
        let grace = tokio::time::sleep(LAST_WORDS);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ev) => match self.on_event(client, &ev) {
                        Flow::Continue => {}
                        flow => return flow,
                    },
                    Err(_) => return Flow::Wait,
                },
                () = &mut grace => return Flow::Wait,
            }
        }
    }

    pub(super) fn show(&self, state: ConnState) {
        self.send(Update::Conn {
            session: self.id,
            state,
        });
    }

    /// A line in the feed (and the stored history) about this session's connection, unless it
    /// was said since the last login.
    fn record(&mut self, what: String) {
        if !self.conn.recorded.insert(what.clone()) {
            return;
        }
        self.send(Update::Event(GroupEvent {
            at: chrono::Utc::now().timestamp(),
            session: self.id,
            group: GroupId(String::new()),
            group_subject: "connection".into(),
            actor: None,
            kind: GroupEventKind::Connection { what },
            found_on_reconnect: false,
        }));
    }

    /// The connection events; `None` for every other event.
    pub(super) fn on_conn_event(&mut self, client: &Arc<Client>, ev: &Event) -> Option<Flow> {
        match ev {
            Event::Connected(_) => {
                self.conn = ConnTrack::default();
                self.on_connected(client);
                return Some(Flow::Continue);
            }
            Event::PairingQrCode(_) => {
                self.conn.ending = None;
                if let Some(phone) = self.conn.pair_with.take() {
                    self.pair_with_phone(client, phone);
                }
            }
            Event::PairingQrCodesExhausted(_) => return Some(self.on_qr_codes_exhausted()),
            _ => {}
        }
        let verdict = judge(ev, chrono::Utc::now().timestamp())?;
        tracing::info!(session = %self.id, "connection: {verdict:?}");
        Some(match verdict {
            Verdict::End(ConnState::LoggedOut(reason)) => {
                // Unlinked (here, from the phone, or locked): the keys are useless now.
                remove_keys(&self.dir);
                let state = ConnState::LoggedOut(reason);
                self.record(ended_line(&state));
                self.show(state);
                Flow::Stop
            }
            Verdict::End(state) => {
                self.record(ended_line(&state));
                self.conn.ending = Some(state.clone());
                self.show(state);
                Flow::Wait
            }
            Verdict::Retrying(reason) => {
                self.away_since
                    .get_or_insert_with(tokio::time::Instant::now);
                self.record(format!("disconnected: {reason}"));
                self.show(ConnState::Disconnected {
                    reason,
                    retry_in_secs: Some(retry_delay_secs(self.conn.attempts + 1)),
                    attempt: self.conn.attempts,
                });
                Flow::Continue
            }
            Verdict::Note(note) => {
                self.record(note);
                Flow::Continue
            }
        })
    }

    /// A round of QR codes ran out: another, up to `QR_ROUNDS`, then wait to be asked.
    fn on_qr_codes_exhausted(&mut self) -> Flow {
        self.conn.qr_rounds += 1;
        if self.conn.qr_rounds < QR_ROUNDS {
            return Flow::Rebuild;
        }
        let state = ConnState::Ended(Ending::QrCodesExpired);
        self.conn.ending = Some(state.clone());
        self.show(state);
        Flow::Wait
    }

    /// A connect attempt, or why one failed (whatsapp-rust retries by itself).
    fn on_problem(&mut self, problem: ConnProblem) {
        let reason = match problem {
            ConnProblem::Attempt => {
                self.conn.attempts += 1;
                return;
            }
            ConnProblem::Unreachable(e) => format!("cannot reach WhatsApp ({e})"),
            ConnProblem::Version(e) => format!("cannot read WhatsApp Web's version ({e})"),
        };
        let attempt = self.conn.attempts.max(1);
        self.record(reason.clone());
        tracing::warn!(session = %self.id, attempt, "{reason}");
        self.show(ConnState::Disconnected {
            reason,
            retry_in_secs: Some(retry_delay_secs(attempt)),
            attempt,
        });
    }

    /// The run ended and no event said why: shown, and retried after the usual backoff.
    fn lost_without_reason(&mut self) -> Duration {
        self.conn.attempts += 1;
        let secs = retry_delay_secs(self.conn.attempts);
        let reason = "the WhatsApp client stopped".to_string();
        self.record(reason.clone());
        self.show(ConnState::Disconnected {
            reason,
            retry_in_secs: Some(secs),
            attempt: self.conn.attempts,
        });
        Duration::from_secs(secs)
    }

    /// A command while no client runs: `Some(go_on)` ends the wait (true: build a client now),
    /// `None` keeps waiting.
    fn without_client(&mut self, cmd: SessionCmd) -> Option<bool> {
        match cmd {
            SessionCmd::Refresh => {
                self.conn = ConnTrack::default();
                Some(true)
            }
            SessionCmd::Shutdown => Some(false),
            // Asked for a phone-number code after the QR codes ran out: a new client, which
            // asks for it once it is up.
            SessionCmd::PairWithPhone(phone) => {
                self.conn = ConnTrack::default();
                self.conn.pair_with = Some(phone);
                Some(true)
            }
            SessionCmd::Cancel if self.linked => None,
            SessionCmd::Logout | SessionCmd::Cancel => {
                // No client to tell WhatsApp: the keys go, the phone still lists the device.
                remove_keys(&self.dir);
                self.send(Update::SessionRemoved(self.id));
                Some(false)
            }
            SessionCmd::Run { id, group, op } => {
                let why = "the session is not connected (r reconnects)";
                self.refuse_op(id, group, op, why);
                None
            }
            SessionCmd::LoadRoster(group) => {
                if self.model.rosters.contains_key(&group) {
                    self.send(self.model.roster_update(&group));
                }
                None
            }
            SessionCmd::CancelUnsent => {
                self.writes.cancel_unsent();
                None
            }
            SessionCmd::LoadRequests(_) | SessionCmd::Reread(_) => None,
        }
    }

    /// What the ended client's tasks still report: operations get their outcome (the UI must
    /// not wait for a reconnect to hear it); fetch results are of no use without a client.
    fn after_end(&mut self, msg: Internal) {
        match msg {
            Internal::OpDone(report) => {
                self.in_flight.remove(&report.id);
                self.send(Update::OpDone(Box::new(report)));
            }
            Internal::FetchDone(since) => self.model.fetch_done(since),
            // The queue's pace still shows (its queued work is answered as it drains).
            Internal::WritePace(writes) => self.on_write_pace(writes),
            _ => {}
        }
    }

    /// Whether `r` should start a new client rather than reload (the connection is over).
    pub(super) fn ended(&self) -> bool {
        self.conn.ending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionId;
    use crate::engine::Endpoint;
    use crate::engine::bot::VersionSource;

    /// A session's state without a client, and what it sends.
    fn live() -> (Live, mpsc::UnboundedReceiver<Update>) {
        let (updates, rx) = mpsc::unbounded_channel();
        let (_commands_tx, commands) = mpsc::unbounded_channel();
        let (internal, _internal_rx) = mpsc::unbounded_channel();
        let mut task = SessionTask {
            id: SessionId(1),
            dir: std::env::temp_dir().join("wamod-lifecycle-test"),
            endpoint: Endpoint::WhatsApp,
            version: VersionSource::simulator(),
            updates,
            commands,
            store: None,
            audit_down: None,
            op_timeout: Duration::from_secs(1),
            pace: crate::domain::PaceLimits::default(),
            resync_after: Duration::ZERO,
            cached: None,
        };
        (Live::new(&mut task, internal), rx)
    }

    fn drain(rx: &mut mpsc::UnboundedReceiver<Update>) -> Vec<Update> {
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    #[test]
    fn unscanned_qr_rounds_stop_after_three() {
        let (mut live, mut rx) = live();
        assert!(matches!(live.on_qr_codes_exhausted(), Flow::Rebuild));
        assert!(matches!(live.on_qr_codes_exhausted(), Flow::Rebuild));
        assert!(matches!(live.on_qr_codes_exhausted(), Flow::Wait));
        assert!(live.ended(), "r starts a new round");
        assert_eq!(
            drain(&mut rx),
            vec![Update::Conn {
                session: SessionId(1),
                state: ConnState::Ended(Ending::QrCodesExpired)
            }]
        );
    }

    #[test]
    fn failed_connects_count_attempts_and_are_recorded_once() {
        let (mut live, mut rx) = live();
        for attempt in 1..=3u32 {
            live.on_problem(ConnProblem::Attempt);
            live.on_problem(ConnProblem::Unreachable("Connection refused".into()));
            // The version fetch fails too, by turns: still one line each.
            live.on_problem(ConnProblem::Version("dns error".into()));
            live.on_problem(ConnProblem::Unreachable("Connection refused".into()));
            let sent = drain(&mut rx);
            let events = sent
                .iter()
                .filter(|u| matches!(u, Update::Event(_)))
                .count();
            assert_eq!(
                events,
                if attempt == 1 { 2 } else { 0 },
                "attempt {attempt}"
            );
            assert_eq!(
                sent.last(),
                Some(&Update::Conn {
                    session: SessionId(1),
                    state: ConnState::Disconnected {
                        reason: "cannot reach WhatsApp (Connection refused)".into(),
                        retry_in_secs: Some(retry_delay_secs(attempt)),
                        attempt,
                    }
                })
            );
        }
    }
}
