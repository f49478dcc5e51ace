//! Keys inside the moderation popups: text dialogs, settings, the create form, confirms, the
//! invite link, results and the join preview. Input is validated here, with a message that says
//! what to fix; nothing typed is lost on an error.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::moderation::{open_invite, start};
use super::parse::{parse_invite, parse_participants};
use super::{Action, Effect, Level, community, palette, status};
use crate::app::editor::Editor;
use crate::app::state::{
    AppState, Confirm, CreateDialog, CreateKind, InputDialog, InputKind, Popup, SETTINGS_ROWS,
    SettingsDialog, settings_changes,
};
use crate::domain::{GroupId, GroupSettings, SessionId};
use crate::ops::{Answer, DISAPPEARING, NewCommunity, NewGroup, Op};
use crate::ops::{DESCRIPTION_MAX, SUBJECT_MAX};

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn limit_message(kind: &InputKind) -> String {
    match kind {
        InputKind::Subject => format!("A subject has at most {SUBJECT_MAX} characters"),
        InputKind::Description { .. } => {
            format!("A description has at most {DESCRIPTION_MAX} characters")
        }
        _ => "That is too long".into(),
    }
}

pub fn input_key(state: &mut AppState, mut d: InputDialog, key: KeyEvent) -> Vec<Effect> {
    let multiline_kind = matches!(d.kind, InputKind::Description { .. });
    let submit = if multiline_kind {
        ctrl(&key, 's')
    } else {
        key.code == KeyCode::Enter || ctrl(&key, 's')
    };
    if key.code == KeyCode::Esc {
        state.popup = None;
        return Vec::new();
    }
    if submit {
        return submit_input(state, d);
    }
    let ok = if key.code == KeyCode::Enter {
        d.editor.newline()
    } else {
        d.editor.key(key)
    };
    d.error = (!ok).then(|| limit_message(&d.kind));
    state.popup = Some(Popup::Input(Box::new(d)));
    Vec::new()
}

fn submit_input(state: &mut AppState, mut d: InputDialog) -> Vec<Effect> {
    let text = d.editor.text();
    let session = d.session;
    let group = d.group.clone();
    let op = match &d.kind {
        InputKind::AddParticipants => parse_participants(&text).map(Op::Add),
        InputKind::Subject => {
            let subject = text.trim().to_string();
            if subject.is_empty() {
                Err("The subject cannot be empty".into())
            } else if subject.chars().count() > SUBJECT_MAX {
                Err(limit_message(&d.kind))
            } else if state
                .current_group_summary()
                .is_some_and(|g| g.subject == subject)
            {
                state.popup = None;
                status(state, "Subject unchanged: nothing sent", Level::Info);
                return Vec::new();
            } else {
                Ok(Op::SetSubject(subject))
            }
        }
        InputKind::Description { prev, .. } => {
            if text.chars().count() > DESCRIPTION_MAX {
                Err(limit_message(&d.kind))
            } else {
                Ok(Op::SetDescription {
                    text: text.trim_end().to_string(),
                    prev: prev.clone(),
                })
            }
        }
        InputKind::JoinCode => parse_invite(&text).map(Op::PreviewInvite),
        InputKind::Command => match palette::parse_command(&text) {
            Ok(cmd) => {
                state.popup = None;
                return palette::run_command(state, cmd);
            }
            Err(e) => Err(e),
        },
        InputKind::Picture => {
            let path = text.trim();
            if path.is_empty() {
                Err("Type the path of a JPEG image".into())
            } else {
                Ok(Op::SetPicture(path.into()))
            }
        }
    };
    match op {
        Ok(op) => {
            state.popup = None;
            start(state, session, group, op)
        }
        Err(e) => {
            d.error = Some(e);
            state.popup = Some(Popup::Input(Box::new(d)));
            Vec::new()
        }
    }
}

/// Pasted text goes into the open dialog's field.
pub fn paste(state: &mut AppState, text: &str) -> bool {
    match &mut state.popup {
        Some(Popup::Input(d)) => {
            let whole = d.editor.paste(text);
            d.error = (!whole).then(|| format!("Pasted text was cut: {}", limit_message(&d.kind)));
            true
        }
        Some(Popup::Create(c)) => {
            let editor = match c.field {
                0 => &mut c.subject,
                1 => &mut c.participants,
                2 => &mut c.description,
                _ => return true,
            };
            let whole = editor.paste(text);
            c.error = (!whole).then(|| "Pasted text was cut at WhatsApp's limit".to_string());
            true
        }
        _ => false,
    }
}

/// Rows of the settings popup.
fn cycle(s: &mut GroupSettings, row: usize, forward: bool) {
    match row {
        0 => s.announce = !s.announce,
        1 => s.locked = !s.locked,
        2 => s.approval = !s.approval,
        3 => s.admin_add_only = Some(!s.admin_add_only.unwrap_or(false)),
        _ => {
            let i = DISAPPEARING
                .iter()
                .position(|d| *d == s.ephemeral)
                .unwrap_or(0);
            let n = DISAPPEARING.len();
            let next = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            s.ephemeral = DISAPPEARING[next];
        }
    }
}

pub fn settings_key(state: &mut AppState, mut d: SettingsDialog, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            state.popup = None;
            return Vec::new();
        }
        KeyCode::Down | KeyCode::Char('j') => d.cursor = (d.cursor + 1).min(SETTINGS_ROWS - 1),
        KeyCode::Up | KeyCode::Char('k') => d.cursor = d.cursor.saturating_sub(1),
        KeyCode::Char(' ') | KeyCode::Right | KeyCode::Char('l') => {
            cycle(&mut d.draft, d.cursor, true)
        }
        KeyCode::Left | KeyCode::Char('h') => cycle(&mut d.draft, d.cursor, false),
        KeyCode::Enter => {
            let changes = settings_changes(&d);
            state.popup = None;
            if changes.is_empty() {
                status(state, "Settings unchanged: nothing sent", Level::Info);
                return Vec::new();
            }
            return changes
                .into_iter()
                .flat_map(|op| start(state, d.session, Some(d.group.clone()), op))
                .collect();
        }
        _ => {}
    }
    state.popup = Some(Popup::Settings(d));
    Vec::new()
}

pub fn create_key(state: &mut AppState, mut c: CreateDialog, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        state.popup = None;
        return Vec::new();
    }
    if ctrl(&key, 's') {
        return submit_create(state, c);
    }
    c.error = None;
    let fields = c.kind.fields();
    let at = fields.iter().position(|f| *f == c.field).unwrap_or(0);
    match key.code {
        KeyCode::Tab | KeyCode::Down if key.code == KeyCode::Tab || c.field >= 3 => {
            c.field = fields[(at + 1) % fields.len()];
        }
        KeyCode::BackTab | KeyCode::Up if key.code == KeyCode::BackTab || c.field >= 3 => {
            c.field = fields[(at + fields.len() - 1) % fields.len()];
        }
        KeyCode::Enter if c.field == 0 => c.field = fields[(at + 1) % fields.len()],
        KeyCode::Enter | KeyCode::Char(' ') if c.field >= 3 => match c.field {
            3 => c.approval = !c.approval,
            4 => c.admins_only_send = !c.admins_only_send,
            _ => c.admins_only_edit = !c.admins_only_edit,
        },
        _ if c.field < 3 => {
            let editor: &mut Editor = match c.field {
                0 => &mut c.subject,
                1 => &mut c.participants,
                _ => &mut c.description,
            };
            let ok = if key.code == KeyCode::Enter {
                editor.newline()
            } else {
                editor.key(key)
            };
            if !ok {
                c.error = Some(match c.field {
                    0 => format!("A subject has at most {SUBJECT_MAX} characters"),
                    _ => format!("A description has at most {DESCRIPTION_MAX} characters"),
                });
            }
        }
        _ => {}
    }
    state.popup = Some(Popup::Create(Box::new(c)));
    Vec::new()
}

fn submit_create(state: &mut AppState, mut c: CreateDialog) -> Vec<Effect> {
    let subject = c.subject.text().trim().to_string();
    let participants = c.participants.text();
    let result = if subject.is_empty() {
        c.field = 0;
        Err("The subject cannot be empty".to_string())
    } else if participants.trim().is_empty() {
        Ok(Vec::new())
    } else {
        parse_participants(&participants).inspect_err(|_| c.field = 1)
    };
    match result {
        Ok(participants) => {
            state.popup = None;
            let description = c.description.text().trim_end().to_string();
            let description = (!description.is_empty()).then_some(description);
            let group = NewGroup {
                subject,
                participants,
                description,
                approval: c.approval,
                admins_only_send: c.admins_only_send,
                admins_only_edit: c.admins_only_edit,
            };
            match c.kind {
                CreateKind::Group => start(state, c.session, None, Op::Create(group)),
                CreateKind::Community => {
                    let op = Op::CreateCommunity(NewCommunity {
                        name: group.subject,
                        description: group.description,
                        approval: group.approval,
                    });
                    start(state, c.session, None, op)
                }
                CreateKind::Subgroup { community, .. } => start(
                    state,
                    c.session,
                    Some(community),
                    Op::CreateSubgroup(NewGroup {
                        description: None,
                        ..group
                    }),
                ),
            }
        }
        Err(e) => {
            c.error = Some(e);
            state.popup = Some(Popup::Create(Box::new(c)));
            Vec::new()
        }
    }
}

/// `y` runs what the confirm asked about, `r` (in the unlink confirm) unlinks and removes the
/// orphaned members too; `n` or Esc cancel.
pub fn confirm_key(state: &mut AppState, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('r') if community::unlink_removing_orphans(&confirm).is_some() => {
            state.popup = None;
            match community::unlink_removing_orphans(&confirm) {
                Some(Confirm::Op {
                    session, group, op, ..
                }) => confirm_op(state, session, group, op),
                _ => Vec::new(),
            }
        }
        KeyCode::Char('y') | KeyCode::Char('Y') => {
            state.popup = None;
            match confirm {
                Confirm::Logout(s) => vec![Effect::Send(Action::Logout(s))],
                Confirm::RereadAll(s) => vec![Effect::Send(Action::Refresh(s))],
                Confirm::Quit => vec![Effect::Quit],
                Confirm::Op {
                    session, group, op, ..
                } => confirm_op(state, session, group, op),
            }
        }
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
            state.popup = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub fn confirm_op(
    state: &mut AppState,
    session: SessionId,
    group: Option<GroupId>,
    op: Op,
) -> Vec<Effect> {
    state.popup = None;
    if let (Op::RevokeInvite, Some(g)) = (&op, &group) {
        // Show the new link as soon as WhatsApp makes it.
        state.invite_links.remove(&(session, g.clone()));
        state.popup = Some(Popup::Invite {
            session,
            group: g.clone(),
            link: None,
            note: Some("Revoking: the old link stops working".into()),
        });
    }
    start(state, session, group, op)
}

pub fn invite_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Invite {
        session,
        group,
        link,
        ..
    }) = state.popup.clone()
    else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => state.popup = None,
        KeyCode::Char('c') | KeyCode::Char('y') => match link {
            Some(link) => {
                status(state, "Invite link copied to the clipboard", Level::Info);
                return vec![Effect::Copy(link)];
            }
            None => status(state, "The link has not arrived yet", Level::Error),
        },
        KeyCode::Char('R') => {
            let g = state
                .groups
                .get(&session)
                .and_then(|gs| gs.iter().find(|g| g.id == group))
                .cloned();
            if let Some(g) = g {
                state.popup = Some(Popup::Confirm(Confirm::Op {
                    session,
                    group: Some(g.id),
                    op: Op::RevokeInvite,
                    names: Vec::new(),
                }));
            }
        }
        _ => {}
    }
    Vec::new()
}

pub fn result_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Result { report, scroll }) = state.popup.clone() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('o') => {
            state.popup = None
        }
        KeyCode::Down | KeyCode::Char('j') => {
            state.popup = Some(Popup::Result {
                scroll: (scroll + 1).min(report.targets.len().saturating_sub(1)),
                report,
            })
        }
        KeyCode::Up | KeyCode::Char('k') => {
            state.popup = Some(Popup::Result {
                scroll: scroll.saturating_sub(1),
                report,
            })
        }
        KeyCode::Char('i') if report.privacy_invite() => {
            if let Some(g) = report.target_group() {
                let who: Vec<String> = report
                    .targets
                    .iter()
                    .filter(|t| {
                        matches!(t.outcome, crate::ops::Outcome::PrivacyBlocked { .. })
                            || t.not_added_on_create()
                    })
                    .map(|t| t.display().to_string())
                    .collect();
                let note = format!(
                    "Their privacy settings block adds: send this link to {}",
                    who.join(", ")
                );
                return open_invite(state, report.session, g, Some(note));
            }
        }
        _ => {}
    }
    Vec::new()
}

pub fn preview_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Preview { session, preview }) = state.popup.clone() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
            state.popup = None;
            match preview {
                Answer::Preview { code, .. } => start(state, session, None, Op::Join(code)),
                _ => Vec::new(),
            }
        }
        KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') => {
            state.popup = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub fn conflict_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::DescriptionConflict {
        session,
        group,
        text,
    }) = state.popup.clone()
    else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Char('r') | KeyCode::Enter => {
            // Reopen the editor with our text; the reload brings the new version token, which
            // `Update::Group` puts into the open dialog.
            let prev = state
                .groups
                .get(&session)
                .and_then(|gs| gs.iter().find(|g| g.id == group))
                .and_then(|g| g.description_id.clone());
            state.popup = Some(Popup::Input(Box::new(InputDialog {
                kind: InputKind::Description {
                    prev,
                    reloading: true,
                },
                session,
                group: Some(group.clone()),
                editor: Editor::multi(&text).limit(DESCRIPTION_MAX),
                error: Some(
                    "Reloaded: someone changed it meanwhile. Ctrl-s saves yours over theirs".into(),
                ),
            })));
            vec![Effect::Send(Action::Reread { session, group })]
        }
        KeyCode::Esc | KeyCode::Char('n') => {
            state.popup = None;
            status(state, "Your description was discarded", Level::Info);
            Vec::new()
        }
        _ => Vec::new(),
    }
}
