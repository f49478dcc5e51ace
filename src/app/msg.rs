//! The messages into the reducer, and the effects it asks for.

use ratatui::crossterm::event::KeyEvent;

use crate::protocol::{Action, Update};

/// Everything the reducer reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    /// Mouse wheel over the terminal: positive = down.
    Scroll(i8),
    /// Left click at (column, row): focuses the pane there and selects the row.
    Click(u16, u16),
    /// Terminal size changed (columns, rows).
    Resize(u16, u16),
    /// Clock tick: unix seconds now.
    Tick(i64),
    /// Engine updates as the UI loop drains them (`EngineHandle::next_batch`): up to a batch at
    /// once, and the list fixups run once, after all of them.
    EngineBatch(Vec<Update>),
}

/// What the reducer asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Action),
    /// Put text on the clipboard (OSC 52, so it works over SSH too).
    Copy(String),
    Quit,
}
