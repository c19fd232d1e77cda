//! Text from data (a CHW's note, a server's words) made safe to print on a terminal: a
//! control character in a correction could clear a staff member's screen or fake a message,
//! so each one is shown escaped (`\u{1b}`), the rest as it is. The CLI and the server's
//! staff commands print through this.

/// `text` with its control characters escaped.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Unicode's explicit direction controls: not control characters, but they reorder what a
/// terminal shows after them, so a note could make a line read as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(printable("ok \u{1b}[2Jgone"), "ok \\u{1b}[2Jgone");
        assert_eq!(printable("line\nnext"), "line\\nnext");
        assert_eq!(printable("Kliniki São José"), "Kliniki São José");
        assert_eq!(printable("C1 \u{9b}2J"), "C1 \\u{9b}2J");
        assert_eq!(printable("abc\u{202E}fed"), "abc\\u{202e}fed");
    }
}
