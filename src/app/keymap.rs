//! Keys -> commands, per context. The single source of truth for the help overlay and the status
//! bar: both are generated from the live keymap, so user overrides show everywhere.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Pane contexts are tried before `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Sessions,
    Groups,
    Roster,
    Requests,
    Events,
}

impl Context {
    pub const ALL: [Context; 6] = [
        Context::Global,
        Context::Sessions,
        Context::Groups,
        Context::Roster,
        Context::Requests,
        Context::Events,
    ];
    /// The name used in the config file (`[keys.groups]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Sessions => "sessions",
            Context::Groups => "groups",
            Context::Roster => "roster",
            Context::Requests => "requests",
            Context::Events => "events",
        }
    }
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Sessions => "Sessions",
            Context::Groups => "Groups",
            Context::Roster => "Roster",
            Context::Requests => "Join requests",
            Context::Events => "Events",
        }
    }
}

macro_rules! commands {
    ($($variant:ident = $name:literal : $desc:literal,)+) => {
        /// Everything a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Command { $($variant,)+ }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$variant,)+];
            /// The name used in the config file.
            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name,)+ }
            }
            /// One line for help and the status bar.
            pub fn desc(self) -> &'static str {
                match self { $(Command::$variant => $desc,)+ }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

commands! {
    Quit = "quit": "quit",
    ForceQuit = "force-quit": "quit now",
    Help = "help": "help",
    Palette = "palette": "command (:audit, :export …)",
    Inbox = "inbox": "inbox: every pending join request",
    NextPane = "next-pane": "next pane",
    PrevPane = "prev-pane": "previous pane",
    FocusSessions = "focus-sessions": "sessions pane",
    FocusGroups = "focus-groups": "groups pane",
    FocusRoster = "focus-roster": "roster pane",
    FocusRequests = "focus-requests": "join requests pane",
    FocusEvents = "focus-events": "events pane",
    Down = "down": "move down",
    Up = "up": "move up",
    PageDown = "page-down": "page down",
    PageUp = "page-up": "page up",
    Top = "top": "go to top",
    Bottom = "bottom": "go to bottom",
    Open = "open": "open",
    Filter = "filter": "filter the list",
    Back = "back": "close / clear filter",
    Mark = "mark": "mark row",
    Refresh = "refresh": "re-read this group / reconnect",
    RereadAll = "reread-all": "re-read every group (confirm)",
    CancelUnsent = "cancel-unsent": "cancel writes not sent yet",
    NewSession = "new-session": "new session (QR)",
    PairPhone = "pair-phone": "pair by phone code",
    Logout = "logout": "log out session",
    CycleSort = "sort": "sort by name/size/pending",
    AddParticipants = "add": "add participants",
    RemoveParticipants = "remove": "remove (confirm)",
    Promote = "promote": "promote to admin",
    Demote = "demote": "demote to member",
    Approve = "approve": "approve request",
    Reject = "reject": "reject request (confirm)",
    ApproveAll = "approve-all": "approve all requests (confirm)",
    CreateGroup = "create-group": "create a group",
    EditSubject = "edit-subject": "edit subject",
    EditDescription = "edit-description": "edit description",
    Settings = "settings": "group settings",
    InviteLink = "invite-link": "invite link and QR",
    RevokeInvite = "revoke-invite": "revoke invite link (confirm)",
    JoinGroup = "join": "join by link or code",
    LeaveGroup = "leave": "leave group (confirm)",
    SetPicture = "set-picture": "set group picture (JPEG)",
    RemovePicture = "remove-picture": "remove group picture (confirm)",
    LastResult = "last-result": "show the last result",
    History = "history": "history of all groups (again: live)",
    GroupHistory = "group-history": "history of the selected group",
    Fold = "fold": "fold / unfold the community",
    FoldAll = "fold-all": "fold / unfold every community",
    CreateCommunity = "create-community": "create a community",
    CreateSubgroup = "create-subgroup": "new group in this community",
    LinkGroups = "link-groups": "link groups into this community",
    UnlinkGroup = "unlink": "unlink this subgroup (confirm)",
    Deactivate = "deactivate": "deactivate the community (confirm)",
}

/// A key with modifiers, as written in config (`"ctrl-c"`, `"G"`, `"tab"`, `"shift-tab"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }
    pub const fn plain(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    /// Does a terminal key event press this chord? (`G` arrives as Char('G') with SHIFT on most
    /// terminals, without it on others.)
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        // Shift is part of the key itself for characters and BackTab.
        let norm = |m: KeyModifiers, code: KeyCode| match code {
            KeyCode::Char(_) | KeyCode::BackTab => m - KeyModifiers::SHIFT,
            _ => m,
        };
        ev.code == self.code && norm(ev.modifiers, ev.code) == norm(self.mods, self.code)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let l = rest.to_ascii_lowercase();
            if let Some(r) = l.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = l.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if l.starts_with("shift-") && l.len() > 6 && l != "shift-" {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key \"{lower}\"")),
                }
            }
        };
        Ok(Self { code, mods })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: KeyChord,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    /// The default keys of design.md (a contract: docs, help and tests rely on it).
    fn default() -> Self {
        use Command as C;
        use Context as X;
        let ctrl = |c| KeyChord::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let key = |code| KeyChord::new(code, KeyModifiers::NONE);
        let p = KeyChord::plain;
        let table: Vec<(Context, KeyChord, Command)> = vec![
            (X::Global, p('q'), C::Quit),
            (X::Global, ctrl('c'), C::ForceQuit),
            (X::Global, p('?'), C::Help),
            (X::Global, p(':'), C::Palette),
            (X::Global, p('I'), C::Inbox),
            (X::Global, key(KeyCode::Tab), C::NextPane),
            (X::Global, key(KeyCode::BackTab), C::PrevPane),
            (X::Global, p('1'), C::FocusSessions),
            (X::Global, p('2'), C::FocusGroups),
            (X::Global, p('3'), C::FocusRoster),
            (X::Global, p('4'), C::FocusRequests),
            (X::Global, p('5'), C::FocusEvents),
            (X::Global, p('j'), C::Down),
            (X::Global, key(KeyCode::Down), C::Down),
            (X::Global, p('k'), C::Up),
            (X::Global, key(KeyCode::Up), C::Up),
            (X::Global, key(KeyCode::PageDown), C::PageDown),
            (X::Global, ctrl('d'), C::PageDown),
            (X::Global, key(KeyCode::PageUp), C::PageUp),
            (X::Global, ctrl('u'), C::PageUp),
            (X::Global, p('g'), C::Top),
            (X::Global, key(KeyCode::Home), C::Top),
            (X::Global, p('G'), C::Bottom),
            (X::Global, key(KeyCode::End), C::Bottom),
            (X::Global, key(KeyCode::Enter), C::Open),
            (X::Global, p('/'), C::Filter),
            (X::Global, key(KeyCode::Esc), C::Back),
            (X::Global, p(' '), C::Mark),
            (X::Global, p('r'), C::Refresh),
            (X::Global, ctrl('r'), C::RereadAll),
            (X::Global, ctrl('x'), C::CancelUnsent),
            (X::Sessions, p('n'), C::NewSession),
            (X::Sessions, p('P'), C::PairPhone),
            (X::Sessions, p('L'), C::Logout),
            (X::Global, p('o'), C::LastResult),
            (X::Events, p('h'), C::History),
            (X::Events, p('H'), C::GroupHistory),
            (X::Groups, p('s'), C::CycleSort),
            (X::Groups, p('C'), C::CreateGroup),
            (X::Groups, p('e'), C::EditSubject),
            (X::Groups, p('E'), C::EditDescription),
            (X::Groups, p('S'), C::Settings),
            (X::Groups, p('i'), C::InviteLink),
            (X::Groups, p('R'), C::RevokeInvite),
            (X::Groups, p('J'), C::JoinGroup),
            (X::Groups, p('l'), C::LeaveGroup),
            (X::Groups, p('p'), C::SetPicture),
            (X::Groups, p('D'), C::RemovePicture),
            (X::Groups, p('z'), C::Fold),
            (X::Groups, p('Z'), C::FoldAll),
            (X::Groups, p('N'), C::CreateCommunity),
            (X::Groups, p('B'), C::CreateSubgroup),
            (X::Groups, p('L'), C::LinkGroups),
            (X::Groups, p('U'), C::UnlinkGroup),
            (X::Groups, p('X'), C::Deactivate),
            (X::Roster, p('a'), C::AddParticipants),
            (X::Roster, p('x'), C::RemoveParticipants),
            (X::Roster, p('+'), C::Promote),
            (X::Roster, p('-'), C::Demote),
            (X::Requests, p('a'), C::Approve),
            (X::Requests, p('x'), C::Reject),
            (X::Requests, p('A'), C::ApproveAll),
        ];
        Self {
            bindings: table
                .into_iter()
                .map(|(context, key, command)| Binding {
                    context,
                    key,
                    command,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The command `ev` triggers in `ctx` (pane bindings first, then global ones).
    pub fn lookup(&self, ctx: Context, ev: &KeyEvent) -> Option<Command> {
        let find = |c: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == c && b.key.matches(ev))
                .map(|b| b.command)
        };
        if ctx != Context::Global
            && let Some(cmd) = find(ctx)
        {
            return Some(cmd);
        }
        find(Context::Global)
    }

    /// Every command bound in `ctx` with all its keys, in definition order.
    pub fn entries(&self, ctx: Context) -> Vec<(Vec<KeyChord>, Command)> {
        let mut out: Vec<(Vec<KeyChord>, Command)> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.context == ctx) {
            match out.iter_mut().find(|(_, c)| *c == b.command) {
                Some((keys, _)) => keys.push(b.key),
                None => out.push((vec![b.key], b.command)),
            }
        }
        out
    }

    /// The keys of a command as shown to the user ("j/↓"), looking in `ctx` then globally.
    pub fn keys_label(&self, ctx: Context, cmd: Command) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.command == cmd && (b.context == ctx || b.context == Context::Global))
            .map(|b| b.key.to_string())
            .collect();
        keys.join("/")
    }

    /// Applies config overrides: `context -> command name -> keys`. Each listed command gets
    /// exactly the listed keys in that context (replacing its defaults there). Unknown
    /// contexts, commands or keys are reported and skipped; the rest still applies.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    ) -> Vec<String> {
        let mut errors = Vec::new();
        for (ctx_name, commands) in overrides {
            let Some(ctx) = Context::from_name(ctx_name) else {
                errors.push(format!("keys.{ctx_name}: unknown section"));
                continue;
            };
            for (cmd_name, keys) in commands {
                let Some(cmd) = Command::from_name(cmd_name) else {
                    errors.push(format!("keys.{ctx_name}.{cmd_name}: unknown command"));
                    continue;
                };
                let mut parsed = Vec::new();
                for k in keys {
                    match KeyChord::parse(k) {
                        Ok(chord) => parsed.push(chord),
                        Err(e) => errors.push(format!("keys.{ctx_name}.{cmd_name}: {e}")),
                    }
                }
                if parsed.is_empty() && !keys.is_empty() {
                    continue;
                }
                self.bindings
                    .retain(|b| !(b.context == ctx && b.command == cmd));
                // A key can do one thing per context: the override wins.
                self.bindings
                    .retain(|b| !(b.context == ctx && parsed.contains(&b.key)));
                self.bindings.extend(parsed.into_iter().map(|key| Binding {
                    context: ctx,
                    key,
                    command: cmd,
                }));
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_follow_design() {
        let km = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.lookup(Context::Groups, &ev(KeyCode::Char('q'), none)),
            Some(Command::Quit)
        );
        assert_eq!(
            km.lookup(
                Context::Groups,
                &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Command::ForceQuit)
        );
        assert_eq!(
            km.lookup(
                Context::Sessions,
                &ev(KeyCode::Char('P'), KeyModifiers::SHIFT)
            ),
            Some(Command::PairPhone)
        );
        assert_eq!(
            km.lookup(Context::Groups, &ev(KeyCode::Char('P'), none)),
            None
        );
        assert_eq!(
            km.lookup(Context::Roster, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Command::PrevPane)
        );
        assert_eq!(
            km.lookup(Context::Roster, &ev(KeyCode::Char('G'), none)),
            Some(Command::Bottom)
        );
    }

    #[test]
    fn parse_and_display_round_trip() {
        for text in [
            "ctrl-c",
            "G",
            "tab",
            "shift-tab",
            "space",
            "f1",
            "alt-x",
            "enter",
            "?",
        ] {
            let chord = KeyChord::parse(text).expect(text);
            let again = KeyChord::parse(&chord.to_string().replace("Shift-Tab", "shift-tab"));
            assert!(
                again.is_ok() || chord.to_string().starts_with(['↑', '↓']),
                "{text}"
            );
        }
        assert!(KeyChord::parse("hyper-q").is_err());
        assert!(KeyChord::parse("").is_err());
    }

    #[test]
    fn overrides_replace_and_report() {
        let mut km = Keymap::default();
        let mut o = BTreeMap::new();
        o.insert(
            "global".to_string(),
            BTreeMap::from([
                ("help".to_string(), vec!["f1".to_string()]),
                ("bogus".to_string(), vec!["x".to_string()]),
            ]),
        );
        o.insert("nowhere".to_string(), BTreeMap::new());
        let errors = km.apply_overrides(&o);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("bogus")));
        assert!(errors.iter().any(|e| e.contains("nowhere")));
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.lookup(Context::Groups, &ev(KeyCode::F(1), none)),
            Some(Command::Help)
        );
        assert_eq!(
            km.lookup(Context::Groups, &ev(KeyCode::Char('?'), none)),
            None
        );
        assert_eq!(km.keys_label(Context::Groups, Command::Help), "F1");
    }
}
