//! Mojibake: UTF-8 text that was once decoded as Windows-1252 (or Latin-1) and saved again.
//!
//! `—` becomes `â€”`, `’` becomes `â€™`, `é` becomes `Ã©`, `✅` becomes `âœ…`, `🚨` becomes
//! `ðŸš¨`. The damage is reversible whenever every character of such a sequence maps back to
//! one Windows-1252 byte and those bytes form exactly one valid UTF-8 character: that is the
//! only case repaired here, so ordinary accented text (`café`, `naïve`, `São Paulo`) is never
//! touched.

/// One repaired sequence, located in the text *before* repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Repair {
    /// 0-based line.
    pub line: usize,
    /// 0-based column, in characters, of the first damaged character (before repair).
    pub col: usize,
    /// The damaged characters as they were (e.g. `â€™`).
    pub damaged: String,
    /// The character they stand for (e.g. `’`).
    pub repaired: char,
}

impl Repair {
    /// How many characters the repair removed from its line.
    pub fn chars_removed(&self) -> usize {
        self.damaged.chars().count() - 1
    }
}

/// Repairs every unambiguous mojibake sequence in `text`.
///
/// Returns `None` when nothing needed repair (the common case, so no copy is made).
pub(super) fn repair(text: &str) -> Option<(String, Vec<Repair>)> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut repairs = Vec::new();
    // Start of the text not yet copied to `out`.
    let mut copied = 0;
    // Line bookkeeping, advanced lazily up to `scanned`.
    let (mut line, mut line_start, mut scanned) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        // Every damaged sequence starts with a character in Â..ô (U+00C2..U+00F4), whose
        // UTF-8 encoding starts with byte 0xC3: skip straight to the next one.
        match memchr::memchr(0xC3, &bytes[i..]) {
            Some(k) => i += k,
            None => break,
        }
        let Some(decoded) = decode_at(&text[i..]) else {
            i += 1;
            continue;
        };
        for (k, b) in bytes[scanned..i].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = scanned + k + 1;
            }
        }
        scanned = i;
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..i]);
        buf.push(decoded.ch);
        repairs.push(Repair {
            line,
            col: text[line_start..i].chars().count(),
            damaged: text[i..i + decoded.bytes].to_string(),
            repaired: decoded.ch,
        });
        i += decoded.bytes;
        copied = i;
    }
    let mut buf = out?;
    buf.push_str(&text[copied..]);
    Some((buf, repairs))
}

struct Decoded {
    ch: char,
    /// Bytes of the damaged characters it replaces.
    bytes: usize,
}

/// Decodes the damaged sequence at the start of `text`, if there is one.
fn decode_at(text: &str) -> Option<Decoded> {
    let mut chars = text.chars();
    let lead = cp1252_byte(chars.next()?)?;
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    let mut consumed = 2; // the lead character is U+00C2..U+00F4: two bytes
    for slot in bytes.iter_mut().take(len).skip(1) {
        let c = chars.next()?;
        let b = cp1252_byte(c)?;
        if !(0x80..=0xBF).contains(&b) {
            return None;
        }
        *slot = b;
        consumed += c.len_utf8();
    }
    let s = std::str::from_utf8(&bytes[..len]).ok()?;
    let ch = s.chars().next()?;
    // A C1 control character is never what an author meant.
    if ('\u{80}'..='\u{9f}').contains(&ch) {
        return None;
    }
    Some(Decoded {
        ch,
        bytes: consumed,
    })
}

/// The byte a character stands for when UTF-8 was misread as Windows-1252 (or Latin-1,
/// whose C1 controls fill the five holes of Windows-1252).
fn cp1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if (0x80..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> String {
        repair(s).map(|(t, _)| t).unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn repairs_common_sequences() {
        let cases = [
            ("Roll back â€” now", "Roll back — now"),
            ("Itâ€™s done", "It’s done"),
            ("cafÃ©", "café"),
            ("âœ… ROLLBACK COMPLETED", "✅ ROLLBACK COMPLETED"),
            ("## ðŸš¨ Emergency", "## 🚨 Emergency"),
            ("â€œquotedâ€\u{9d}", "“quoted”"),
            ("20Â°C", "20°C"),
        ];
        for (damaged, want) in cases {
            assert_eq!(fixed(damaged), want, "repairing {damaged:?}");
        }
    }

    #[test]
    fn leaves_real_accented_text_alone() {
        for text in [
            "café",
            "naïve",
            "São Paulo",
            "Ünïcödé",
            "plain ascii",
            "emoji ✅ 🚨",
            "Ã",
        ] {
            assert!(repair(text).is_none(), "{text:?} must not change");
        }
    }

    #[test]
    fn reports_positions_before_repair() {
        let (text, repairs) = repair("ok\nab Ã© cd â€™\n").expect("has mojibake");
        assert_eq!(text, "ok\nab é cd ’\n");
        assert_eq!(repairs.len(), 2);
        assert_eq!((repairs[0].line, repairs[0].col), (1, 3));
        assert_eq!(repairs[0].damaged, "Ã©");
        assert_eq!((repairs[1].line, repairs[1].col), (1, 9));
        assert_eq!(repairs[1].repaired, '’');
        assert_eq!(repairs[1].chars_removed(), 2);
    }
}
