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
            Endpoint::WebSocket(url) if !is_loopback_ws(url) => Err(format!(
                "this build only talks to the built-in simulator on this machine: {url:?} is not a ws:// loopback address"
            )),
            _ => Ok(()),
        }
    }
}

/// `ws://` to 127.0.0.0/8, `[::1]` or `localhost`: the simulator's listener, never the network
/// (sim-demo builds skip WhatsApp's certificate check).
pub fn is_loopback_ws(url: &str) -> bool {
    is_loopback_url(url, "ws://")
}

/// `scheme` (e.g. `http://`) to a loopback host.
pub fn is_loopback_url(url: &str, scheme: &str) -> bool {
    let Some(rest) = url.strip_prefix(scheme) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_ws;

    #[test]
    fn only_loopback_websockets_pass() {
        for ok in [
            "ws://127.0.0.1:4001/ws/chat",
            "ws://127.9.9.9/ws",
            "ws://[::1]:80/ws/chat",
            "ws://localhost:1234",
        ] {
            assert!(is_loopback_ws(ok), "{ok}");
        }
        for bad in [
            "wss://127.0.0.1/ws/chat",
            "ws://web.whatsapp.com/ws/chat",
            "ws://10.0.0.1:80/",
            "ws://127.0.0.1.evil.com/",
            "ws://user@127.0.0.1/",
            "http://127.0.0.1/",
            "",
        ] {
            assert!(!is_loopback_ws(bad), "{bad}");
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
