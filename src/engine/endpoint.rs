//! Where the engine's clients connect.

use std::sync::Arc;

use whatsapp_rust::transport::{Transport, TransportEvent, TransportFactory};

#[derive(Clone)]
pub enum Endpoint {
    /// WhatsApp itself (the default build only).
    WhatsApp,
    /// A server in this process, reached through its own transport (the simulator in tests).
    InProcess(SharedTransport),
    /// The simulator's loopback WebSocket listener (the demo, scripted runs).
    WebSocket(String),
}

impl Endpoint {
    /// An in-process endpoint over `factory`'s transports.
    pub fn in_process(factory: impl TransportFactory + 'static) -> Self {
        Endpoint::InProcess(SharedTransport(Arc::new(factory)))
    }

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

/// A transport factory shared by every session of an in-process endpoint. The engine knows
/// only whatsapp-rust's trait, not the simulator behind it.
#[derive(Clone)]
pub struct SharedTransport(Arc<dyn TransportFactory>);

#[whatsapp_rust::async_trait]
impl TransportFactory for SharedTransport {
    async fn create_transport(
        &self,
    ) -> anyhow::Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>)> {
        self.0.create_transport().await
    }
}
