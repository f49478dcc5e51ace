//! Where the engine's clients connect.

use crate::sim::Simulator;

#[derive(Clone)]
pub enum Endpoint {
    /// WhatsApp itself (the default build only).
    WhatsApp,
    /// The simulator, in process (tests).
    InProcess(Simulator),
    /// The simulator's loopback WebSocket listener (the demo, scripted runs).
    WebSocket(String),
}

impl Endpoint {
    /// Builds with the `sim-demo` feature skip WhatsApp's certificate check, so they must never
    /// talk to WhatsApp; builds without it cannot complete a handshake with the simulator.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Endpoint::WhatsApp if cfg!(feature = "sim-demo") => Err(
                "this build skips WhatsApp's certificate check (feature sim-demo) and only talks to the built-in simulator; use a default build for real accounts"
                    .into(),
            ),
            Endpoint::InProcess(_) | Endpoint::WebSocket(_) if !cfg!(feature = "sim-demo") => Err(
                "the simulator needs a build with the sim-demo feature: cargo run --features sim-demo -- --demo"
                    .into(),
            ),
            _ => Ok(()),
        }
    }
}
