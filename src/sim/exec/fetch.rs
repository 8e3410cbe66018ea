//! `curl` and `wget` in a simulated container, against the simulated application
//! (`http.rs`). Messages: curl's `(N)` errors (curl lib/strerror.c, exit codes from
//! docs/libcurl/libcurl-errors.3), busybox wget's `bad address` and `server returned
//! error`.

use super::command_context::{Ctx, STDOUT, err};
use super::http::{self, ConnectError};

/// `curl [-s] [-S] [-f] [-i] [-o FILE] URL` and `wget [-q] [-O -|FILE] URL` against the
/// simulated application. Messages: curl's `lib/strerror.c` and tool's `(N)` prefix,
/// busybox wget's `bad address` and `server returned error`.
pub fn fetch(ctx: &mut Ctx, prog: &str, args: &[&String], out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    let mut silent = false;
    let mut show_err = false;
    let mut fail = false;
    let mut include = false;
    let mut to_null = false;
    let mut url = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "-O" | "--output" => to_null = it.next().is_some_and(|f| f.as_str() != "-"),
            "-w" | "-H" | "-X" | "-m" | "--max-time" | "--connect-timeout" | "-T" => {
                it.next();
            }
            "-qO-" | "-O-" => {}
            a if a.starts_with("--") => match a {
                "--silent" => silent = true,
                "--fail" => fail = true,
                "--include" => include = true,
                "--show-error" => show_err = true,
                _ => {}
            },
            a if a.starts_with('-') => {
                silent |= a.contains('s') || a.contains('q');
                show_err |= a.contains('S');
                fail |= a.contains('f');
                include |= a.contains('i');
            }
            a => url = Some(a.to_string()),
        }
    }
    let wget = prog == "wget";
    if wget {
        fail = true;
    }
    let Some((host, port, path)) = url.as_deref().and_then(http::parse_url) else {
        if wget {
            err(out, "wget: bad address ''\n".into());
            return 1;
        }
        err(
            out,
            "curl: (3) URL rejected: No host part in the URL\n".into(),
        );
        return 3;
    };
    let quiet_errors = silent && !show_err;
    let peer = match http::connect(
        ctx.shared,
        Some(ctx.container),
        &ctx.container.namespace,
        &host,
        port,
    ) {
        Ok(p) => p,
        Err(ConnectError::Resolve(h)) => {
            if wget {
                err(out, format!("wget: bad address '{h}:{port}'\n"));
                return 1;
            }
            if !quiet_errors {
                err(out, format!("curl: (6) Could not resolve host: {h}\n"));
            }
            return 6;
        }
        Err(ConnectError::Refused { host, port }) => {
            if wget {
                err(
                    out,
                    "wget: can't connect to remote host: Connection refused\n".to_string(),
                );
                return 1;
            }
            if !quiet_errors {
                err(
                    out,
                    format!(
                        "curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n"
                    ),
                );
            }
            return 7;
        }
    };
    let answer = http::get(ctx.shared, &peer, &path);
    if fail && answer.code >= 400 {
        if wget {
            err(
                out,
                format!(
                    "wget: server returned error: HTTP/1.1 {} {}\n",
                    answer.code, answer.reason
                ),
            );
            return 1;
        }
        if !quiet_errors {
            err(
                out,
                format!(
                    "curl: (22) The requested URL returned error: {}\n",
                    answer.code
                ),
            );
        }
        return 22;
    }
    if !to_null {
        if include {
            out(
                STDOUT,
                format!(
                    "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
                    answer.code,
                    answer.reason,
                    answer.content_type,
                    answer.body.len()
                )
                .as_bytes(),
            );
        }
        out(STDOUT, answer.body.as_bytes());
    }
    0
}
