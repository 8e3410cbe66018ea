//! Keeping secrets out of the journal, reports, logs and the screen.
//!
//! Two layers:
//! - [`is_secret_name`] decides whether a variable or placeholder name looks secret
//!   (`SLACK_WEBHOOK_URL`, `apiToken`, `db-password`), so its value is never stored.
//! - [`Redactor`] replaces known secret values wherever they occur in a text, and any
//!   piece of one of [`MIN_PIECE_LEN`] characters or more (the tail of a webhook URL
//!   printed by `${VAR#…}`, a pasted fragment in a note); the values of secret-looking
//!   assignments (`API_KEY=…`, `--token …`, `Bearer …`, `https://user:…@host`) even when
//!   the value itself is not known; and token-shaped values whatever they are called
//!   ([`super::token_shapes`]: GitHub, GitLab, Slack, AWS keys, JWTs, long hex/base64).

use std::borrow::Cow;
use std::fmt;

/// What a secret is replaced with.
pub const REDACTED: &str = "‹redacted›";

/// Known values shorter than this are not redacted as substrings: replacing `1` or
/// `ab` everywhere would destroy the text, and such a value protects nothing.
pub const MIN_SECRET_LEN: usize = 4;

/// Any piece of a known secret this long or longer is redacted too.
pub const MIN_PIECE_LEN: usize = 8;

/// Word parts that make a name secret.
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "APIKEY",
    "KEY",
    "WEBHOOK",
    "CREDENTIAL",
    "CREDS",
    "AUTH",
    "AUTHORIZATION",
    "PRIVATE",
    "COOKIE",
    "BEARER",
    "DSN",
];

/// Distinctive words that also count at the end of a longer part (`NPMTOKEN`,
/// `CLIENTSECRET`), unlike short ones (`MONKEY` is not a key, `OAUTH` not a credential).
const SECRET_SUFFIXES: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "APIKEY",
    "WEBHOOK",
    "CREDENTIAL",
];

/// Whether a variable or placeholder name looks like it holds a secret.
///
/// The name is split into word parts at non-alphanumeric characters and camelCase
/// boundaries; it is secret when a part is one of the secret words (case-insensitive,
/// plural allowed), or ends with a distinctive one:
///
/// ```
/// use backout::domain::redact::is_secret_name;
/// assert!(is_secret_name("SLACK_WEBHOOK_URL"));
/// assert!(is_secret_name("githubToken"));
/// assert!(is_secret_name("db-password"));
/// assert!(!is_secret_name("MONKEY_COUNT"));
/// assert!(!is_secret_name("service-name"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    word_parts(name).any(|part| {
        let upper = part.to_ascii_uppercase();
        let singular = upper.strip_suffix('S').unwrap_or(&upper);
        SECRET_WORDS.iter().any(|w| upper == *w || singular == *w)
            || SECRET_SUFFIXES
                .iter()
                .any(|w| upper.ends_with(w) || singular.ends_with(w))
    })
}

/// Splits `SLACK_WEBHOOK_URL`, `apiKey`, `APIKey`, `x-auth-token` into word parts.
fn word_parts(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .flat_map(camel_parts)
}

fn camel_parts(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        // fooBar | FOOBar (the B starts "Bar")
        let boundary = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next_lower);
        if boundary {
            parts.push(&word[start..at]);
            start = at;
        }
    }
    parts.push(&word[start..]);
    parts
}

/// Replaces secrets in text with [`REDACTED`].
///
/// Built from the secret values known to the process (environment variables with
/// secret-looking names, values the operator typed for secret placeholders). Its
/// `Debug` output never shows the values.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a value containing another is replaced whole.
    values: Vec<String>,
    /// Every value and every [`MIN_PIECE_LEN`]-character piece of one, in one automaton.
    pieces: Option<aho_corasick::AhoCorasick>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("values", &self.values.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor for these secret values (empty and very short ones are ignored, see
    /// [`MIN_SECRET_LEN`]).
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut r = Redactor::default();
        for v in values {
            r.add(v);
        }
        r
    }

    /// A redactor for the values of the secret-looking variables among `vars`
    /// (typically `std::env::vars()`).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        Redactor::new(
            vars.into_iter()
                .filter(|(k, _)| is_secret_name(k.as_ref()))
                .map(|(_, v)| v),
        )
    }

    /// Adds a secret value (e.g. one the operator just typed).
    pub fn add(&mut self, value: impl Into<String>) {
        let value = value.into();
        if value.chars().count() < MIN_SECRET_LEN || self.values.contains(&value) {
            return;
        }
        let at = self.values.partition_point(|v| v.len() >= value.len());
        self.values.insert(at, value);
        let patterns: std::collections::BTreeSet<&str> =
            self.values.iter().flat_map(|v| pieces_of(v)).collect();
        self.pieces = aho_corasick::AhoCorasick::new(patterns).ok();
    }

    /// How many secret values are known.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no secret value is known (patterns are still redacted).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The text with every known secret value, and the value of every secret-looking
    /// assignment, replaced by [`REDACTED`]. Borrowed when nothing changed.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut spans = pattern_spans(text);
        if let Some(pieces) = &self.pieces {
            spans.extend(
                pieces
                    .find_overlapping_iter(text)
                    .map(|m| (m.start(), m.end())),
            );
        }
        spans.extend(super::token_shapes::spans(text));
        spans.retain(|&(a, b)| &text[a..b] != REDACTED);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut redacted = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in merge(spans) {
            redacted.push_str(&text[at..start]);
            redacted.push_str(REDACTED);
            at = end;
        }
        redacted.push_str(&text[at..]);
        Cow::Owned(redacted)
    }
}

/// What a known secret is matched by: the value itself, and every piece of
/// [`MIN_PIECE_LEN`] characters of it. In a URL or path the pieces are taken within its
/// segments (`/`, `?`, `&`, `=`, `#`, `:`, `@` separate them), and plain lowercase words
/// (`services`, `webhooks`) are public, not pieces of the secret.
fn pieces_of(value: &str) -> Vec<&str> {
    let mut out = vec![value];
    let structured = value.contains(['/', '?', '&', '=', '#', ':', '@']);
    for segment in value.split(['/', '?', '&', '=', '#', ':', '@']) {
        if structured
            && segment
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c == b'.' || c == b'-')
        {
            continue;
        }
        let starts: Vec<usize> = segment.char_indices().map(|(i, _)| i).collect();
        for (n, &from) in starts.iter().enumerate() {
            let to = starts
                .get(n + MIN_PIECE_LEN)
                .copied()
                .or_else(|| (n + MIN_PIECE_LEN == starts.len()).then_some(segment.len()));
            match to {
                Some(to) => out.push(&segment[from..to]),
                None => break,
            }
        }
    }
    out
}

/// Sorted spans with overlapping and touching ones merged.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Byte spans (sorted, disjoint) of values that secret-looking syntax gives away.
fn pattern_spans(s: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    // NAME=value, --name=value, ?token=value
    for (eq, _) in s.match_indices('=') {
        let name_start = s[..eq]
            .char_indices()
            .rev()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = s[name_start..eq].trim_start_matches('-');
        if !name.is_empty() && is_secret_name(name) {
            spans.extend(value_span(s, eq + 1));
        }
    }
    // --name value
    for (dashes, _) in s.match_indices("--") {
        if s[..dashes]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_whitespace())
        {
            continue;
        }
        let name_end = s[dashes + 2..]
            .find(|c: char| !is_name_char(c))
            .map_or(s.len(), |i| dashes + 2 + i);
        let name = &s[dashes + 2..name_end];
        let rest = &s[name_end..];
        let value_at = name_end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        if value_at > name_end && !s[value_at..].starts_with('-') && is_secret_name(name) {
            spans.extend(value_span(s, value_at));
        }
    }
    // Bearer <token>
    let lower = s.to_ascii_lowercase();
    for (at, word) in lower.match_indices("bearer ") {
        if lower[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = &s[at + word.len()..];
        let value_at = at + word.len() + (rest.len() - rest.trim_start().len());
        spans.extend(value_span(s, value_at));
    }
    // scheme://user:password@host
    for (at, sep) in s.match_indices("://") {
        let authority_start = at + sep.len();
        let authority_end = s[authority_start..]
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .map_or(s.len(), |i| authority_start + i);
        let authority = &s[authority_start..authority_end];
        if let Some(at_sign) = authority.rfind('@')
            && let Some(colon) = authority[..at_sign].find(':')
            && colon + 1 < at_sign
        {
            spans.push((authority_start + colon + 1, authority_start + at_sign));
        }
    }
    spans.retain(|&(a, b)| &s[a..b] != REDACTED);
    // Merge overlaps so each byte is replaced at most once.
    merge(spans)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The value starting at `start`: quoted (the inside of the quotes) or up to the next
/// separator. `None` when empty.
fn value_span(s: &str, start: usize) -> Option<(usize, usize)> {
    let rest = s.get(start..)?;
    let (start, end) = match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let inner = start + 1;
            let end = s[inner..].find(q).map_or(s.len(), |i| inner + i);
            (inner, end)
        }
        _ => {
            let end = rest
                .find(|c: char| c.is_whitespace() || "\"'&,;)]}".contains(c))
                .map_or(s.len(), |i| start + i);
            (start, end)
        }
    };
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        let secret = [
            "TOKEN",
            "GITHUB_TOKEN",
            "github_tokens",
            "NPMTOKEN",
            "SLACK_WEBHOOK_URL",
            "slackWebhookUrl",
            "DB_PASSWORD",
            "db-passwd",
            "REDIS_PASS",
            "PGPASSWORD",
            "API_KEY",
            "APIKEY",
            "apiKey",
            "APIKey",
            "x-api-key",
            "AWS_SECRET_ACCESS_KEY",
            "clientSecret",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "AUTH",
            "Authorization",
            "BASIC_AUTH_USER",
            "ssh-private-key",
            "SENTRY_DSN",
            "session_cookie",
            "secret",
        ];
        for name in secret {
            assert!(is_secret_name(name), "{name} should be secret");
        }
        let public = [
            "service-name",
            "NAMESPACE",
            "DEPLOYMENT",
            "MONKEY_COUNT",
            "KEYBOARD",
            "AUTHOR",
            "OAUTH_CLIENT_ID",
            "PWD",
            "PASSENGER",
            "PATH",
            "HOME",
            "revision",
            "",
            "---",
        ];
        for name in public {
            assert!(!is_secret_name(name), "{name} should not be secret");
        }
    }

    #[test]
    fn camel_case_splits() {
        assert_eq!(camel_parts("slackWebhookUrl"), ["slack", "Webhook", "Url"]);
        assert_eq!(camel_parts("APIKey"), ["API", "Key"]);
        assert_eq!(camel_parts("TOKEN"), ["TOKEN"]);
        assert_eq!(camel_parts("ünïCödé"), ["ünï", "Cödé"]);
    }

    #[test]
    fn known_values_are_replaced_everywhere() {
        let r = Redactor::new(["hunter22", "xoxb-123-secret", "", "abc"]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r.redact("curl -d hunter22 https://x/xoxb-123-secret?again=hunter22"),
            "curl -d ‹redacted› https://x/‹redacted›?again=‹redacted›"
        );
        // Short values are not substrings worth hiding.
        assert_eq!(r.redact("abc"), "abc");
    }

    #[test]
    fn the_longest_value_wins() {
        let r = Redactor::new(["secret", "secret-and-more"]);
        assert_eq!(r.redact("x secret-and-more y"), "x ‹redacted› y");
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let r = Redactor::new(["hunter22"]);
        assert!(matches!(r.redact("kubectl get pods"), Cow::Borrowed(_)));
    }

    #[test]
    fn secret_looking_syntax_is_redacted_without_knowing_the_value() {
        let r = Redactor::default();
        let cases = [
            (
                "kubectl set env deploy/x API_KEY=abc123",
                "kubectl set env deploy/x API_KEY=‹redacted›",
            ),
            (
                "export SLACK_WEBHOOK_URL='https://hooks.example/T/B/x'",
                "export SLACK_WEBHOOK_URL='‹redacted›'",
            ),
            (
                "kubectl create secret generic s --from-literal=password=hunter2",
                "kubectl create secret generic s --from-literal=password=‹redacted›",
            ),
            (
                "deploy --token s3cr3t --replicas=3",
                "deploy --token ‹redacted› --replicas=3",
            ),
            (
                "deploy --token=s3cr3t --namespace prod",
                "deploy --token=‹redacted› --namespace prod",
            ),
            (
                "curl -H \"Authorization: Bearer eyJhbGciOi.x.y\" https://api",
                "curl -H \"Authorization: Bearer ‹redacted›\" https://api",
            ),
            (
                "psql postgres://admin:pa55word@db:5432/app",
                "psql postgres://admin:‹redacted›@db:5432/app",
            ),
            (
                "GET https://api/x?user=bob&token=abc&page=2",
                "GET https://api/x?user=bob&token=‹redacted›&page=2",
            ),
            (
                "kubectl rollout undo deploy/x --to-revision=3",
                "kubectl rollout undo deploy/x --to-revision=3",
            ),
            ("PASSWORD= echo empty", "PASSWORD= echo empty"),
            (
                "git clone https://github.com/org/repo",
                "git clone https://github.com/org/repo",
            ),
            ("bearer", "bearer"),
            ("a --password -x", "a --password -x"),
        ];
        for (input, expected) in cases {
            assert_eq!(r.redact(input), expected, "{input}");
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        let r = Redactor::new(["hunter22"]);
        let once = r
            .redact("TOKEN=hunter22 and hunter22 --token x")
            .into_owned();
        assert_eq!(once, "TOKEN=‹redacted› and ‹redacted› --token ‹redacted›");
        assert_eq!(r.redact(&once), once);
    }

    #[test]
    fn from_vars_keeps_only_secret_named_values() {
        let r = Redactor::from_vars([
            ("HOME", "/home/alice"),
            ("SLACK_WEBHOOK_URL", "https://hooks.example/T0/B0/XYZ"),
            ("NAMESPACE", "checkout"),
            ("GITHUB_TOKEN", "ghp_0123456789"),
        ]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r.redact("ns checkout home /home/alice ghp_0123456789"),
            "ns checkout home /home/alice ‹redacted›"
        );
        assert_eq!(format!("{r:?}"), "Redactor { values: 2 }");
    }

    #[test]
    fn multibyte_text_is_safe() {
        let r = Redactor::new(["pässwörd"]);
        assert_eq!(
            r.redact("ü=1 pässwörd ∑TOKEN=ß --token ✓"),
            "ü=1 ‹redacted› ∑TOKEN=‹redacted› --token ‹redacted›"
        );
    }
}
