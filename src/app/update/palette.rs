//! The command palette (`:`): a line such as `audit alice` or `export roster json`, parsed and
//! run when submitted from its input dialog.

use super::{Action, Effect, Level, status};
use crate::app::editor::Editor;
use crate::app::state::{AppState, InputDialog, InputKind, Popup};
use crate::protocol::{Filter, Format, Table};

/// A parsed `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    Audit(String),
    Inbox,
    Export {
        table: Table,
        format: Format,
        group: Option<String>,
    },
}

/// `:` opens the palette's input line.
pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    let session = state.current_session.unwrap_or_default();
    state.popup = Some(Popup::Input(Box::new(InputDialog {
        kind: InputKind::Command,
        session,
        group: None,
        editor: Editor::single("").limit(200),
        error: None,
    })));
    Vec::new()
}

pub fn parse_command(text: &str) -> Result<PaletteCommand, String> {
    let mut words = text.trim().trim_start_matches(':').split_whitespace();
    match words.next() {
        Some("audit") => Ok(PaletteCommand::Audit(words.collect::<Vec<_>>().join(" "))),
        Some("inbox") => Ok(PaletteCommand::Inbox),
        Some("export") => parse_export(words),
        Some(other) => Err(format!(
            "unknown command \"{other}\": try audit, inbox, or export audit csv"
        )),
        None => Err("type a command: audit, or export audit csv".into()),
    }
}

/// `export TABLE [csv|json] [GROUP...]`, after the word `export`.
fn parse_export<'a>(mut words: impl Iterator<Item = &'a str>) -> Result<PaletteCommand, String> {
    let table = match words.next() {
        Some("audit") => Table::Audit,
        Some("events") => Table::Events,
        Some("roster") => Table::Roster,
        Some("requests") => Table::Requests,
        other => {
            return Err(format!(
                "export what? audit, events, roster or requests (not {})",
                other.unwrap_or("nothing")
            ));
        }
    };
    let mut format = Format::Csv;
    let mut group = Vec::new();
    for w in words {
        match w {
            "csv" => format = Format::Csv,
            "json" => format = Format::Json,
            other => group.push(other),
        }
    }
    Ok(PaletteCommand::Export {
        table,
        format,
        group: (!group.is_empty()).then(|| group.join(" ")),
    })
}

pub(super) fn run_command(state: &mut AppState, cmd: PaletteCommand) -> Vec<Effect> {
    match cmd {
        PaletteCommand::Inbox => super::inbox::open(state),
        PaletteCommand::Audit(filter) => {
            state.popup = Some(Popup::Audit {
                filter,
                rows: None,
                scroll: 0,
            });
            vec![Effect::Send(Action::LoadAudit)]
        }
        PaletteCommand::Export {
            table,
            format,
            group,
        } => {
            // Roster and requests default to the selected group; the logs to everything.
            let group = group.or_else(|| {
                matches!(table, Table::Roster | Table::Requests)
                    .then(|| state.current_group.as_ref().map(|g| g.to_string()))
                    .flatten()
            });
            status(state, "Exporting…", Level::Info);
            vec![Effect::Send(Action::Export {
                table,
                format,
                filter: Filter {
                    session: None,
                    group,
                },
            })]
        }
    }
}
