//! The commands a rollback runbook runs in a simulated container, as the shell
//! (`shell.rs`) finds them: `env`, `printenv`, `echo`, `cat`, `ls`, `hostname`, `date`,
//! `sleep`, `grep`, `head`, `tail`, `wc -l`, `test`/`[`, `tar`, `true`, `false`, `exit`,
//! `id`, `whoami`, `pwd`, and `curl`/`wget` to the simulated application (`fetch.rs`); a
//! command the scenario scripts answers as scripted. Anything else is what dash answers
//! for a missing program: `sh: 1: X: not found`, exit 127.

use super::command_context::{Ctx, Input, STDERR, STDOUT, err};

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

/// Runs one command of the container: the scenario's scripted answer when one matches,
/// else the builtin of that name, else dash's `not found` (127). `None` for the shell
/// itself (`sh`, `bash`, `ash`), which the interpreter (`shell.rs`) runs.
pub fn builtin(
    ctx: &mut Ctx,
    argv: &[String],
    input: &mut Input,
    out: &mut dyn FnMut(u8, &[u8]),
) -> Option<i32> {
    let Some(prog) = argv.first() else {
        return Some(0);
    };
    let args: Vec<&String> = argv[1..].iter().collect();
    let joined = argv.join(" ");
    let app = ctx.container.pod["metadata"]["labels"]["app"].as_str();
    if let Some(s) = ctx.scripted.iter().find(|s| s.matches(&joined, app)) {
        out(STDOUT, s.stdout.as_bytes());
        out(STDERR, s.stderr.as_bytes());
        return Some(s.exit_code);
    }
    let name = prog.rsplit('/').next().unwrap_or(prog);
    Some(match name {
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
        // The shell itself: `shell.rs` runs it.
        "sh" | "bash" | "ash" => return None,
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
                return Some(2);
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
    })
}
