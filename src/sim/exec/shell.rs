//! A small POSIX-ish shell for simulated containers: words with single and double quotes
//! and `$VAR`/`${VAR}`/`$?` expansion, pipelines (`|`), lists (`;`, `&&`, `||`), the
//! redirections `2>&1`, `>/dev/null`, `2>/dev/null`, and `sh -c`/`bash -c` run inside it.
//! The commands it finds (`env`, `cat`, `grep`, `curl`, …, and dash's `not found` for
//! anything else) are `builtins.rs`.

pub use super::command_context::{Ctx, NoStdin, STDERR, STDOUT, Script, Stdin, err};
use super::command_context::{Input, StdinBytes};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Op(&'static str),
}

/// Splits a command line into words and operators, expanding variables.
fn tokenize(line: &str, ctx: &Ctx) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let var = |chars: &[char], i: &mut usize, out: &mut String| {
        // `$` at chars[*i]
        let mut j = *i + 1;
        let name: String = if chars.get(j) == Some(&'{') {
            let end = chars[j..].iter().position(|c| *c == '}').map(|p| j + p);
            let Some(end) = end else {
                out.push('$');
                *i += 1;
                return;
            };
            let n: String = chars[j + 1..end].iter().collect();
            j = end + 1;
            n
        } else if chars.get(j) == Some(&'?') {
            j += 1;
            "?".into()
        } else {
            let n: String = chars[j..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            j += n.len();
            n
        };
        if name.is_empty() {
            out.push('$');
        } else if name == "?" {
            out.push_str(&ctx.last_status.to_string());
        } else {
            out.push_str(ctx.container.var(&name).unwrap_or_default());
        }
        *i = j;
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '\'')
                    .ok_or("Syntax error: Unterminated quoted string")?;
                cur.extend(&chars[i + 1..i + 1 + end]);
                in_word = true;
                i += end + 2;
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Syntax error: Unterminated quoted string".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\' | '$')) => {
                            cur.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('$') => var(&chars, &mut i, &mut cur),
                        Some(c) => {
                            cur.push(*c);
                            i += 1;
                        }
                    }
                }
            }
            '\\' if i + 1 < chars.len() => {
                cur.push(chars[i + 1]);
                in_word = true;
                i += 2;
            }
            '$' => {
                var(&chars, &mut i, &mut cur);
                in_word = true;
            }
            ' ' | '\t' | '\n' | ';' | '|' | '&' => {
                if in_word {
                    toks.push(Tok::Word(std::mem::take(&mut cur)));
                    in_word = false;
                }
                let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
                let op = match (c, two.as_str()) {
                    (_, "&&") => Some("&&"),
                    (_, "||") => Some("||"),
                    ('|', _) => Some("|"),
                    (';' | '\n', _) => Some(";"),
                    ('&', _) => Some(";"),
                    _ => None,
                };
                i += op.map_or(1, |o| if o.len() == 2 { 2 } else { 1 });
                if let Some(o) = op {
                    toks.push(Tok::Op(o));
                }
            }
            '#' if !in_word => break,
            c => {
                cur.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    if in_word {
        toks.push(Tok::Word(cur));
    }
    Ok(toks)
}

/// Runs a command line; output goes to `sink(stream, bytes)`; returns the exit status.
pub fn run_line(
    ctx: &mut Ctx,
    line: &str,
    stdin: &mut dyn Stdin,
    sink: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let toks = match tokenize(line, ctx) {
        Ok(t) => t,
        Err(e) => {
            sink(STDERR, format!("sh: 1: {e}\n").as_bytes());
            return 2;
        }
    };
    // Split into (pipeline, connector before it).
    let mut lists: Vec<(&'static str, Vec<Vec<String>>)> = vec![(";", vec![vec![]])];
    for t in toks {
        match t {
            Tok::Word(w) => {
                if let Some((_, p)) = lists.last_mut()
                    && let Some(cmd) = p.last_mut()
                {
                    cmd.push(w);
                }
            }
            Tok::Op("|") => {
                if let Some((_, p)) = lists.last_mut() {
                    p.push(vec![]);
                }
            }
            Tok::Op(op) => lists.push((op, vec![vec![]])),
        }
    }
    let mut status = ctx.last_status;
    let mut stdin = Some(stdin);
    for (op, pipeline) in lists {
        if pipeline.iter().all(Vec::is_empty) {
            continue;
        }
        let skip = match op {
            "&&" => status != 0,
            "||" => status == 0,
            _ => false,
        };
        if skip {
            continue;
        }
        let mut input = match stdin.take() {
            Some(s) => Input::Stream(s),
            None => Input::Bytes(Vec::new()),
        };
        let n = pipeline.len();
        for (k, argv) in pipeline.into_iter().enumerate() {
            if k + 1 == n {
                status = command(ctx, argv, &mut input, sink);
            } else {
                let mut buf = Vec::new();
                command(ctx, argv, &mut input, &mut |s, b| {
                    if s == STDOUT {
                        buf.extend_from_slice(b);
                    } else {
                        sink(s, b);
                    }
                });
                input = Input::Bytes(buf);
            }
        }
        ctx.last_status = status;
        if ctx.exited {
            break;
        }
    }
    status
}

/// Runs one command given as words (an exec's `command`, a container's `command` +
/// `args`).
pub fn run_argv(
    ctx: &mut Ctx,
    argv: Vec<String>,
    stdin: &mut dyn Stdin,
    sink: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let status = command(ctx, argv, &mut Input::Stream(stdin), sink);
    ctx.last_status = status;
    status
}

/// One simple command with its redirections.
fn command(
    ctx: &mut Ctx,
    mut argv: Vec<String>,
    input: &mut Input,
    sink: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let (mut merge, mut null_out, mut null_err) = (false, false, false);
    argv.retain(|a| match a.as_str() {
        "2>&1" => {
            merge = true;
            false
        }
        ">/dev/null" | "1>/dev/null" => {
            null_out = true;
            false
        }
        "2>/dev/null" => {
            null_err = true;
            false
        }
        _ => true,
    });
    let mut out = |s: u8, b: &[u8]| {
        let s = if merge && s == STDERR { STDOUT } else { s };
        if (s == STDOUT && null_out) || (s == STDERR && null_err) {
            return;
        }
        sink(s, b);
    };
    match super::builtins::builtin(ctx, &argv, input, &mut out) {
        Some(status) => status,
        None => sh(ctx, &argv, input, &mut out),
    }
}

/// `sh`/`bash`/`ash` run inside the shell: `-c SCRIPT` as one command line with this
/// command's input, else each line of the input as a command line.
fn sh(ctx: &mut Ctx, argv: &[String], input: &mut Input, out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    let prog = argv.first().map(String::as_str).unwrap_or_default();
    let name = prog.rsplit('/').next().unwrap_or(prog);
    let args: Vec<&String> = argv[1..].iter().collect();
    match args.iter().position(|a| a.as_str() == "-c") {
        Some(i) => match args.get(i + 1) {
            Some(script) => {
                let mut bytes = StdinBytes(input.all());
                run_line(ctx, script, &mut bytes, out)
            }
            None => {
                err(out, format!("{name}: 0: -c requires an argument\n"));
                2
            }
        },
        None => {
            let text = String::from_utf8_lossy(&input.all()).into_owned();
            let mut status = 0;
            for line in text.lines() {
                status = run_line(ctx, line, &mut NoStdin, out);
                if ctx.exited {
                    break;
                }
            }
            status
        }
    }
}
