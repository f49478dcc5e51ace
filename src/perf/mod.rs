//! Performance at WhatsApp's limits: the scale fixtures the benches use, and `wamod perf`, which
//! runs the whole engine against the scale world and prints the budget figures.

pub mod fixture;
pub mod harness;

mod live;
mod measure;
pub mod memory;
mod row;
mod sim_admin;
