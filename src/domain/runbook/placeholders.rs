//! Placeholders: values an operator supplies before a command can run.
//!
//! Two forms are recognised:
//!
//! - `<service-name>`: letters, digits, `-`, `_` and `.` between angle brackets, not glued
//!   to a word (`Vec<String>` is not one), not an HTML tag (`<br>`, `<details>`), not a
//!   here-document (`<<EOF`) and not a redirection (`< file`, `2>&1`).
//! - `$NAMESPACE` / `${NAMESPACE}`: UPPER_CASE names the shell would expand, that the same
//!   block does not assign (`NAME=`, `export NAME=`, `for NAME in`, `read NAME`), that have
//!   no default (`${NAME:-x}`), and that are not the environment every shell already has
//!   (`HOME`, `PATH`, `KUBECONFIG`, …). `$1`, `$?`, `$@` and lower-case names are never
//!   placeholders.
//!
//! Substituting bound values is [`super::placeholder_fill`].

use super::commands::{self, Ctx, Lexed};
use super::model::{Placeholder, PlaceholderForm, Step, StepKind};
use rustc_hash::{FxHashMap as NameMap, FxHashSet as NameSet};

/// Environment every shell has; never asked for.
const WELL_KNOWN_ENV: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "HOSTNAME",
    "KUBECONFIG",
    "TMPDIR",
    "TERM",
    "LANG",
    "LC_ALL",
    "EDITOR",
    "PAGER",
    "IFS",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "REPLY",
    "OPTARG",
    "OPTIND",
    "PIPESTATUS",
    "BASH_SOURCE",
    "BASHPID",
    "FUNCNAME",
    "HOSTTYPE",
    "OSTYPE",
    "SHLVL",
    "COLUMNS",
    "LINES",
    "DISPLAY",
    "PS1",
    "PS2",
];

/// HTML elements seen in Markdown; `<br>` and friends are markup, not placeholders.
/// Sorted (binary search).
const HTML_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "meta",
    "nobr",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "samp",
    "script",
    "small",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "video",
    "wbr",
];

/// Words written in angle brackets that are output, not input (`kubectl` prints `<none>`).
const NOT_PLACEHOLDERS: &[&str] = &["none", "nil", "unknown", "pending", "invalid"];

/// Collects placeholders, unique and in order of first appearance.
#[derive(Debug, Default)]
pub(super) struct Collector {
    /// Names seen, with the forms seen (angle, dollar).
    seen: NameMap<String, [bool; 2]>,
    pub found: Vec<Placeholder>,
}

impl Collector {
    pub fn add(&mut self, name: &str, form: PlaceholderForm) {
        let slot = usize::from(form == PlaceholderForm::Dollar);
        let new = match self.seen.get_mut(name) {
            Some(forms) => !std::mem::replace(&mut forms[slot], true),
            None => {
                let mut forms = [false; 2];
                forms[slot] = true;
                self.seen.insert(name.to_string(), forms);
                true
            }
        };
        if new {
            self.found.push(Placeholder {
                name: name.to_string(),
                form,
            });
        }
    }

    /// Placeholders of a shell script (quoting and assignments respected), given its lexing.
    pub fn script(&mut self, script: &str, lexed: &Lexed) {
        for occurrence in occurrences_lexed(script, lexed) {
            self.add(occurrence.name, occurrence.form);
        }
    }

    /// Placeholders of prose or a PromQL query (no shell rules: no quoting, no assignments).
    pub fn text(&mut self, text: &str) {
        for occurrence in text_occurrences(text) {
            self.add(occurrence.name, occurrence.form);
        }
    }
}

impl Step {
    /// The placeholders this step needs, unique, in order of first appearance.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        match &self.kind {
            StepKind::Command(block) => in_script(&block.script),
            StepKind::Promql { query, .. } => in_text(query),
            StepKind::Checklist { .. } | StepKind::Verify { .. } => in_text(&self.text),
        }
    }
}

/// Placeholders of a shell script, unique, in order of first appearance.
pub fn in_script(script: &str) -> Vec<Placeholder> {
    let mut c = Collector::default();
    c.script(script, &commands::lex(script));
    c.found
}

/// Placeholders of prose or a query, unique, in order of first appearance.
pub fn in_text(text: &str) -> Vec<Placeholder> {
    let mut c = Collector::default();
    c.text(text);
    c.found
}

/// One written placeholder.
#[derive(Debug)]
pub(super) struct Occurrence<'a> {
    pub name: &'a str,
    pub form: PlaceholderForm,
    /// Bytes of the whole written form (`<name>`, `$NAME`, `${NAME}`).
    pub range: std::ops::Range<usize>,
    pub ctx: Ctx,
    /// False for `${NAME<op>…}`, which cannot be replaced by a value in place.
    pub in_place: bool,
}

pub(super) fn script_occurrences(script: &str) -> Vec<Occurrence<'_>> {
    occurrences_lexed(script, &commands::lex(script))
}

fn occurrences_lexed<'a>(script: &'a str, lexed: &Lexed) -> Vec<Occurrence<'a>> {
    let mut out = Vec::new();
    for (range, ctx) in &lexed.runs {
        if *ctx == Ctx::Comment {
            continue;
        }
        scan(script, range.clone(), *ctx, ctx.expands(), &mut out);
    }
    if out.iter().any(|o| o.form == PlaceholderForm::Dollar) {
        let assigned = assigned_names(script, &lexed.runs);
        out.retain(|o| o.form == PlaceholderForm::Angle || !assigned.contains(o.name));
    }
    out
}

pub(super) fn text_occurrences(text: &str) -> Vec<Occurrence<'_>> {
    let mut out = Vec::new();
    scan(text, 0..text.len(), Ctx::Code, true, &mut out);
    out
}

/// Finds placeholders in `text[range]`.
fn scan<'a>(
    text: &'a str,
    range: std::ops::Range<usize>,
    ctx: Ctx,
    dollars: bool,
    out: &mut Vec<Occurrence<'a>>,
) {
    let bytes = text.as_bytes();
    let mut i = range.start;
    while i < range.end {
        let next = if dollars {
            memchr::memchr2(b'<', b'$', &bytes[i..range.end])
        } else {
            memchr::memchr(b'<', &bytes[i..range.end])
        };
        let Some(k) = next else {
            break;
        };
        i += k;
        match bytes[i] {
            b'<' => {
                if let Some((name, end)) = angle_at(text, i, range.end) {
                    out.push(Occurrence {
                        name,
                        form: PlaceholderForm::Angle,
                        range: i..end,
                        ctx,
                        in_place: true,
                    });
                    i = end;
                    continue;
                }
            }
            _ => {
                if i > 0 && bytes[i - 1] == b'\\' {
                    i += 1;
                    continue;
                }
                if bytes.get(i + 1) == Some(&b'$') {
                    i += 2;
                    continue;
                }
                if let Some((name, end, in_place)) = dollar_at(text, i, range.end) {
                    out.push(Occurrence {
                        name,
                        form: PlaceholderForm::Dollar,
                        range: i..end,
                        ctx,
                        in_place,
                    });
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// `<name>` at byte `i`: the name and the offset past `>`.
fn angle_at(text: &str, i: usize, end: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if i > 0 {
        let prev = bytes[i - 1];
        if prev.is_ascii_alphanumeric() || prev == b'<' || prev == b'_' {
            return None;
        }
    }
    let start = i + 1;
    let first = *bytes.get(start)?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let mut j = start;
    while j < end && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'-' | b'_' | b'.')) {
        j += 1;
    }
    if j >= end || bytes[j] != b'>' {
        return None;
    }
    let name = &text[start..j];
    if name.bytes().all(|b| b.is_ascii_digit()) || is_markup_or_output(name) {
        return None;
    }
    Some((name, j + 1))
}

/// An HTML tag name or a word tools print in angle brackets (case-insensitive).
fn is_markup_or_output(name: &str) -> bool {
    let mut buf = [0u8; 12];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return false; // longer than any listed word
    };
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    let Ok(lower) = std::str::from_utf8(lower) else {
        return false;
    };
    HTML_TAGS.binary_search(&lower).is_ok() || NOT_PLACEHOLDERS.contains(&lower)
}

/// `$NAME` or `${NAME…}` at byte `i`: the name, the offset past it, and whether it can be
/// replaced in place. `None` when it is not a placeholder.
fn dollar_at(text: &str, i: usize, end: usize) -> Option<(&str, usize, bool)> {
    let bytes = text.as_bytes();
    let braced = bytes.get(i + 1) == Some(&b'{');
    let start = if braced { i + 2 } else { i + 1 };
    let mut j = start;
    while j < end && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    if j == start || bytes[start].is_ascii_digit() {
        return None;
    }
    let name = &text[start..j];
    if !is_upper_name(name) || WELL_KNOWN_ENV.contains(&name) {
        return None;
    }
    if !braced {
        return Some((name, j, true));
    }
    if j >= end {
        return None;
    }
    if bytes[j] == b'}' {
        return Some((name, j + 1, true));
    }
    // `${NAME:-default}`, `${NAME=x}`, `${NAME:+alt}` have a value without the operator.
    let op = &bytes[j..end.min(j + 2)];
    if matches!(op.first(), Some(b'-' | b'=' | b'+'))
        || matches!(op, [b':', b'-' | b'=' | b'+', ..])
    {
        return None;
    }
    let close = text[j..end].find('}').map(|k| j + k + 1)?;
    Some((name, close, false))
}

/// `NAME` with at least one letter and no lower-case letter.
fn is_upper_name(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase()) && !name.bytes().any(|b| b.is_ascii_lowercase())
}

/// Names a script assigns itself: `NAME=…`, `export NAME=…`, `for NAME in`, `read NAME`.
fn assigned_names<'a>(script: &'a str, runs: &[(std::ops::Range<usize>, Ctx)]) -> NameSet<&'a str> {
    // Mask quoted text and comments so that only code is read.
    let mut masked = script.as_bytes().to_vec();
    for (range, ctx) in runs {
        if *ctx != Ctx::Code {
            for b in &mut masked[range.clone()] {
                if *b != b'\n' {
                    *b = if *ctx == Ctx::Comment { b' ' } else { b'x' };
                }
            }
        }
    }
    let mut names = NameSet::default();
    let mut tokens = Vec::new();
    let mut k = 0;
    while k < masked.len() {
        let b = masked[k];
        if b.is_ascii_whitespace() {
            if b == b'\n' {
                tokens.push(k..k + 1);
            }
            k += 1;
        } else if matches!(b, b';' | b'|' | b'&' | b'(' | b')') {
            tokens.push(k..k + 1);
            k += 1;
        } else {
            let s = k;
            while k < masked.len()
                && !masked[k].is_ascii_whitespace()
                && !matches!(masked[k], b';' | b'|' | b'&' | b'(' | b')')
            {
                k += 1;
            }
            tokens.push(s..k);
        }
    }

    #[derive(PartialEq)]
    enum State {
        CommandPosition,
        Arguments,
        Declaring,
        LoopVariable,
        Reading,
    }
    let mut state = State::CommandPosition;
    let mut skip_value = false;
    for t in tokens {
        let word = &masked[t.clone()];
        let separator = matches!(word, b";" | b"|" | b"&" | b"(" | b")" | b"\n" | b"{" | b"}")
            || matches!(
                word,
                b"then" | b"do" | b"else" | b"elif" | b"if" | b"while" | b"until" | b"!" | b"time"
            ) && state == State::CommandPosition;
        if separator {
            state = State::CommandPosition;
            continue;
        }
        let name_of = |w: &[u8]| -> Option<&'a str> {
            let end = w.iter().position(|&b| b == b'=' || b == b'+')?;
            let name = &w[..end];
            let valid = !name.is_empty()
                && (name[0].is_ascii_alphabetic() || name[0] == b'_')
                && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
            valid.then(|| script.get(t.start..t.start + end)).flatten()
        };
        match state {
            State::CommandPosition => {
                if let Some(name) = name_of(word) {
                    names.insert(name);
                } else {
                    state = match word {
                        b"export" | b"local" | b"declare" | b"typeset" | b"readonly" => {
                            State::Declaring
                        }
                        b"for" | b"select" => State::LoopVariable,
                        b"read" | b"mapfile" | b"readarray" | b"getopts" => {
                            skip_value = false;
                            State::Reading
                        }
                        _ => State::Arguments,
                    };
                }
            }
            State::Declaring => {
                if let Some(name) = name_of(word) {
                    names.insert(name);
                }
            }
            State::LoopVariable => {
                if let Some(name) = script.get(t.clone()) {
                    names.insert(name);
                }
                state = State::Arguments;
            }
            State::Reading => {
                if skip_value {
                    skip_value = false;
                } else if word.first() == Some(&b'-') {
                    skip_value = matches!(word, b"-p" | b"-t" | b"-d" | b"-u" | b"-n" | b"-N");
                } else if let Some(name) = script.get(t.clone()) {
                    names.insert(name);
                }
            }
            State::Arguments => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: &[Placeholder]) -> Vec<String> {
        found.iter().map(Placeholder::written).collect()
    }

    #[test]
    fn finds_angle_and_dollar_placeholders_in_order() {
        let script = "kubectl -n <namespace> rollout undo deployment/<service-name> --to-revision=$REVISION\n\
                      curl -H \"Authorization: Bearer ${DEPLOY_TOKEN}\" https://<host>/v1/<namespace>\n";
        assert_eq!(
            names(&in_script(script)),
            [
                "<namespace>",
                "<service-name>",
                "$REVISION",
                "$DEPLOY_TOKEN",
                "<host>"
            ]
        );
    }

    #[test]
    fn not_placeholders() {
        let script = r#"
cat <<EOF > /tmp/out 2>&1
hello
EOF
sort < input.txt > out.txt
echo "$HOME $PATH $USER $KUBECONFIG $1 $? $@ $$ $lower"
awk '{print $NF}' file
echo "${DEFAULTED:-x} ${ALT:+y} \$ESCAPED"
# comment with $COMMENTED and <commented>
echo "<br> <details> Vec<String> <none>"
NAMESPACE=prod
export REVISION=3
for POD in a b; do echo $POD; done
read -r -p "Replica count? " REPLICAS
kubectl -n $NAMESPACE scale deploy/api --replicas=$REPLICAS --revision=$REVISION
"#;
        assert_eq!(names(&in_script(script)), Vec::<String>::new());
    }

    #[test]
    fn single_quotes_stop_dollar_but_not_angle() {
        let script = "curl -d '{\"service\": \"<service-name>\", \"v\": \"$NOT_EXPANDED\"}' $URL";
        assert_eq!(names(&in_script(script)), ["<service-name>", "$URL"]);
    }

    #[test]
    fn required_parameter_expansions_are_placeholders() {
        assert_eq!(
            names(&in_script("echo ${IMAGE%:*} ${TAG:?set TAG}")),
            ["$IMAGE", "$TAG"]
        );
    }

    #[test]
    fn html_tags_are_sorted_for_binary_search() {
        assert!(HTML_TAGS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn text_placeholders() {
        assert_eq!(
            names(&in_text(
                "Page the owner of <service-name> in $TEAM_CHANNEL; see <br> and <https://x>"
            )),
            ["<service-name>", "$TEAM_CHANNEL"]
        );
    }
}
