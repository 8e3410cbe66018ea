//! A line split into words as a POSIX shell splits it: `'…'`, `"…"` and backslashes, `#`
//! comments. One lexer for the lines the console runs itself, in two dialects:
//!
//! - [`words`] (kubectl and argocd lines): shell operators, variables and substitutions
//!   are refused (the line then runs in a shell, not natively);
//! - [`curl_words`] (`curl` lines to a deploy API): `$NAME` is kept as written (the
//!   token's variable is read by the console) and `|` is a word of its own (the `| jq`
//!   after the request); other shell operators and substitutions are refused.

/// What the lexer keeps that a kubectl line refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// Operators, variables and substitutions refused.
    Kubectl,
    /// `$NAME` kept, `|` a word; `||`, other operators and substitutions refused.
    Curl,
}

/// Splits a line into words like a POSIX shell, refusing shell operators.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    lex(line, Dialect::Kubectl)
}

/// Splits a `curl` line into words, with `|` a word of its own and `$` kept as is.
pub fn curl_words(line: &str) -> Result<Vec<String>, String> {
    lex(line, Dialect::Curl)
}

fn lex(line: &str, dialect: Dialect) -> Result<Vec<String>, String> {
    let curl = dialect == Dialect::Curl;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some('\n') => {}
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some('`') if curl => return Err("command substitution".into()),
                        Some('$') if curl && chars.peek() == Some(&'(') => {
                            return Err("command substitution".into());
                        }
                        Some('$') | Some('`') if !curl => {
                            return Err("shell expansion inside double quotes".into());
                        }
                        Some(x) => cur.push(x),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(x) => {
                    in_word = true;
                    cur.push(x);
                }
                None => {}
            },
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '|' if curl => {
                if chars.peek() == Some(&'|') {
                    return Err("shell operator ||".into());
                }
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                out.push("|".into());
            }
            '|' | '&' | ';' | '>' | '<' | '`' | '(' | ')' => {
                return Err(if curl {
                    format!("shell operator {c}")
                } else {
                    format!("shell operator {c:?}: run it in a shell")
                });
            }
            '$' if curl && chars.peek() == Some(&'(') => {
                return Err("command substitution".into());
            }
            '$' if !curl => return Err("shell variable or substitution: fill it in first".into()),
            '#' if !in_word => break,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_dialects_differ_only_in_variables_and_pipes() {
        let line = r#"curl -H "Authorization: Bearer $TOKEN" 'https://h/x' | jq -r .a # c"#;
        assert_eq!(
            curl_words(line).expect("curl"),
            [
                "curl",
                "-H",
                "Authorization: Bearer $TOKEN",
                "https://h/x",
                "|",
                "jq",
                "-r",
                ".a"
            ]
        );
        assert_eq!(
            words(line).expect_err("kubectl"),
            "shell expansion inside double quotes"
        );
        assert_eq!(
            words("kubectl get pods | grep x").expect_err("pipe"),
            "shell operator '|': run it in a shell"
        );
        assert_eq!(
            words("kubectl -n $NS get pods").expect_err("variable"),
            "shell variable or substitution: fill it in first"
        );
        assert_eq!(
            curl_words("curl a || b").expect_err("or"),
            "shell operator ||"
        );
        assert_eq!(
            curl_words("curl a; b").expect_err("semi"),
            "shell operator ;"
        );
        assert_eq!(
            curl_words("curl \"$(id)\"").expect_err("subst"),
            "command substitution"
        );
        assert_eq!(
            curl_words("curl $(id)").expect_err("subst"),
            "command substitution"
        );
        assert_eq!(
            words(r#"kubectl set env deploy/x "A=b c" D=e\ f"#).expect("words"),
            ["kubectl", "set", "env", "deploy/x", "A=b c", "D=e f"]
        );
    }
}
