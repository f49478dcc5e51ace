//! `wamod --demo`: the simulator with the shipped world on a loopback WebSocket, and a simulated
//! phone that scans the first QR code after a visible countdown, then lets the scenario's
//! activity stream in.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Result;
use tokio::sync::mpsc;

use crate::domain::{ConnState, SessionId};
use crate::protocol::Update;
use crate::sim::{Listener, Simulator};

/// How long the demo phone "looks at" a QR code before scanning it.
pub const SCAN_DELAY: Duration = Duration::from_secs(5);

pub struct Demo {
    pub sim: Simulator,
    pub listener: Listener,
    notices: mpsc::UnboundedSender<Update>,
    /// Sessions whose first QR code the phone already took.
    scanned: HashSet<SessionId>,
    activity_started: bool,
}

impl Demo {
    pub async fn start() -> Result<(Self, mpsc::UnboundedReceiver<Update>)> {
        let sim = Simulator::demo();
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        let listener = sim.listen(addr).await?;
        let (notices, rx) = mpsc::unbounded_channel();
        tracing::info!("demo simulator listening on {}", listener.ws_url());
        Ok((
            Self {
                sim,
                listener,
                notices,
                scanned: HashSet::new(),
                activity_started: false,
            },
            rx,
        ))
    }

    /// Watches the engine's updates: the phone of the next operator account scans each new
    /// session's first QR code (Dana, then Sam, ...); the activity script starts once a session
    /// is online.
    pub fn on_update(&mut self, u: &Update) {
        match u {
            Update::Qr { session, code, .. } if self.scanned.insert(*session) => {
                let operators = self.sim.operators();
                let Some(phone) = operators
                    .get((self.scanned.len() - 1) % operators.len().max(1))
                    .cloned()
                else {
                    return;
                };
                let sim = self.sim.clone();
                let code = code.clone();
                let notices = self.notices.clone();
                tokio::spawn(async move {
                    countdown(&notices, "scans this QR code").await;
                    let text = match sim.scan_qr_as(&code, &phone) {
                        Ok((phone, device)) => {
                            format!("Demo: phone +{phone} linked this device as #{device}")
                        }
                        Err(e) => format!("Demo: scan failed: {e:#}"),
                    };
                    let _ = notices.send(Update::Notice { text });
                });
            }
            Update::PairCode { code, .. } => {
                // The phone-number flow: the simulated user types the code on their phone.
                let sim = self.sim.clone();
                let code = code.clone();
                let notices = self.notices.clone();
                tokio::spawn(async move {
                    countdown(&notices, "enters this code").await;
                    let accounts = sim.world(|w| w.accounts.keys().cloned().collect::<Vec<_>>());
                    let entered = accounts
                        .iter()
                        .any(|phone| sim.enter_pair_code(phone, &code).is_ok());
                    if !entered {
                        let _ = notices.send(Update::Notice {
                            text: "Demo: no simulated account asked for this code".into(),
                        });
                    }
                });
            }
            Update::Conn {
                state: ConnState::Connected,
                ..
            } if !self.activity_started => {
                self.activity_started = true;
                // Detached: the script runs for the demo's lifetime.
                drop(self.sim.play_activity());
            }
            _ => {}
        }
    }
}

/// "Demo: the simulated phone {what} in 5s", 4s, ... so the user sees it coming.
async fn countdown(notices: &mpsc::UnboundedSender<Update>, what: &str) {
    for left in (1..=SCAN_DELAY.as_secs()).rev() {
        let _ = notices.send(Update::Notice {
            text: format!("Demo: the simulated phone {what} in {left}s"),
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
