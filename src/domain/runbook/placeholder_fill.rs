//! Substituting bound values into a step's text: [`fill`] quotes each value for the place
//! it lands in a shell script, so the console can show and run exactly the command that
//! will execute; [`fill_text`] substitutes into prose or a query as written.

use super::model::{Bindings, Placeholder};
use super::placeholders::{Collector, Occurrence, script_occurrences, text_occurrences};
use super::shell_lexer::Ctx;

/// Substitutes bound values into a shell script.
///
/// Every placeholder of the script (by the rules of [`super::placeholders`]) is replaced by its value
/// from `bindings`, quoted for where it lands: inside `'…'`, inside `"…"`, or bare (where a
/// value that is not a plain word is single-quoted). A `${NAME…}` expansion with an operator
/// (`${NAME%.*}`) cannot be substituted in place; such names are assigned on a first line
/// instead (`NAME='value'`), so the script runs exactly as shown.
///
/// # Errors
///
/// The placeholders that have no binding, unique, in order of first appearance.
pub fn fill(script: &str, bindings: &Bindings) -> Result<String, Vec<Placeholder>> {
    let occurrences = script_occurrences(script);
    missing(&occurrences, bindings)?;
    let mut out = String::with_capacity(script.len());
    let mut prelude: Vec<&str> = Vec::new();
    let mut from = 0;
    for o in &occurrences {
        let Some(value) = bindings.get(o.name) else {
            continue;
        };
        if o.in_place {
            out.push_str(&script[from..o.range.start]);
            out.push_str(&quote_for(o.ctx, value));
            from = o.range.end;
        } else if !prelude.contains(&o.name) {
            prelude.push(o.name);
        }
    }
    out.push_str(&script[from..]);
    if prelude.is_empty() {
        return Ok(out);
    }
    let mut head = String::new();
    for name in prelude {
        let value = bindings.get(name).map_or("", String::as_str);
        head.push_str(&format!("{name}={}\n", single_quote(value)));
    }
    Ok(head + &out)
}

/// Substitutes bound values into prose or a query, as they are (no quoting).
///
/// # Errors
///
/// The placeholders that have no binding, unique, in order of first appearance.
pub fn fill_text(text: &str, bindings: &Bindings) -> Result<String, Vec<Placeholder>> {
    let occurrences = text_occurrences(text);
    missing(&occurrences, bindings)?;
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for o in &occurrences {
        if let Some(value) = bindings.get(o.name) {
            out.push_str(&text[from..o.range.start]);
            out.push_str(value);
            from = o.range.end;
        }
    }
    out.push_str(&text[from..]);
    Ok(out)
}

fn missing(occurrences: &[Occurrence<'_>], bindings: &Bindings) -> Result<(), Vec<Placeholder>> {
    let mut c = Collector::default();
    for o in occurrences {
        if !bindings.contains_key(o.name) {
            c.add(o.name, o.form);
        }
    }
    if c.found.is_empty() {
        Ok(())
    } else {
        Err(c.found)
    }
}

/// A value quoted for where it lands in a shell script.
fn quote_for(ctx: Ctx, value: &str) -> String {
    match ctx {
        Ctx::Single => value.replace('\'', "'\\''"),
        Ctx::Double | Ctx::HeredocExpand => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '\\' | '"' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        Ctx::HeredocLiteral | Ctx::Comment | Ctx::Foreign => value.to_string(),
        Ctx::Code => {
            if !value.is_empty()
                && value.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '%')
                })
            {
                value.to_string()
            } else {
                single_quote(value)
            }
        }
    }
}

fn single_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: &[Placeholder]) -> Vec<String> {
        found.iter().map(Placeholder::written).collect()
    }

    fn bind(pairs: &[(&str, &str)]) -> Bindings {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fill_substitutes_with_quoting_for_context() {
        let script = "kubectl -n <namespace> get deploy/$APP\n\
                      curl -d '{\"msg\": \"<message>\"}' -H \"X: $HEADER\" <url>\n";
        let filled = fill(
            script,
            &bind(&[
                ("namespace", "prod"),
                ("APP", "api"),
                ("message", "it's fixed"),
                ("HEADER", "a \"b\" $c"),
                ("url", "https://x/y?a=1&b=2"),
            ]),
        )
        .expect("all bound");
        assert_eq!(
            filled,
            "kubectl -n prod get deploy/api\n\
             curl -d '{\"msg\": \"it'\\''s fixed\"}' -H \"X: a \\\"b\\\" \\$c\" 'https://x/y?a=1&b=2'\n"
        );
    }

    #[test]
    fn fill_lists_missing_placeholders() {
        let err = fill("kubectl -n <ns> get $KIND <ns>", &bind(&[("KIND", "pods")]))
            .expect_err("ns missing");
        assert_eq!(names(&err), ["<ns>"]);
    }

    #[test]
    fn fill_assigns_names_used_with_operators() {
        let filled = fill(
            "echo ${IMAGE%:*} $IMAGE",
            &bind(&[("IMAGE", "repo/api:v2")]),
        )
        .expect("bound");
        assert_eq!(filled, "IMAGE='repo/api:v2'\necho ${IMAGE%:*} repo/api:v2");
    }

    #[test]
    fn fill_leaves_assigned_and_quoted_names_alone() {
        let script = "NS=prod\nkubectl -n $NS get pods -o jsonpath='{$.items}' $X";
        assert_eq!(
            fill(script, &bind(&[("X", "y")])).expect("bound"),
            "NS=prod\nkubectl -n $NS get pods -o jsonpath='{$.items}' y"
        );
    }

    #[test]
    fn fill_text_is_verbatim() {
        assert_eq!(
            fill_text(
                "rate(x{namespace=\"<namespace>\"}[5m]) > $LIMIT",
                &bind(&[("namespace", "a \"b\""), ("LIMIT", "0.05")])
            )
            .expect("bound"),
            "rate(x{namespace=\"a \"b\"\"}[5m]) > 0.05"
        );
    }
}
