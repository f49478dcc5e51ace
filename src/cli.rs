//! Command-line options.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::protocol::{Format, Table};

/// Keyboard-driven terminal dashboard for moderating WhatsApp groups from a linked device.
#[derive(Debug, Clone, Parser)]
#[command(name = "wamod", disable_version_flag = true)]
pub struct Cli {
    /// Run on the built-in WhatsApp simulator with a demo world (no phone, no network).
    #[arg(long)]
    pub demo: bool,
    /// Directory for session keys and wamod's database (default: $XDG_DATA_HOME/wamod).
    #[arg(long, value_name = "DIR", env = "WAMOD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/wamod/config.toml).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log filter for the log file, e.g. `info` or `wamod=debug,whatsapp_rust=info`.
    #[arg(long, value_name = "FILTER", env = "WAMOD_LOG")]
    pub log_level: Option<String>,
    /// Do not capture the mouse (leaves terminal selection to the terminal).
    #[arg(long)]
    pub no_mouse: bool,
    /// Print the version and where wamod keeps its config, data and log, then exit.
    #[arg(long, short = 'V')]
    pub version: bool,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CliCommand {
    /// Print a table of wamod.db as CSV or JSON, without starting the UI (columns: README).
    Export {
        /// What to export.
        #[arg(value_enum)]
        table: Table,
        #[arg(long, short = 'f', value_enum, default_value = "csv")]
        format: Format,
        /// Only this session (its number).
        #[arg(long, short = 's')]
        session: Option<u32>,
        /// Only this group: its id (…@g.us) or a piece of its subject.
        #[arg(long, short = 'g')]
        group: Option<String>,
        /// Write to this file (0600) instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    #[cfg(feature = "sim-demo")]
    /// Run the engine against the simulator's scale world (1,000 groups, 100,000 participants)
    /// and print the performance budget figures (builds with the sim-demo feature).
    Perf {
        /// Internal: serve the scale world (the simulator child).
        #[arg(long, hide = true)]
        serve: bool,
        /// Internal: draw the first frame from the cache in DIR and exit (the cold-start child).
        #[arg(long, hide = true, value_name = "DIR")]
        first_frame: Option<PathBuf>,
        /// Internal: run the measured workloads with the session linked in DIR.
        #[arg(long, hide = true, value_name = "DIR", requires_all = ["ws", "http", "token"])]
        measure: Option<PathBuf>,
        /// Internal: the simulator's WebSocket URL (with --measure).
        #[arg(long, hide = true)]
        ws: Option<String>,
        /// Internal: the simulator's admin base URL (with --measure).
        #[arg(long, hide = true)]
        http: Option<String>,
        /// Internal: the simulator's admin token (with --measure).
        #[arg(long, hide = true)]
        token: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
