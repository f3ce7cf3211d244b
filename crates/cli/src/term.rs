//! Text that reaches a terminal. User-supplied text (a scenario's name or description, a
//! chain's name, a path, a value quoted back in an error) may hold control characters: ESC
//! sequences would recolour or rewrite the screen, CR and LF would forge extra lines. They are
//! shown escaped instead, as the HTML report escapes markup.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) written as an escape: `\n`, `\r`, `\t`,
/// `\e` for ESC, `\u{9b}` for the rest. Other text is returned as is.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(safe("plain — text"), "plain — text");
        assert_eq!(safe("a\u{1b}[31mred\nb\r\t"), "a\\e[31mred\\nb\\r\\t");
        assert_eq!(safe("\u{7f}\u{9b}\0"), "\\u{7f}\\u{9b}\\u{0}");
    }
}
