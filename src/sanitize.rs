//! Every string from the database passes through here before it is drawn or printed: control
//! characters, escape sequences and bidirectional overrides are shown inert, as visible
//! placeholders, so stored text can never move the cursor, retitle the window, write the
//! clipboard (OSC 52) or reorder what a person reads.

/// A drawable, inert copy of `s`.
pub fn inert(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{1b}' => out.push('␛'),
            '\t' => out.push(' '),
            '\n' | '\r' => out.push('⏎'),
            c if c.is_control() => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c if is_bidi_control(c) || is_invisible_format(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to `width` characters, with an ellipsis when something was cut, so a
/// clipped value (an address and port, a name) never reads as a different value.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Embedding, override and isolate controls, and the implicit marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Zero-width and other format characters that hide text or join it invisibly.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn fit_marks_what_it_cuts() {
        assert_eq!(super::fit("192.0.2.10:50122", 12), "192.0.2.10:…");
        assert_eq!(super::fit("short", 12), "short");
    }

    #[test]
    fn escapes_and_overrides_are_shown_not_obeyed() {
        let hostile = "Eve\x1b[2J\x1b]52;c;SGVsbG8=\x07 \u{202E}gnp.exe";
        let shown = inert(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert_eq!(shown, "Eve␛[2J␛]52;c;SGVsbG8=<U+0007> <U+202E>gnp.exe");
        assert_eq!(inert("Müller & Søn"), "Müller & Søn");
    }
}
