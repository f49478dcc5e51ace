//! Text from strangers (group subjects, descriptions, push names) reaches the screen as it was
//! sent. Bidi controls would make the terminal reorder the rest of a row (an `U+202E` in a
//! subject turns the columns after it around), and zero-width characters can make a subject look
//! empty or like another. ratatui gives them no column and keeps them inside the previous
//! cell, so the terminal still obeys them; after each frame is drawn they are taken out of
//! every cell, popups and all.

use ratatui::buffer::Buffer;

/// Characters that steer or hide text without taking a column: bidi embeddings, overrides,
/// isolates and marks; zero-width spaces and joiners; the word joiner, invisible operators and
/// the byte-order mark.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    ) || c.is_control()
}

/// `text` without hidden characters.
pub fn visible(text: &str) -> String {
    text.chars().filter(|c| !is_hidden(*c)).collect()
}

/// Takes hidden characters out of every cell of a drawn frame.
pub fn scrub(buf: &mut Buffer) {
    for cell in &mut buf.content {
        let symbol = cell.symbol();
        if symbol.chars().any(is_hidden) {
            let clean = visible(symbol);
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn bidi_and_zero_width_characters_leave_the_cells() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(
            0,
            0,
            "ab\u{202E}cd\u{200B}e\u{2066}",
            ratatui::style::Style::default(),
        );
        scrub(&mut buf);
        let row: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(row, "abcde       ");
        assert_eq!(visible("\u{200B}\u{200D}"), "");
        assert!(!is_hidden('字') && !is_hidden('😀') && !is_hidden(' '));
    }
}
