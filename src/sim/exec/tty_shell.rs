//! The interactive shell of a container on a TTY (`kubectl exec -it … -- sh`, a debug
//! container's shell): echo, line editing and the prompt, each line run by `shell.rs`.

use super::command_context::{Ctx, STDOUT};
use super::shell;

/// An interactive shell on a TTY: echo, line editing (backspace, ^C, ^D), a `# ` prompt.
pub fn interactive(
    ctx: &mut Ctx,
    rx: std::sync::mpsc::Receiver<Option<Vec<u8>>>,
    sink: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let mut line: Vec<u8> = Vec::new();
    sink(STDOUT, b"# ");
    while let Ok(Some(chunk)) = rx.recv() {
        for b in chunk {
            match b {
                b'\r' | b'\n' => {
                    sink(STDOUT, b"\r\n");
                    let text = String::from_utf8_lossy(&line).into_owned();
                    line.clear();
                    shell::run_line(ctx, &text, &mut shell::NoStdin, sink);
                    if ctx.exited {
                        return ctx.last_status;
                    }
                    sink(STDOUT, b"# ");
                }
                0x7f | 0x08 => {
                    if line.pop().is_some() {
                        sink(STDOUT, b"\x08 \x08");
                    }
                }
                0x03 => {
                    line.clear();
                    sink(STDOUT, b"^C\r\n# ");
                }
                0x04 if line.is_empty() => {
                    sink(STDOUT, b"\r\n");
                    return ctx.last_status;
                }
                b => {
                    line.push(b);
                    sink(STDOUT, &[b]);
                }
            }
        }
    }
    ctx.last_status
}
