//! PromQL blocks: the query, and the comparison that makes it a live check.

/// The trailing comparison of a query, e.g. `> 0.05` for
/// `sum(rate(errors[5m])) / sum(rate(requests[5m])) > 0.05`.
///
/// Recognised: `>`, `<`, `>=`, `<=`, `==`, `!=`, optionally with `bool`, against a number
/// (`0.05`, `1e3`, `-1`, `+Inf`). Comment lines (`# …`) are ignored. The result is the
/// operator and threshold as written, single-spaced (`> bool 0.05`).
pub(super) fn comparison(query: &str) -> Option<String> {
    let c = split(query)?;
    Some(if c.bool_modifier {
        format!("{} bool {}", c.op, c.number)
    } else {
        format!("{} {}", c.op, c.number)
    })
}

/// A query split at its trailing comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Split {
    /// The expression left of the operator, comments removed.
    pub expr: String,
    pub op: &'static str,
    pub bool_modifier: bool,
    pub number: String,
}

/// Splits a query into expression, operator and threshold (see [`comparison`]).
pub(super) fn split(query: &str) -> Option<Split> {
    let code = strip_comments(query);
    let code = code.trim_end();
    let (rest, number) = split_last_token(code)?;
    if !is_number(number) {
        return None;
    }
    let rest = rest.trim_end();
    let (rest, bool_modifier) = match rest.strip_suffix("bool") {
        Some(r) if r.ends_with(char::is_whitespace) => (r.trim_end(), true),
        _ => (rest, false),
    };
    let op = [">=", "<=", "==", "!=", ">", "<"]
        .into_iter()
        .find(|op| rest.ends_with(op))?;
    let lhs = rest[..rest.len() - op.len()].trim_end();
    // The left side must be an expression, not another operator (`a >> 1` is not PromQL).
    if lhs.is_empty() || lhs.ends_with(['<', '>', '=', '!']) {
        return None;
    }
    Some(Split {
        expr: lhs.trim().to_string(),
        op,
        bool_modifier,
        number: number.to_string(),
    })
}

fn strip_comments(query: &str) -> String {
    query
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits `code` before its last whitespace-separated token, also when the token is glued
/// to an operator (`x>0.05`).
fn split_last_token(code: &str) -> Option<(&str, &str)> {
    let start = code
        .rfind(|c: char| c.is_whitespace() || matches!(c, '>' | '<' | '='))
        .map_or(0, |i| i + 1);
    let token = &code[start..];
    (!token.is_empty()).then(|| (&code[..start], token))
}

fn is_number(s: &str) -> bool {
    let unsigned = s.trim_start_matches(['+', '-']);
    unsigned.eq_ignore_ascii_case("inf")
        || (unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && unsigned.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_trailing_comparisons() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05",
                Some("> 0.05"),
            ),
            (
                "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) >= 2",
                Some(">= 2"),
            ),
            ("up{job=\"api\"} == 0", Some("== 0")),
            ("x<1e-3", Some("< 1e-3")),
            (
                "# error budget\nrate(errors[5m])\n  > bool 0.01\n",
                Some("> bool 0.01"),
            ),
            (
                "kube_deployment_status_replicas_unavailable != +Inf",
                Some("!= +Inf"),
            ),
            ("sum(rate(http_requests_total[5m]))", None),
            ("rate(x[5m]) > rate(y[5m])", None),
            ("> 5", None),
            ("", None),
            ("x >= ", None),
        ];
        for (query, want) in cases {
            assert_eq!(comparison(query).as_deref(), *want, "{query:?}");
        }
    }

    #[test]
    fn splits_expression_from_threshold() {
        let s = split("# errors\nsum(rate(e[5m]))\n  / sum(rate(r[5m])) < 0.01\n").unwrap();
        assert_eq!(s.expr, "sum(rate(e[5m]))\n  / sum(rate(r[5m]))");
        assert_eq!(
            (s.op, s.bool_modifier, s.number.as_str()),
            ("<", false, "0.01")
        );
        assert_eq!(split("x > y"), None);
    }
}
