//! The simulated WhatsApp server: speaks the real wire protocol (Noise XX, frames, binary nodes) so
//! the unchanged whatsapp-rust client can pair with it and moderate groups on it.
//!
//! - [`Simulator`] is the control handle: world, QR scans, simulated actors, faults.
//! - Transports: [`Simulator::transport_factory`] (in-process, for tests) and
//!   [`Simulator::listen`] (loopback WebSocket at `/ws/chat` plus `/admin/...` HTTP routes).
//! - The client must be built with `danger-skip-cert-chain-verify`: the simulator cannot sign
//!   with WhatsApp's root key.

pub mod admin;
pub mod clock;
pub mod connection;
pub mod control;
pub mod delivery;
pub mod endings;
pub mod faults;
pub mod groups_iq;
pub mod jids;
pub mod listener;
pub mod mex;
pub mod noise;
pub mod notify;
pub mod pair_code;
pub mod pairing;
pub mod pending;
pub mod read_budget;
mod rng;
pub mod router;
pub mod scale;
pub mod scenario;
pub mod shapes;
pub mod state;
pub mod transport;
pub mod wire;
pub mod world;

pub use control::Simulator;
pub use faults::FaultAction;
pub use listener::Listener;
pub use state::SimEvent;
pub use transport::InProcessTransportFactory;
