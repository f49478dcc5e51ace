//! The reducer: `update(state, msg) -> effects`. Pure: no I/O, no clock (time arrives as
//! `Msg::Tick`). Keys go to the open popup first, then to an active filter line, then through
//! the keymap of the focused pane.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{Command, Context};
use super::msg::{Effect, Msg};
use super::state::{
    AppState, Confirm, EVENTS_CAP, InputDialog, InputKind, Level, Pairing, Pane, Popup, StatusLine,
};
use crate::domain::{ConnState, GroupId, GroupSummary, SessionId};
use crate::protocol::{Action, Update};

/// How long a status line stays up, in seconds.
const STATUS_SECS: i64 = 8;

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => {
            on_paste(state, &text);
            Vec::new()
        }
        Msg::Scroll(lines) if state.popup.is_none() => {
            let cmd = if lines > 0 {
                Command::Down
            } else {
                Command::Up
            };
            (0..lines.unsigned_abs())
                .flat_map(|_| command(state, cmd))
                .collect()
        }
        Msg::Scroll(_) => Vec::new(),
        Msg::Click(x, y) if state.popup.is_none() => click(state, x, y),
        Msg::Click(..) => Vec::new(),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            state.now = now;
            if state.status.as_ref().is_some_and(|s| s.until < now) {
                state.status = None;
            }
            state.paused.retain(|_, until| *until > now);
            Vec::new()
        }
        Msg::EngineBatch(updates) => {
            state.deferred = Some(crate::app::state::Fixups::default());
            let mut effects = Vec::new();
            for u in crate::protocol::without_superseded(updates) {
                effects.extend(on_engine(state, u));
            }
            if let Some(f) = state.deferred.take() {
                if f.reselect {
                    reselect_group(state);
                }
                for pane in Pane::ALL {
                    if f.clamp[pane.index()] {
                        clamp(state, pane);
                    }
                }
            }
            effects
        }
    }
}

fn status(state: &mut AppState, text: impl Into<String>, level: Level) {
    state.status = Some(StatusLine {
        text: text.into(),
        level,
        until: state.now + STATUS_SECS,
    });
}

// ---- keys --------------------------------------------------------------------------------

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    // Ctrl-c always quits, whatever has the keyboard.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return vec![Effect::Quit];
    }
    if state.popup.is_some() {
        return popup_key(state, key);
    }
    if state.list(state.focus).filtering {
        return filter_key(state, key);
    }
    match state.keymap.lookup(state.focus.context(), &key) {
        Some(cmd) => command(state, cmd),
        None => Vec::new(),
    }
}

fn popup_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(popup) = state.popup.clone() else {
        return Vec::new();
    };
    match popup {
        Popup::Help { scroll } => {
            let cmd = state.keymap.lookup(Context::Global, &key);
            match cmd {
                Some(Command::Down) => state.popup = Some(Popup::Help { scroll: scroll + 1 }),
                Some(Command::Up) => {
                    state.popup = Some(Popup::Help {
                        scroll: scroll.saturating_sub(1),
                    })
                }
                Some(Command::Back | Command::Help | Command::Quit) => state.popup = None,
                _ => {}
            }
            Vec::new()
        }
        Popup::Confirm(confirm) => match key.code {
            KeyCode::Char('r') if community::unlink_removing_orphans(&confirm).is_some() => {
                state.popup = None;
                match community::unlink_removing_orphans(&confirm) {
                    Some(Confirm::Op {
                        session, group, op, ..
                    }) => dialogs::confirm_op(state, session, group, op),
                    _ => Vec::new(),
                }
            }
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                state.popup = None;
                match confirm {
                    Confirm::Logout(s) => vec![Effect::Send(Action::Logout(s))],
                    Confirm::Quit => vec![Effect::Quit],
                    Confirm::Op {
                        session, group, op, ..
                    } => dialogs::confirm_op(state, session, group, op),
                }
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                state.popup = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Popup::Pairing {
            session,
            state: pairing,
        } => pairing_key(state, session, pairing, key),
        Popup::Input(d) => dialogs::input_key(state, *d, key),
        Popup::Settings(d) => dialogs::settings_key(state, d, key),
        Popup::Create(c) => dialogs::create_key(state, *c, key),
        Popup::Link(p) => community::picker_key(state, p, key),
        Popup::Invite { .. } => dialogs::invite_key(state, key),
        Popup::Result { .. } => dialogs::result_key(state, key),
        Popup::Preview { .. } => dialogs::preview_key(state, key),
        Popup::DescriptionConflict { .. } => dialogs::conflict_key(state, key),
        Popup::Audit { .. } => dialogs::audit_key(state, key),
    }
}

fn pairing_key(
    state: &mut AppState,
    session: SessionId,
    pairing: Pairing,
    key: KeyEvent,
) -> Vec<Effect> {
    let set = |state: &mut AppState, p: Pairing| {
        state.popup = Some(Popup::Pairing { session, state: p });
    };
    match (pairing, key.code) {
        (Pairing::EnterPhone { .. }, KeyCode::Esc) => {
            // Back to the QR code (the engine keeps showing fresh ones).
            set(state, Pairing::Waiting);
            Vec::new()
        }
        (_, KeyCode::Esc) => {
            state.popup = None;
            vec![Effect::Send(Action::CancelPairing(session))]
        }
        (Pairing::EnterPhone { mut input, .. }, KeyCode::Enter) => match normalize_phone(&input) {
            Ok(phone) => {
                set(
                    state,
                    Pairing::RequestingCode {
                        phone: phone.clone(),
                    },
                );
                vec![Effect::Send(Action::PairWithPhone { session, phone })]
            }
            Err(error) => {
                input = input.trim().to_string();
                set(
                    state,
                    Pairing::EnterPhone {
                        input,
                        error: Some(error),
                    },
                );
                Vec::new()
            }
        },
        (Pairing::EnterPhone { mut input, .. }, KeyCode::Backspace) => {
            input.pop();
            set(state, Pairing::EnterPhone { input, error: None });
            Vec::new()
        }
        (Pairing::EnterPhone { mut input, .. }, KeyCode::Char(c))
            if (c.is_ascii_digit() || "+ -()".contains(c)) && input.len() < 24 =>
        {
            input.push(c);
            set(state, Pairing::EnterPhone { input, error: None });
            Vec::new()
        }
        (Pairing::Waiting | Pairing::Qr { .. }, KeyCode::Char('P' | 'p')) => {
            set(
                state,
                Pairing::EnterPhone {
                    input: String::new(),
                    error: None,
                },
            );
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// International format: optional `+`, spaces/dashes/brackets allowed, 8-15 digits. Returns the
/// digits.
pub fn normalize_phone(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Type the phone number in international format, e.g. +1 555 000 1111".into());
    }
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if body.contains('+') {
        return Err("Only one leading + is allowed".into());
    }
    let digits: String = body.chars().filter(|c| c.is_ascii_digit()).collect();
    if body
        .chars()
        .any(|c| !(c.is_ascii_digit() || " -()".contains(c)))
    {
        return Err("Only digits, spaces, dashes and brackets".into());
    }
    if digits.starts_with('0') {
        return Err("Start with the country code, not 0 (e.g. +44 7700 900123)".into());
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(format!(
            "{} digits: a number in international format has 8 to 15",
            digits.len()
        ));
    }
    Ok(digits)
}

/// A key on the filter line; the selection follows the narrowed list (and loads what it shows).
fn filter_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let pane = state.focus;
    match key.code {
        KeyCode::Esc => {
            let list = state.list_mut(pane);
            list.filter.clear();
            list.filtering = false;
        }
        KeyCode::Enter => state.list_mut(pane).filtering = false,
        KeyCode::Backspace => {
            state.list_mut(pane).filter.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            state.list_mut(pane).filter.push(c);
        }
        _ => return Vec::new(),
    }
    let list = state.list_mut(pane);
    list.cursor = 0;
    list.offset = 0;
    follow_cursor(state)
}

fn page(state: &AppState) -> usize {
    // Roughly the rows a list shows; the view keeps the cursor visible anyway.
    usize::from(state.size.1 / 3).max(3)
}

fn command(state: &mut AppState, cmd: Command) -> Vec<Effect> {
    if let Some(effects) = moderation::command(state, cmd) {
        return effects;
    }
    if let Some(effects) = community::command(state, cmd) {
        return effects;
    }
    let mut effects = command_inner(state, cmd);
    effects.extend(next_history_page(state));
    effects
}

/// Near the end of the loaded history, the next page is asked for (once at a time).
fn next_history_page(state: &mut AppState) -> Vec<Effect> {
    if state.focus != Pane::Events {
        return Vec::new();
    }
    let cursor = state.list(Pane::Events).cursor;
    let rows = state.row_count(Pane::Events);
    let Some(h) = &mut state.history else {
        return Vec::new();
    };
    if h.loading || h.exhausted || cursor + page_rows() < rows {
        return Vec::new();
    }
    h.loading = true;
    vec![Effect::Send(Action::LoadHistory {
        group: h.group.clone(),
        before: h.rows.last().map(|(id, _)| *id),
    })]
}

/// How close to the end of the loaded history the next page is fetched.
fn page_rows() -> usize {
    50
}

fn command_inner(state: &mut AppState, cmd: Command) -> Vec<Effect> {
    let pane = state.focus;
    let rows = state.row_count(pane);
    let moved = |state: &mut AppState, to: usize| {
        let list = state.list_mut(pane);
        list.cursor = to.min(rows.saturating_sub(1));
        follow_cursor(state)
    };
    let cursor = state.list(pane).cursor;
    match cmd {
        Command::Quit if !state.ops.is_empty() => {
            state.popup = Some(Popup::Confirm(Confirm::Quit));
            Vec::new()
        }
        Command::Quit | Command::ForceQuit => vec![Effect::Quit],
        Command::Help => {
            state.popup = Some(Popup::Help { scroll: 0 });
            Vec::new()
        }
        Command::NextPane | Command::PrevPane => {
            let i = pane.index();
            let next = if cmd == Command::NextPane {
                (i + 1) % 5
            } else {
                (i + 4) % 5
            };
            state.focus = Pane::ALL[next];
            Vec::new()
        }
        Command::FocusSessions => focus(state, Pane::Sessions),
        Command::FocusGroups => focus(state, Pane::Groups),
        Command::FocusRoster => focus(state, Pane::Roster),
        Command::FocusRequests => focus(state, Pane::Requests),
        Command::FocusEvents => focus(state, Pane::Events),
        Command::History | Command::GroupHistory if pane == Pane::Events => {
            let group = if cmd == Command::GroupHistory {
                state.current_group.clone()
            } else {
                None
            };
            let list = state.list_mut(Pane::Events);
            list.cursor = 0;
            list.offset = 0;
            if state.history.as_ref().is_some_and(|h| h.group == group) {
                state.history = None;
                return Vec::new();
            }
            state.history = Some(super::state::HistoryView {
                group: group.clone(),
                loading: true,
                ..Default::default()
            });
            vec![Effect::Send(Action::LoadHistory {
                group,
                before: None,
            })]
        }
        Command::Down => moved(state, cursor + 1),
        Command::Up => moved(state, cursor.saturating_sub(1)),
        Command::PageDown => {
            let p = page(state);
            moved(state, cursor + p)
        }
        Command::PageUp => {
            let p = page(state);
            moved(state, cursor.saturating_sub(p))
        }
        Command::Top => moved(state, 0),
        Command::Bottom => moved(state, rows.saturating_sub(1)),
        Command::Open => {
            match pane {
                Pane::Sessions => state.focus = Pane::Groups,
                Pane::Groups => {
                    if let Some(effects) = community::open_row(state) {
                        return effects;
                    }
                    state.focus = Pane::Roster
                }
                _ => {}
            }
            Vec::new()
        }
        Command::Filter => {
            state.list_mut(pane).filtering = true;
            Vec::new()
        }
        Command::Back => {
            let list = state.list_mut(pane);
            if !list.filter.is_empty() {
                list.filter.clear();
                list.cursor = 0;
                return follow_cursor(state);
            }
            list.marked.clear();
            Vec::new()
        }
        Command::Mark => {
            if let Some(id) = row_id(state, pane, cursor) {
                let marked = &mut state.list_mut(pane).marked;
                if !marked.remove(&id) {
                    marked.insert(id);
                }
            }
            moved(state, cursor + 1)
        }
        Command::Refresh => match state.current_session {
            Some(s) => vec![Effect::Send(Action::Refresh(s))],
            None => Vec::new(),
        },
        Command::NewSession => vec![Effect::Send(Action::NewSession)],
        Command::PairPhone => {
            let pairing = state
                .sessions
                .get(state.list(Pane::Sessions).cursor)
                .filter(|s| s.conn == ConnState::Pairing)
                .map(|s| s.id);
            match pairing {
                Some(session) => {
                    state.popup = Some(Popup::Pairing {
                        session,
                        state: Pairing::EnterPhone {
                            input: String::new(),
                            error: None,
                        },
                    });
                    Vec::new()
                }
                None => {
                    state.pair_by_phone_next = true;
                    vec![Effect::Send(Action::NewSession)]
                }
            }
        }
        Command::Logout => {
            if let Some(s) = state.sessions.get(state.list(Pane::Sessions).cursor) {
                state.popup = Some(Popup::Confirm(Confirm::Logout(s.id)));
            }
            Vec::new()
        }
        Command::CycleSort => {
            state.group_sort = state.group_sort.next();
            reselect_group(state);
            Vec::new()
        }
        // Moderation commands were handled above.
        _ => Vec::new(),
    }
}

/// Focus the pane under the pointer and put the cursor on the clicked row. Uses the view's
/// layout function, so clicks land where the rows are drawn.
fn click(state: &mut AppState, x: u16, y: u16) -> Vec<Effect> {
    let screen = ratatui::layout::Rect::new(0, 0, state.size.0, state.size.1);
    let areas = crate::app::layout::areas(screen);
    let hit = [
        (Pane::Sessions, areas.sessions),
        (Pane::Groups, areas.groups),
        (Pane::Roster, areas.roster),
        (Pane::Requests, areas.requests),
        (Pane::Events, areas.events),
    ]
    .into_iter()
    .find(|(_, r)| r.contains(ratatui::layout::Position::new(x, y)));
    let Some((pane, area)) = hit else {
        return Vec::new();
    };
    state.focus = pane;
    // Rows start below the border and, in tabular panes, a header line.
    let header = u16::from(matches!(pane, Pane::Groups | Pane::Roster | Pane::Requests));
    let first_row = area.y + 1 + header;
    let height = usize::from(area.height.saturating_sub(2 + header));
    if y < first_row || y >= area.y + area.height.saturating_sub(1) {
        return Vec::new();
    }
    let rows = state.row_count(pane);
    let list = state.list(pane);
    let start = crate::app::layout::window_start(rows, list.cursor, list.offset, height);
    let row = start + usize::from(y - first_row);
    if row >= rows {
        return Vec::new();
    }
    let list = state.list_mut(pane);
    list.cursor = row;
    list.offset = start;
    follow_cursor(state)
}

fn focus(state: &mut AppState, pane: Pane) -> Vec<Effect> {
    state.focus = pane;
    Vec::new()
}

/// The id marks are kept by: participant or requester JID.
fn row_id(state: &AppState, pane: Pane, cursor: usize) -> Option<String> {
    match pane {
        Pane::Roster => state.visible_roster().get(cursor).map(|p| p.jid.clone()),
        Pane::Requests => state.visible_requests().get(cursor).map(|r| r.jid.clone()),
        _ => None,
    }
}

/// Selection follows the cursor: the sessions cursor picks the session, the groups cursor the
/// group; a newly selected group's roster and requests are loaded.
fn follow_cursor(state: &mut AppState) -> Vec<Effect> {
    match state.focus {
        Pane::Sessions => {
            let s = state
                .sessions
                .get(state.list(Pane::Sessions).cursor)
                .map(|s| s.id);
            if s != state.current_session {
                state.current_session = s;
                state.current_group = None;
                state.list_mut(Pane::Groups).cursor = 0;
                return select_group_at_cursor(state);
            }
            Vec::new()
        }
        Pane::Groups => select_group_at_cursor(state),
        _ => Vec::new(),
    }
}

fn select_group_at_cursor(state: &mut AppState) -> Vec<Effect> {
    let cursor = state.list(Pane::Groups).cursor;
    let picked = state.group_rows().get(cursor).map(|r| {
        (
            r.group.id.clone(),
            r.group.my_role.is_some_and(|r| r.is_admin()),
            r.joined,
        )
    });
    let Some((id, admin, joined)) = picked else {
        return Vec::new();
    };
    if state.current_group.as_ref() == Some(&id) {
        return Vec::new();
    }
    state.current_group = Some(id.clone());
    for pane in [Pane::Roster, Pane::Requests] {
        let list = state.list_mut(pane);
        list.marked.clear();
        list.cursor = 0;
        list.offset = 0;
    }
    let Some(session) = state.current_session else {
        return Vec::new();
    };
    // A subgroup we are not in has no roster to load (Enter offers to join it).
    if !joined {
        return Vec::new();
    }
    load_group(session, id, admin)
}

/// What opening a group we are in asks the engine for: its roster, and its join requests if
/// we are an admin (WhatsApp shows them to admins only).
fn load_group(session: SessionId, group: GroupId, admin: bool) -> Vec<Effect> {
    let mut out = vec![Effect::Send(Action::LoadRoster {
        session,
        group: group.clone(),
    })];
    if admin {
        out.push(Effect::Send(Action::LoadRequests { session, group }));
    }
    out
}

/// The selected group of `session`, if we are in it (a community's subgroup we are not in is
/// listed, but has no roster to show).
fn selected_joined(state: &AppState, session: SessionId) -> Option<&GroupSummary> {
    if state.current_session != Some(session) {
        return None;
    }
    let id = state.current_group.as_ref()?;
    state.groups.get(&session)?.iter().find(|g| &g.id == id)
}

/// We just joined the selected group (a subgroup joined from the tree): load it, as selecting
/// a joined group does. The engine only sends the rosters the UI asked for, and the
/// notification of our own join brings just us.
fn on_joined_selected(state: &AppState, session: SessionId, was: bool) -> Vec<Effect> {
    match selected_joined(state, session) {
        Some(g) if !was => load_group(
            session,
            g.id.clone(),
            g.my_role.is_some_and(|r| r.is_admin()),
        ),
        _ => Vec::new(),
    }
}

/// After the group list or its order changed: keep the cursor on the selected group.
fn reselect_group(state: &mut AppState) {
    if let Some(f) = state.deferred.as_mut() {
        f.reselect = true;
        return;
    }
    let idx = state
        .current_group
        .as_ref()
        .and_then(|id| state.visible_groups().iter().position(|g| &g.id == id));
    let rows = state.row_count(Pane::Groups);
    let list = state.list_mut(Pane::Groups);
    match idx {
        Some(i) => list.cursor = i,
        None => list.cursor = list.cursor.min(rows.saturating_sub(1)),
    }
}

/// A live change to a shown list unmarks the rows it removes; true if the list is shown.
fn unmark_if_shown(
    state: &mut AppState,
    pane: Pane,
    session: SessionId,
    group: &GroupId,
    removed: &[String],
) -> bool {
    let shown =
        state.current_session == Some(session) && state.current_group.as_ref() == Some(group);
    if shown && !removed.is_empty() {
        state.list_mut(pane).marked.retain(|m| !removed.contains(m));
    }
    shown
}

fn clamp(state: &mut AppState, pane: Pane) {
    if let Some(f) = state.deferred.as_mut() {
        f.clamp[pane.index()] = true;
        return;
    }
    let rows = state.row_count(pane);
    let list = state.list_mut(pane);
    list.cursor = list.cursor.min(rows.saturating_sub(1));
}

fn on_paste(state: &mut AppState, text: &str) {
    if dialogs::paste(state, text) {
        return;
    }
    if let Some(Popup::Pairing {
        session,
        state: Pairing::EnterPhone { input, .. },
    }) = &state.popup
    {
        let mut input = input.clone();
        input.extend(
            text.chars()
                .filter(|c| c.is_ascii_digit() || "+ -()".contains(*c))
                .take(24),
        );
        state.popup = Some(Popup::Pairing {
            session: *session,
            state: Pairing::EnterPhone { input, error: None },
        });
        return;
    }
    let pane = state.focus;
    if state.list(pane).filtering {
        state
            .list_mut(pane)
            .filter
            .extend(text.chars().filter(|c| !c.is_control()));
    }
}

// ---- engine updates ---------------------------------------------------------------------

fn on_engine(state: &mut AppState, u: Update) -> Vec<Effect> {
    match u {
        Update::Session { id, phone, name } => {
            match state.sessions.iter_mut().find(|s| s.id == id) {
                Some(s) => {
                    if phone.is_some() {
                        s.phone = phone;
                    }
                    if name.is_some() {
                        s.name = name;
                    }
                }
                None => {
                    state.sessions.push(super::state::SessionView {
                        id,
                        phone,
                        name,
                        conn: ConnState::Connecting,
                        cached_since: None,
                    });
                    state.sessions.sort_by_key(|s| s.id);
                }
            }
            if state.current_session.is_none() {
                state.current_session = Some(id);
            }
            Vec::new()
        }
        Update::SessionRemoved(id) => {
            state.sessions.retain(|s| s.id != id);
            state.groups.remove(&id);
            state.rosters.retain(|(s, _), _| *s != id);
            state.requests.retain(|(s, _), _| *s != id);
            if matches!(&state.popup, Some(Popup::Pairing { session, .. }) if *session == id) {
                state.popup = None;
            }
            if state.current_session == Some(id) {
                state.current_session = state.sessions.first().map(|s| s.id);
                state.current_group = None;
            }
            clamp(state, Pane::Sessions);
            clamp(state, Pane::Groups);
            Vec::new()
        }
        Update::Conn {
            session,
            state: conn,
        } => {
            if matches!(conn, ConnState::Connected | ConnState::LoggedOut)
                && matches!(&state.popup, Some(Popup::Pairing { session: s, .. }) if *s == session)
            {
                state.popup = None;
            }
            if conn == ConnState::LoggedOut {
                status(
                    state,
                    format!("Session {session} was logged out"),
                    Level::Error,
                );
            }
            if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
                s.conn = conn;
            }
            Vec::new()
        }
        Update::Qr {
            session,
            code,
            valid_secs,
        } => {
            let expires_at = state.now + i64::try_from(valid_secs).unwrap_or(60);
            let keep_phone_flow = matches!(
                &state.popup,
                Some(Popup::Pairing { session: s, state: p }) if *s == session
                    && matches!(p, Pairing::EnterPhone { .. } | Pairing::RequestingCode { .. } | Pairing::Code { .. })
            );
            if keep_phone_flow {
                return Vec::new();
            }
            let other_popup = state.popup.is_some()
                && !matches!(&state.popup, Some(Popup::Pairing { session: s, .. }) if *s == session);
            if other_popup {
                return Vec::new();
            }
            let pairing = if std::mem::take(&mut state.pair_by_phone_next) {
                Pairing::EnterPhone {
                    input: String::new(),
                    error: None,
                }
            } else {
                Pairing::Qr { code, expires_at }
            };
            state.popup = Some(Popup::Pairing {
                session,
                state: pairing,
            });
            Vec::new()
        }
        Update::PairCode { session, code } => {
            let phone = match &state.popup {
                Some(Popup::Pairing {
                    state: Pairing::RequestingCode { phone },
                    ..
                }) => phone.clone(),
                _ => String::new(),
            };
            state.popup = Some(Popup::Pairing {
                session,
                state: Pairing::Code { phone, code },
            });
            Vec::new()
        }
        Update::Cached { session, synced_at } => {
            if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
                s.cached_since = Some(synced_at);
            }
            Vec::new()
        }
        Update::Groups { session, groups } => {
            if let Some(s) = state.sessions.iter_mut().find(|s| s.id == session) {
                s.cached_since = None;
            }
            let was = selected_joined(state, session).is_some();
            state.groups.insert(session, groups);
            if state.current_session == Some(session) {
                if state.current_group.is_none() {
                    return select_group_at_cursor(state);
                }
                reselect_group(state);
            }
            on_joined_selected(state, session, was)
        }
        Update::Group { session, group } => {
            // After a conflict, the reloaded group brings the description's newest version
            // token to the reopened editor (only then: otherwise a stale edit must fail).
            if let Some(Popup::Input(d)) = &mut state.popup
                && let InputDialog {
                    kind: InputKind::Description { prev, reloading },
                    session: s,
                    group: Some(g),
                    ..
                } = &mut **d
                && *reloading
                && *s == session
                && *g == group.id
            {
                prev.clone_from(&group.description_id);
                *reloading = false;
            }
            // Only the selected group's own row can make it one we are in.
            let was = state.current_group.as_ref() != Some(&group.id)
                || selected_joined(state, session).is_some();
            let list = state.groups.entry(session).or_default();
            match list.iter_mut().find(|g| g.id == group.id) {
                Some(g) => *g = group,
                None => list.push(group),
            }
            if state.current_session == Some(session) {
                reselect_group(state);
            }
            on_joined_selected(state, session, was)
        }
        Update::GroupGone { session, group } => {
            if let Some(list) = state.groups.get_mut(&session) {
                list.retain(|g| g.id != group);
            }
            state.rosters.remove(&(session, group.clone()));
            state.requests.remove(&(session, group.clone()));
            if state.current_session == Some(session)
                && state.current_group.as_ref() == Some(&group)
            {
                state.current_group = None;
                clamp(state, Pane::Groups);
                let focus = state.focus;
                state.focus = Pane::Groups;
                let out = select_group_at_cursor(state);
                state.focus = focus;
                return out;
            }
            Vec::new()
        }
        Update::Roster {
            session,
            group,
            participants,
        } => {
            // Marks belong to the shown roster; another group's update leaves them alone.
            if state.current_session == Some(session)
                && state.current_group.as_ref() == Some(&group)
            {
                let ids: std::collections::HashSet<&str> =
                    participants.iter().map(|p| p.jid.as_str()).collect();
                state
                    .list_mut(Pane::Roster)
                    .marked
                    .retain(|m| ids.contains(m.as_str()));
            }
            state.rosters.insert((session, group), participants);
            clamp(state, Pane::Roster);
            Vec::new()
        }
        Update::RosterChanged {
            session,
            group,
            upsert,
            removed,
        } => {
            let shown = unmark_if_shown(state, Pane::Roster, session, &group, &removed);
            let roster = state.rosters.entry((session, group)).or_default();
            crate::keyed_list::apply_delta(roster, upsert, &removed);
            if shown {
                clamp(state, Pane::Roster);
            }
            Vec::new()
        }
        Update::RequestsChanged {
            session,
            group,
            added,
            removed,
        } => {
            let shown = unmark_if_shown(state, Pane::Requests, session, &group, &removed);
            let list = state.requests.entry((session, group)).or_default();
            list.apply(added, &removed);
            if shown {
                clamp(state, Pane::Requests);
            }
            Vec::new()
        }
        Update::Subgroups {
            session,
            community,
            subgroups,
        } => {
            state.subgroups.insert((session, community), subgroups);
            reselect_group(state);
            Vec::new()
        }
        Update::CommunityMembers {
            session,
            community,
            participants,
        } => {
            state
                .community_members
                .insert((session, community), participants);
            clamp(state, Pane::Roster);
            Vec::new()
        }
        Update::Requests {
            session,
            group,
            requests,
        } => {
            if state.current_session == Some(session)
                && state.current_group.as_ref() == Some(&group)
            {
                let ids: std::collections::HashSet<&str> =
                    requests.iter().map(|r| r.jid.as_str()).collect();
                state
                    .list_mut(Pane::Requests)
                    .marked
                    .retain(|m| ids.contains(m.as_str()));
            }
            state.requests.insert((session, group), requests.into());
            clamp(state, Pane::Requests);
            Vec::new()
        }
        Update::Event(e) => {
            state.events.push_back(e);
            if state.events.len() > EVENTS_CAP {
                state.events.pop_front();
            }
            // Newest are shown first: keep a scrolled-away cursor on the same event.
            let live = state.history.is_none();
            let list = state.list_mut(Pane::Events);
            if live && list.cursor > 0 && list.filter.is_empty() {
                list.cursor += 1;
            }
            clamp(state, Pane::Events);
            Vec::new()
        }
        Update::OpProgress { id, done, total } => {
            moderation::on_progress(state, id, done, total);
            Vec::new()
        }
        Update::OpDone(report) => moderation::on_done(state, *report),
        Update::Paused { session, until } => {
            state.paused.insert(session, until);
            Vec::new()
        }
        Update::History { group, rows } => {
            if let Some(h) = &mut state.history
                && h.group == group
            {
                h.exhausted = rows.len() < crate::protocol::HISTORY_PAGE;
                h.loading = false;
                h.rows.extend(rows);
            }
            Vec::new()
        }
        Update::Audit(all) => {
            if let Some(Popup::Audit { rows, .. }) = &mut state.popup {
                *rows = Some(all);
            }
            Vec::new()
        }
        // Never forwarded to the UI; nothing to show if it were.
        Update::CacheRoster { .. } => Vec::new(),
        Update::Notice { text } => {
            status(state, text, Level::Info);
            Vec::new()
        }
        Update::Error { message, .. } => {
            status(state, message, Level::Error);
            Vec::new()
        }
    }
}

pub mod community;
pub mod dialogs;
pub mod moderation;

pub use dialogs::{parse_invite, parse_participants};

#[cfg(test)]
mod community_tests;
#[cfg(test)]
mod moderation_tests;
#[cfg(test)]
mod tests;
