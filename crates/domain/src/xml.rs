//! Text that goes into an XML or HTML document (the Word report, its printable HTML,
//! REFI-QDA projects): the markup characters escaped, and the characters XML 1.0 cannot
//! hold at all (control characters other than tab, line feed and carriage return, and
//! U+FFFE/U+FFFF) dropped. Such a character can arrive in an interview transcript or an
//! imported answer; kept, it makes Word refuse to open the whole file.

/// `s` as XML text or attribute value.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 can hold `c` (its `Char` production; Rust's `char` has no surrogates).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_escaped_and_impossible_characters_dropped() {
        assert_eq!(super::text("a<b>&\"c\u{1}\u{b}\u{1f}\u{fffe}"), "a&lt;b&gt;&amp;&quot;c");
        assert_eq!(super::text("第一行\n\t第二行\r"), "第一行\n\t第二行\r");
        assert_eq!(super::text("“三会一课”😀"), "“三会一课”😀");
    }
}
