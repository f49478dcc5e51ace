//! Text dialogs (add participants, subject, description, join code, picture) and the
//! create-group form. The field is ratatui-textarea; errors show under it and keep the text.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::centered;
use super::frame::popup;
use crate::app::editor::Editor;
use crate::app::state::{AppState, CreateDialog, CreateKind, InputDialog, InputKind};
use crate::ui::Theme;

fn help_text(kind: &InputKind) -> &'static str {
    match kind {
        InputKind::AddParticipants => {
            "Numbers in international format (+1 555 000 1111) or ids (…@s.whatsapp.net, …@lid). \
             Several: separate with commas or paste a list, one per line."
        }
        InputKind::Subject => "The group's name, 1 to 100 characters.",
        InputKind::Description { .. } => {
            "Up to 2048 characters; Enter starts a new line. Empty deletes the description."
        }
        InputKind::JoinCode => {
            "An invite link (https://chat.whatsapp.com/…) or its code. You see the group before \
             joining."
        }
        InputKind::Picture => "Path of a JPEG image (WhatsApp shows it at 640x640).",
        InputKind::Command => {
            "audit [text]: the audit log, filtered · export audit|events|roster|requests \
             [csv|json] [group]: write a file under the data directory"
        }
    }
}

fn field(
    frame: &mut Frame,
    area: Rect,
    editor: &Editor,
    theme: &Theme,
    focused: bool,
    label: &str,
) {
    let mut area_widget = editor.area.clone();
    let style = if focused {
        theme.fg(theme.border_focused)
    } else {
        theme.fg(theme.border)
    };
    let count = match editor.max_chars {
        Some(max) => format!(" {}/{max} ", editor.chars()),
        None => String::new(),
    };
    area_widget.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(style)
            .title(format!(" {label} "))
            .title_bottom(Line::from(count).right_aligned()),
    );
    area_widget.set_cursor_line_style(ratatui::style::Style::default());
    if !focused {
        area_widget.set_cursor_style(ratatui::style::Style::default());
    }
    frame.render_widget(&area_widget, area);
}

fn error_line(error: &Option<String>, theme: &Theme) -> Line<'static> {
    match error {
        Some(e) => Line::styled(format!("✗ {e}"), theme.fg(theme.alert_error)),
        None => Line::raw(""),
    }
}

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, d: &InputDialog) {
    let multi = matches!(
        d.kind,
        InputKind::Description { .. } | InputKind::AddParticipants
    );
    let height = if multi { 16 } else { 11 };
    let area = centered(frame.area(), 72, height);
    let keys: &[(&str, &str)] = if matches!(d.kind, InputKind::Description { .. }) {
        &[("Ctrl-s", "save"), ("Esc", "cancel")]
    } else {
        &[("Enter", "send"), ("Esc", "cancel")]
    };
    let group = d
        .group
        .as_ref()
        .and_then(|g| state.groups.get(&d.session)?.iter().find(|x| &x.id == g))
        .map(|g| format!(" · {}", g.subject))
        .unwrap_or_default();
    let inner = popup(
        frame,
        area,
        theme,
        &format!("{}{group}", d.kind.title()),
        keys,
        false,
    );
    let [help, input, error] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(help_text(&d.kind))
            .style(theme.fg(theme.muted))
            .wrap(Wrap { trim: true }),
        help,
    );
    field(frame, input, &d.editor, theme, true, "text");
    frame.render_widget(
        Paragraph::new(error_line(&d.error, theme)).wrap(Wrap { trim: true }),
        error,
    );
}

pub fn draw_create(frame: &mut Frame, theme: &Theme, c: &CreateDialog) {
    let (title, height) = match &c.kind {
        CreateKind::Group => ("Create a group".to_string(), 24),
        CreateKind::Community => ("Create a community".to_string(), 16),
        CreateKind::Subgroup { name, .. } => (format!("New group in {name}"), 13),
    };
    let area = centered(frame.area(), 72, height);
    let inner = popup(
        frame,
        area,
        theme,
        &title,
        &[
            ("Tab", "next field"),
            ("Ctrl-s", "create"),
            ("Esc", "cancel"),
        ],
        false,
    );
    let fields = c.kind.fields();
    let shown = |f: usize| fields.contains(&f);
    let toggles_shown = fields.iter().filter(|f| **f >= 3).count();
    let [subject, participants, description, toggles, error] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(if shown(1) { 5 } else { 0 }),
        if shown(2) {
            Constraint::Min(3)
        } else {
            Constraint::Length(0)
        },
        Constraint::Length(u16::try_from(toggles_shown).unwrap_or(3)),
        Constraint::Length(2),
    ])
    .areas(inner);
    let name = if c.kind == CreateKind::Community {
        "Name"
    } else {
        "Subject"
    };
    field(frame, subject, &c.subject, theme, c.field == 0, name);
    if shown(1) {
        field(
            frame,
            participants,
            &c.participants,
            theme,
            c.field == 1,
            "Participants (numbers, one per line or comma separated)",
        );
    }
    if shown(2) {
        field(
            frame,
            description,
            &c.description,
            theme,
            c.field == 2,
            "Description (optional)",
        );
    }
    let toggle = |i: usize, on: bool, label: &str| {
        let style = if c.field == i {
            theme.selected()
        } else {
            theme.fg(theme.base)
        };
        Line::from(vec![
            Span::styled(
                if on { "[x] " } else { "[ ] " },
                style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(label.to_string(), style),
        ])
    };
    let lines: Vec<Line> = [
        (3, c.approval, "New members need admin approval"),
        (4, c.admins_only_send, "Only admins can send messages"),
        (5, c.admins_only_edit, "Only admins can edit group info"),
    ]
    .into_iter()
    .filter(|(i, _, _)| shown(*i))
    .map(|(i, on, label)| toggle(i, on, label))
    .collect();
    frame.render_widget(Paragraph::new(lines), toggles);
    frame.render_widget(
        Paragraph::new(error_line(&c.error, theme)).wrap(Wrap { trim: true }),
        error,
    );
}
