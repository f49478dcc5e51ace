//! Colours by meaning (atuin-style slots), so panes never hard-code a colour.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub base: Color,
    pub muted: Color,
    pub title: Color,
    pub border: Color,
    pub border_focused: Color,
    pub selection: Color,
    pub marked: Color,
    pub alert_info: Color,
    pub alert_error: Color,
    pub role_member: Color,
    pub role_admin: Color,
    pub role_superadmin: Color,
    pub status_online: Color,
    pub status_connecting: Color,
    pub status_offline: Color,
    pub status_pairing: Color,
    pub status_logged_out: Color,
    pub pending_badge: Color,
    pub community: Color,
    /// Monochrome: styles use modifiers only.
    pub plain: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self::dark()
    }
}

impl Theme {
    pub fn dark() -> Self {
        Self {
            base: Color::Gray,
            muted: Color::DarkGray,
            title: Color::White,
            border: Color::DarkGray,
            border_focused: Color::Cyan,
            selection: Color::Indexed(237),
            marked: Color::Yellow,
            alert_info: Color::Cyan,
            alert_error: Color::LightRed,
            role_member: Color::Gray,
            role_admin: Color::Yellow,
            role_superadmin: Color::LightMagenta,
            status_online: Color::LightGreen,
            status_connecting: Color::Yellow,
            status_offline: Color::LightRed,
            status_pairing: Color::Cyan,
            status_logged_out: Color::DarkGray,
            pending_badge: Color::LightYellow,
            community: Color::LightBlue,
            plain: false,
        }
    }

    pub fn light() -> Self {
        Self {
            base: Color::Black,
            muted: Color::Gray,
            title: Color::Black,
            border: Color::Gray,
            border_focused: Color::Blue,
            selection: Color::Indexed(254),
            marked: Color::Magenta,
            alert_info: Color::Blue,
            alert_error: Color::Red,
            role_member: Color::DarkGray,
            role_admin: Color::Indexed(130),
            role_superadmin: Color::Magenta,
            status_online: Color::Green,
            status_connecting: Color::Indexed(130),
            status_offline: Color::Red,
            status_pairing: Color::Blue,
            status_logged_out: Color::Gray,
            pending_badge: Color::Indexed(166),
            community: Color::Blue,
            plain: false,
        }
    }

    /// For `NO_COLOR`: no colours, emphasis by bold/reverse only.
    pub fn monochrome() -> Self {
        let r = Color::Reset;
        Self {
            base: r,
            muted: r,
            title: r,
            border: r,
            border_focused: r,
            selection: r,
            marked: r,
            alert_info: r,
            alert_error: r,
            role_member: r,
            role_admin: r,
            role_superadmin: r,
            status_online: r,
            status_connecting: r,
            status_offline: r,
            status_pairing: r,
            status_logged_out: r,
            pending_badge: r,
            community: r,
            plain: true,
        }
    }

    /// A built-in theme by its config name: `dark`, `light` or `monochrome`.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "dark" => Some(Self::dark()),
            "light" => Some(Self::light()),
            "monochrome" => Some(Self::monochrome()),
            _ => None,
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Color> {
        Some(match name {
            "base" => &mut self.base,
            "muted" => &mut self.muted,
            "title" => &mut self.title,
            "border" => &mut self.border,
            "border_focused" => &mut self.border_focused,
            "selection" => &mut self.selection,
            "marked" => &mut self.marked,
            "alert_info" => &mut self.alert_info,
            "alert_error" => &mut self.alert_error,
            "role_member" => &mut self.role_member,
            "role_admin" => &mut self.role_admin,
            "role_superadmin" => &mut self.role_superadmin,
            "status_online" => &mut self.status_online,
            "status_connecting" => &mut self.status_connecting,
            "status_offline" => &mut self.status_offline,
            "status_pairing" => &mut self.status_pairing,
            "status_logged_out" => &mut self.status_logged_out,
            "pending_badge" => &mut self.pending_badge,
            "community" => &mut self.community,
            _ => return None,
        })
    }

    /// Applies `[theme.colors]`; each bad entry is reported by name and skipped.
    pub fn with_overrides(mut self, overrides: &BTreeMap<String, String>) -> (Self, Vec<String>) {
        let mut errors = Vec::new();
        for (slot, value) in overrides {
            let parsed = value.parse::<Color>();
            match (self.slot(slot), parsed) {
                (None, _) => errors.push(format!("theme.colors.{slot}: unknown colour slot")),
                (Some(_), Err(_)) => {
                    errors.push(format!("theme.colors.{slot}: \"{value}\" is not a colour"))
                }
                (Some(c), Ok(color)) => *c = color,
            }
        }
        (self, errors)
    }

    pub fn fg(&self, c: Color) -> Style {
        if self.plain {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn selected(&self) -> Style {
        if self.plain {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(self.selection)
                .add_modifier(Modifier::BOLD)
        }
    }

    pub fn role(&self, role: crate::domain::Role) -> Style {
        use crate::domain::Role;
        let c = match role {
            Role::Member => self.role_member,
            Role::Admin => self.role_admin,
            Role::SuperAdmin => self.role_superadmin,
        };
        let s = self.fg(c);
        if role.is_admin() {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_errors_name_the_slot() {
        let mut o = BTreeMap::new();
        o.insert("role_admin".to_string(), "#ff8800".to_string());
        o.insert("nope".to_string(), "red".to_string());
        o.insert("muted".to_string(), "not-a-colour".to_string());
        let (t, errors) = Theme::dark().with_overrides(&o);
        assert_eq!(t.role_admin, Color::Rgb(255, 136, 0));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("theme.colors.nope")));
        assert!(errors.iter().any(|e| e.contains("theme.colors.muted")));
    }
}
