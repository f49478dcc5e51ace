//! The application model: state, messages, the pure reducer and the keymap.

pub mod editor;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod state;
pub mod update;

#[cfg(test)]
mod test_support;
