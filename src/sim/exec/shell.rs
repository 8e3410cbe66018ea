//! A small POSIX-ish shell for simulated containers: words with single and double quotes
//! and `$VAR`/`${VAR}`/`$?` expansion, pipelines (`|`), lists (`;`, `&&`, `||`), the
//! redirections `2>&1`, `>/dev/null`, `2>/dev/null`, and the commands a rollback runbook
//! runs in a container: `env`, `printenv`, `echo`, `cat`, `ls`, `hostname`, `date`,
//! `sleep`, `sh -c`/`bash -c`, `grep`, `head`, `tail`, `wc -l`, `test`/`[`, `tar`, `true`,
//! `false`, `exit`, `id`, `whoami`, `pwd`, and `curl`/`wget` to the simulated application. Anything else
//! is what dash answers for a missing program: `sh: 1: X: not found`, exit 127, unless the
//! scenario scripts it.

pub use super::command_context::{Ctx, NoStdin, STDERR, STDOUT, Script, Stdin, err};

enum Input<'a> {
    Stream(&'a mut dyn Stdin),
    Bytes(Vec<u8>),
}

impl Input<'_> {
    fn all(&mut self) -> Vec<u8> {
        match self {
            Input::Stream(s) => s.read_all(),
            Input::Bytes(b) => std::mem::take(b),
        }
    }
}

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
    builtin(ctx, &argv, input, &mut out)
}

fn files_or_stdin(
    ctx: &Ctx,
    prog: &str,
    files: &[&String],
    input: &mut Input,
    out: &mut dyn FnMut(u8, &[u8]),
) -> (Vec<u8>, i32) {
    if files.is_empty() || files.iter().all(|f| *f == "-") {
        return (input.all(), 0);
    }
    let mut data = Vec::new();
    let mut code = 0;
    for f in files {
        match ctx.container.file(f) {
            Some(s) => data.extend_from_slice(&s),
            None if ctx.container.dir(f).is_some() => {
                err(out, format!("{prog}: {f}: Is a directory\n"));
                code = 1;
            }
            None => {
                err(out, format!("{prog}: {f}: No such file or directory\n"));
                code = if prog == "grep" { 2 } else { 1 };
            }
        }
    }
    (data, code)
}

fn builtin(
    ctx: &mut Ctx,
    argv: &[String],
    input: &mut Input,
    out: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let Some(prog) = argv.first() else { return 0 };
    let args: Vec<&String> = argv[1..].iter().collect();
    let joined = argv.join(" ");
    let app = ctx.container.pod["metadata"]["labels"]["app"].as_str();
    if let Some(s) = ctx.scripted.iter().find(|s| s.matches(&joined, app)) {
        out(STDOUT, s.stdout.as_bytes());
        out(STDERR, s.stderr.as_bytes());
        return s.exit_code;
    }
    let name = prog.rsplit('/').next().unwrap_or(prog);
    match name {
        "true" | ":" => 0,
        "false" => 1,
        "exit" => {
            ctx.exited = true;
            args.first()
                .and_then(|a| a.parse().ok())
                .unwrap_or(ctx.last_status)
        }
        "env" if args.is_empty() => {
            let text: String = ctx
                .container
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect();
            out(STDOUT, text.as_bytes());
            0
        }
        "printenv" => {
            if args.is_empty() {
                return builtin(ctx, &["env".to_string()], input, out);
            }
            let mut code = 0;
            for a in args {
                match ctx.container.var(a) {
                    Some(v) => out(STDOUT, format!("{v}\n").as_bytes()),
                    None => code = 1,
                }
            }
            code
        }
        "echo" => {
            let (newline, words) = match args.first() {
                Some(a) if a.as_str() == "-n" => (false, &args[1..]),
                _ => (true, &args[..]),
            };
            let mut s = words
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if newline {
                s.push('\n');
            }
            out(STDOUT, s.as_bytes());
            0
        }
        "tar" => super::tar::tar(ctx, &args, &mut || input.all(), out),
        "test" | "[" => super::test_expr::eval(ctx, &args, name == "[", out),
        "cat" => {
            let (data, code) = files_or_stdin(ctx, "cat", &args, input, out);
            out(STDOUT, &data);
            code
        }
        "ls" => {
            let mut paths: Vec<String> = args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .map(|a| a.to_string())
                .collect();
            if paths.is_empty() {
                paths.push("/".into());
            }
            let mut code = 0;
            for p in &paths {
                let p = if p == "." { "/" } else { p.as_str() };
                match ctx.container.dir(p) {
                    Some(entries) => {
                        let text: String = entries.iter().map(|e| format!("{e}\n")).collect();
                        out(STDOUT, text.as_bytes());
                    }
                    None if ctx.container.file(p).is_some() => {
                        out(STDOUT, format!("{p}\n").as_bytes())
                    }
                    None => {
                        err(
                            out,
                            format!("ls: cannot access '{p}': No such file or directory\n"),
                        );
                        code = 2;
                    }
                }
            }
            code
        }
        "hostname" => {
            out(STDOUT, format!("{}\n", ctx.container.hostname()).as_bytes());
            0
        }
        "date" => {
            let now = chrono::Utc::now().format("%a %b %e %H:%M:%S UTC %Y");
            out(STDOUT, format!("{now}\n").as_bytes());
            0
        }
        "sleep" => match args
            .first()
            .and_then(|a| a.trim_end_matches('s').parse::<f64>().ok())
        {
            Some(s) if s >= 0.0 => {
                std::thread::sleep(std::time::Duration::from_secs_f64(s.min(3600.0)));
                0
            }
            _ => {
                err(out, "sleep: invalid time interval\n".into());
                1
            }
        },
        "id" => {
            out(STDOUT, b"uid=0(root) gid=0(root) groups=0(root)\n");
            0
        }
        "whoami" => {
            out(STDOUT, b"root\n");
            0
        }
        "pwd" => {
            out(STDOUT, b"/\n");
            0
        }
        "sh" | "bash" | "ash" => match args.iter().position(|a| a.as_str() == "-c") {
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
        },
        "grep" => {
            let flags: String = args
                .iter()
                .filter(|a| a.starts_with('-'))
                .flat_map(|a| a.chars().skip(1))
                .collect();
            let rest: Vec<&String> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            let Some(pattern) = rest.first() else {
                err(out, "Usage: grep [OPTION]... PATTERNS [FILE]...\n".into());
                return 2;
            };
            let (data, code) = files_or_stdin(ctx, "grep", &rest[1..], input, out);
            let ci = flags.contains('i');
            let pat = if ci {
                pattern.to_lowercase()
            } else {
                pattern.to_string()
            };
            let lines: Vec<&str> = std::str::from_utf8(&data)
                .unwrap_or_default()
                .lines()
                .filter(|l| {
                    let hit = if ci {
                        l.to_lowercase().contains(&pat)
                    } else {
                        l.contains(&pat)
                    };
                    hit != flags.contains('v')
                })
                .collect();
            if flags.contains('c') {
                out(STDOUT, format!("{}\n", lines.len()).as_bytes());
            } else if !flags.contains('q') {
                let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
                out(STDOUT, text.as_bytes());
            }
            if code != 0 {
                code
            } else if lines.is_empty() {
                1
            } else {
                0
            }
        }
        "head" | "tail" => {
            let mut n = 10usize;
            let mut files = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a.as_str() == "-n" {
                    n = it.next().and_then(|v| v.parse().ok()).unwrap_or(10);
                } else if let Some(v) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')) {
                    n = v.parse().unwrap_or(10);
                } else {
                    files.push(*a);
                }
            }
            let (data, code) = files_or_stdin(ctx, name, &files, input, out);
            let text = String::from_utf8_lossy(&data);
            let lines: Vec<&str> = text.lines().collect();
            let pick = if name == "head" {
                &lines[..n.min(lines.len())]
            } else {
                &lines[lines.len().saturating_sub(n)..]
            };
            let s: String = pick.iter().map(|l| format!("{l}\n")).collect();
            out(STDOUT, s.as_bytes());
            code
        }
        "wc" => {
            let files: Vec<&String> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            let (data, code) = files_or_stdin(ctx, "wc", &files, input, out);
            let lines = data.iter().filter(|b| **b == b'\n').count();
            out(STDOUT, format!("{lines}\n").as_bytes());
            code
        }
        "curl" | "wget" => super::fetch::fetch(ctx, name, &args, out),
        _ => {
            err(out, format!("sh: 1: {prog}: not found\n"));
            127
        }
    }
}

struct StdinBytes(Vec<u8>);
impl Stdin for StdinBytes {
    fn read_all(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}
