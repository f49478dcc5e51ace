//! A text field for dialogs: ratatui-textarea underneath (editing keys, multi-line, paste), with
//! the equality the reducer's state needs (content and cursor).

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

#[derive(Clone, Debug, Default)]
pub struct Editor {
    pub area: TextArea<'static>,
    /// Enter inserts a newline (descriptions, pasted number lists) instead of submitting.
    pub multiline: bool,
    /// Characters allowed in total (WhatsApp's limits); further input is refused.
    pub max_chars: Option<usize>,
}

impl PartialEq for Editor {
    fn eq(&self, other: &Self) -> bool {
        self.area.lines() == other.area.lines()
            && self.area.cursor() == other.area.cursor()
            && self.multiline == other.multiline
    }
}
impl Eq for Editor {}

impl Editor {
    pub fn single(text: &str) -> Self {
        Self::with(text, false)
    }
    pub fn multi(text: &str) -> Self {
        Self::with(text, true)
    }
    fn with(text: &str, multiline: bool) -> Self {
        let lines: Vec<String> = if text.is_empty() {
            vec![String::new()]
        } else {
            text.lines().map(str::to_string).collect()
        };
        let mut area = TextArea::new(lines);
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Self {
            area,
            multiline,
            max_chars: None,
        }
    }
    pub fn limit(mut self, max: usize) -> Self {
        self.max_chars = Some(max);
        self
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }
    pub fn chars(&self) -> usize {
        let lines = self.area.lines();
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    }

    /// Feeds an editing key. Returns false when the key would go past the limit.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        let before = self.area.clone();
        self.area.input(key);
        if self.max_chars.is_some_and(|m| self.chars() > m) {
            self.area = before;
            return false;
        }
        true
    }

    pub fn newline(&mut self) -> bool {
        if self.max_chars.is_some_and(|m| self.chars() + 1 > m) {
            return false;
        }
        self.area.insert_newline();
        true
    }

    /// Inserts pasted text (newlines kept in multi-line fields, else turned into spaces).
    /// Returns false when it had to be cut at the limit.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = if self.multiline {
            text
        } else {
            text.replace('\n', " ")
        };
        let room = self
            .max_chars
            .map_or(usize::MAX, |m| m.saturating_sub(self.chars()));
        let cut: String = text.chars().take(room).collect();
        let whole = cut.chars().count() == text.chars().count();
        self.area.insert_str(cut);
        whole
    }
}
