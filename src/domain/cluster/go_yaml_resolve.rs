//! Which strings go-yaml v2 would read back as something other than a string, so that
//! [`super::go_yaml`] quotes them: sigs.k8s.io/yaml v1.4.0 `goyaml.v2/resolve.go`
//! (`resolve`: the bool/null/float names, ints in Go's base-0 syntax, YAML-style floats,
//! `0b` binaries, timestamps) and `encode.go` (`isBase60Float`, quoted for old parsers).

/// go-yaml v2 `resolve("", s)` gives `!!str`.
pub fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    let Some(first) = s.bytes().next() else {
        return false;
    };
    let hint = match first {
        b'+' | b'-' | b'0'..=b'9' => 'D',
        b'.' => '.',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'<' => 'M',
        _ => return true,
    };
    if SPECIAL.contains(&s) {
        return false;
    }
    match hint {
        // `strconv.ParseFloat` of `.5`, `.5e3`.
        '.' => !is_yaml_style_float(s),
        'D' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            !(go_parse_int(&plain) || is_yaml_style_float(&plain) || is_binary_int(&plain))
        }
        _ => true,
    }
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds (ranges aside: an
/// out-of-range decimal is still a YAML float).
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (o, 8)
    } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (b, 2)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    !digits.is_empty()
        && digits.chars().all(|c| c.is_digit(radix))
        && u64::from_str_radix(digits, radix).is_ok()
}

fn is_binary_int(s: &str) -> bool {
    let digits = s.strip_prefix("0b").or(s.strip_prefix("-0b"));
    digits.is_some_and(|d| !d.is_empty() && d.chars().all(|c| c == '0' || c == '1'))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (num, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let num_ok = match num.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    num_ok && exp_ok
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
pub fn is_base60_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
        return false;
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or_default();
    if !head.starts_with(|c: char| c.is_ascii_digit())
        || !head.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    let mut any = false;
    for p in parts {
        any = true;
        let b = p.as_bytes();
        let ok = match b {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    any
}

/// A YAML timestamp go-yaml would read back (`parseTimestamp`): `YYYY-M-D`, optionally
/// followed by `T`/`t`/space and `H:M:S[.frac]` and, after `T`, a zone (`Z` or `±HH:MM`).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(i) => (&rest[..i], Some((rest.as_bytes()[i], &rest[i + 1..]))),
        None => (rest, None),
    };
    let Some((m, d)) = date.split_once('-') else {
        return false;
    };
    if !small_number(m, 1, 12) || !small_number(d, 1, 31) {
        return false;
    }
    let Some((sep, time)) = time else {
        return true;
    };
    let (clock, zone) = if sep == b' ' {
        (time, None)
    } else if let Some(c) = time.strip_suffix(['Z']) {
        (c, Some(""))
    } else {
        match time.rfind(['+', '-']) {
            Some(i) => (&time[..i], Some(&time[i + 1..])),
            None => return false,
        }
    };
    if let Some(z) = zone.filter(|z| !z.is_empty()) {
        let ok = z.len() == 5
            && z.as_bytes()[2] == b':'
            && z[..2].bytes().all(|b| b.is_ascii_digit())
            && z[3..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return false;
        }
    }
    let (hms, frac) = match clock.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (clock, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    matches!(parts.as_slice(), [h, mi, se]
        if small_number(h, 0, 23) && small_number(mi, 0, 59) && small_number(se, 0, 59))
}

fn small_number(s: &str, min: u32, max: u32) -> bool {
    (1..=2).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_reads_back_as_a_string() {
        for s in [
            "web",
            "7478967d5d",
            "1.2.3",
            "0x",
            "2026-13-01",
            "yesterday",
            "-",
            "+x",
            ".x",
        ] {
            assert!(resolves_to_string(s), "{s:?} is a string");
        }
        for s in [
            "",
            "y",
            "On",
            "NULL",
            "~",
            "<<",
            ".inf",
            "-.Inf",
            "12",
            "-7",
            "0755",
            "08",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "1.5",
            ".5",
            "1e3",
            "2026-12-06",
            "2026-12-06T13:07:22Z",
            "2026-1-2 3:04:05",
            "2026-12-06t13:07:22.5+01:00",
        ] {
            assert!(!resolves_to_string(s), "{s:?} is not a string");
        }
        assert!(is_base60_float("12:30"));
        assert!(is_base60_float("1:20:30.5"));
        assert!(!is_base60_float("12:60"));
        assert!(!is_base60_float("a:1"));
    }
}
