//! wamod: a keyboard-driven terminal dashboard for moderating WhatsApp groups from a linked device.
//!
//! The UI (`app`, `ui`) is a pure function of state driven by a reducer; the `engine` is the only
//! part that touches the network and the disk; `sim` is the simulated WhatsApp server used by the
//! tests and the demo.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod event_loop;
pub mod keyed_list;
pub mod logging;
pub mod ops;
pub mod paths;
pub mod perf;
pub mod sim;
pub mod store;
pub mod tui;
pub mod ui;
