//! Secrets recognised by their shape, whatever they are called: a `ghp_…` pasted as the
//! value of a plainly named placeholder (`<release-ref>`) is still a GitHub token.
//!
//! Shapes, from the providers' documented formats:
//! - GitHub: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36 or more alphanumerics;
//!   `github_pat_` + 22 or more of `[A-Za-z0-9_]`.
//! - GitLab: `glpat-` (and the other `gl…-` personal/deploy prefixes) + 20 or more of
//!   `[A-Za-z0-9_-]`.
//! - Slack: `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xapp-` + 10 or more of
//!   `[A-Za-z0-9-]`; the path of a `hooks.slack.com/services/…` webhook.
//! - AWS access key ids: `AKIA` or `ASIA` + 16 of `[A-Z0-9]`.
//! - JWTs: three base64url segments separated by dots, the first starting `eyJ`.
//! - Long runs: 40 or more hex digits with both letters and digits, or 40 or more base64
//!   characters with upper case, lower case and digits. A hex run written as a digest
//!   (`sha256:…`, `@sha256:…`, `sha1:…`) is a content address, not a secret, and is kept.
//!
//! Bearer tokens are redacted by the assignment rules of [`super::redact`].

/// Byte spans (sorted, possibly overlapping) of token-shaped values in `s`.
pub fn spans(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    // Candidate runs: maximal runs of token characters.
    let mut i = 0;
    while i < b.len() {
        if !is_token_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_token_byte(b[i]) {
            i += 1;
        }
        if let Some(span) = token_in(s, start, i) {
            out.push(span);
        }
    }
    // Slack webhook paths: hooks.slack.com/services/T…/B…/…
    for (at, m) in s.match_indices("hooks.slack.com/services/") {
        let from = at + m.len();
        let end = s[from..]
            .find(|c: char| c.is_whitespace() || "\"'<>".contains(c))
            .map_or(s.len(), |n| from + n);
        if end > from {
            out.push((from, end));
        }
    }
    out.sort_unstable();
    out
}

/// Characters a token is made of (base64url, base64, dots of a JWT).
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'+' | b'/' | b'=')
}

/// A provider prefix, the shortest body after it, and the bytes the body is made of.
type Prefixed = (&'static str, usize, fn(u8) -> bool);

/// The token-shaped span within the run `s[start..end]`, if any.
fn token_in(s: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let run = &s[start..end];
    // Trailing dots, slashes and dashes end sentences and paths, not tokens.
    let run = run.trim_end_matches(['.', '/', '-']);
    let end = start + run.len();
    const PREFIXED: &[Prefixed] = &[
        ("github_pat_", 22, |c| {
            c.is_ascii_alphanumeric() || c == b'_'
        }),
        ("ghp_", 36, |c| c.is_ascii_alphanumeric()),
        ("gho_", 36, |c| c.is_ascii_alphanumeric()),
        ("ghu_", 36, |c| c.is_ascii_alphanumeric()),
        ("ghs_", 36, |c| c.is_ascii_alphanumeric()),
        ("ghr_", 36, |c| c.is_ascii_alphanumeric()),
        ("glpat-", 20, gitlab_byte),
        ("gldt-", 20, gitlab_byte),
        ("glrt-", 20, gitlab_byte),
        ("glptt-", 20, gitlab_byte),
        ("xoxb-", 10, slack_byte),
        ("xoxp-", 10, slack_byte),
        ("xoxa-", 10, slack_byte),
        ("xoxr-", 10, slack_byte),
        ("xoxs-", 10, slack_byte),
        ("xapp-", 10, slack_byte),
    ];
    for (prefix, min, ok) in PREFIXED {
        if let Some(at) = run.find(prefix) {
            let body_start = at + prefix.len();
            let body = run.as_bytes()[body_start..]
                .iter()
                .take_while(|c| ok(**c))
                .count();
            let boundary = at == 0 || !run.as_bytes()[at - 1].is_ascii_alphanumeric();
            if boundary && body >= *min {
                return Some((start + at, start + body_start + body));
            }
        }
    }
    for key in ["AKIA", "ASIA"] {
        if let Some(at) = run.find(key) {
            let body = &run.as_bytes()[at + 4..];
            let boundary = at == 0 || !run.as_bytes()[at - 1].is_ascii_alphanumeric();
            if boundary
                && body.len() >= 16
                && body[..16]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && body.get(16).is_none_or(|c| !c.is_ascii_alphanumeric())
            {
                return Some((start + at, start + at + 20));
            }
        }
    }
    if let Some(span) = jwt_in(run) {
        return Some((start + span.0, start + span.1));
    }
    long_run(s, start, end)
}

fn gitlab_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn slack_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// `eyJ….….…`: three base64url segments of plausible lengths.
fn jwt_in(run: &str) -> Option<(usize, usize)> {
    let at = run.find("eyJ")?;
    if at > 0 && run.as_bytes()[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    let url64 = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let bytes = run.as_bytes();
    let mut i = at;
    // Shortest header (`{"alg":"x"}`), payload and signature segments.
    for (segment, min) in [10, 4, 8].into_iter().enumerate() {
        let seg_start = i;
        while i < bytes.len() && url64(bytes[i]) {
            i += 1;
        }
        if i - seg_start < min {
            return None;
        }
        if segment < 2 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    Some((at, i))
}

/// A long hex or base64 run; digests (`sha256:…`) excepted.
fn long_run(s: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let run = &s[start..end];
    let before = &s[..start];
    // Split at dots and slashes: a path or a host name is not one token.
    let mut offset = 0;
    for part in run.split(['.', '/']) {
        let part_start = start + offset;
        offset += part.len() + 1;
        let bytes = part.as_bytes();
        let is_digest = part_start == start
            && ["sha256:", "sha1:", "sha512:", "@sha256:"]
                .iter()
                .any(|p| before.ends_with(p));
        let hex = bytes.len() >= 40
            && bytes.iter().all(u8::is_ascii_hexdigit)
            && bytes.iter().any(u8::is_ascii_digit)
            && bytes.iter().any(u8::is_ascii_alphabetic);
        if hex && !is_digest {
            return Some((part_start, part_start + part.len()));
        }
        let b64 = bytes.len() >= 40
            && bytes
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'_' | b'-' | b'='))
            && bytes.iter().any(u8::is_ascii_digit)
            && bytes.iter().any(u8::is_ascii_uppercase)
            && bytes.iter().any(u8::is_ascii_lowercase);
        if b64 && !is_digest {
            return Some((part_start, part_start + part.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<&str> {
        spans(s).into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    // Shapes are synthetic: they follow the formats, they are no one's tokens.
    const GHP: &str = "ghp_R2d2C3poR2d2C3poR2d2C3poR2d2C3po1234";
    const PAT: &str = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz";
    const GLPAT: &str = "glpat-Abc123Def456Ghi789Jk";
    const XOXB: &str = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp";
    const AKIA: &str = "AKIAIOSFODNN7EXAMPLE";
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ24";

    #[test]
    fn provider_tokens_are_found_wherever_they_are() {
        for token in [GHP, PAT, GLPAT, XOXB, AKIA, JWT] {
            assert_eq!(found(token), [token], "alone");
            let s = format!("release-ref={token}, then \"{token}\".");
            assert_eq!(found(&s), [token, token], "{s}");
        }
    }

    #[test]
    fn slack_webhook_paths_and_long_runs() {
        let hook = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
        assert_eq!(
            found(hook),
            ["T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"]
        );
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        assert_eq!(found(&format!("key {hex}")), [hex]);
        let b64 = "QWxhZGRpbjpvcGVuIHNlc2FtZQ0123456789abcdEFGH";
        assert_eq!(found(&format!("secret: {b64}")), [b64]);
    }

    #[test]
    fn ordinary_text_digests_and_names_are_kept() {
        for s in [
            "kubectl -n checkout rollout undo deployment/checkout-api --to-revision=41",
            "image registry.example.com/shop/checkout@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "runbook sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "checkout-api-7d9f8b6c5d-x2x4q Running 3/3",
            "ghp_short",
            "AKIAshort",
            "https://grafana.example.com/d/checkout-overview/checkout?orgId=1&from=now-1h",
            "a.b.c eyJ.not.a-token",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/var/lib/backout/sessions/20261206-071720-checkout-api-rollback-3f2a/journal.jsonl",
        ] {
            assert_eq!(found(s), Vec::<&str>::new(), "{s}");
        }
    }
}
