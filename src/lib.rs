//! wamod: a keyboard-driven terminal dashboard for moderating WhatsApp groups from a linked device.
//!
//! The UI (`app`, `ui`) is a pure function of state driven by a reducer; the `engine` is the only
//! part that touches the network, and with `store` the database; both speak the messages of
//! `protocol`. `sim` (the simulated WhatsApp server), `demo` and `perf` exist only in builds with
//! the `sim-demo` feature (tests and the demo). README "Architecture" has the layer rule.

pub mod app;
pub mod cli;
pub mod config;
pub mod crash;
pub mod data_lock;
#[cfg(feature = "sim-demo")]
pub mod demo;
pub mod domain;
pub mod engine;
pub mod event_loop;
pub mod group_tree;
pub mod heap;
pub mod keyed_list;
pub mod logging;
pub mod ops;
pub mod paths;
#[cfg(feature = "sim-demo")]
pub mod perf;
pub mod protocol;
#[cfg(feature = "sim-demo")]
pub mod sim;
pub mod store;
pub mod tui;
pub mod ui;

#[cfg(test)]
mod architecture_tests;
