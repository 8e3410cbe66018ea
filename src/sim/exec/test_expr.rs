//! `test EXPR` / `[ EXPR ]` in a simulated container (dash's builtin, one primary):
//! `-d`, `-f`, `-e`, `-s` on a path, `-n`/`-z` on a string, `=`/`!=`, and `!` before
//! any of them; kubectl cp runs `test -d DEST` to decide whether to copy into a
//! directory (kubectl pkg/cmd/cp/cp.go, `checkDestinationIsDir`). 0 true, 1 false,
//! 2 a malformed expression.

use super::command_context::{Ctx, err};

/// The exit status of `test` with `args` (`[`'s closing `]` included when `bracket`).
pub fn eval(ctx: &Ctx, args: &[&String], bracket: bool, out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    let mut words: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    if bracket {
        if words.last() != Some(&"]") {
            err(out, "sh: 1: [: missing ]\n".into());
            return 2;
        }
        words.pop();
    }
    let negate = words.first() == Some(&"!");
    if negate {
        words.remove(0);
    }
    let c = ctx.container;
    let truth = match words.as_slice() {
        [] => false,
        [s] => !s.is_empty(),
        ["-d", p] => c.dir(p).is_some(),
        ["-f", p] => c.file(p).is_some(),
        ["-e", p] => c.file(p).is_some() || c.dir(p).is_some(),
        ["-s", p] => c.file(p).is_some_and(|d| !d.is_empty()) || c.dir(p).is_some(),
        ["-n", s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        [a, "=", b] => a == b,
        [a, "!=", b] => a != b,
        [op, _] => {
            err(out, format!("sh: 1: test: {op}: unexpected operator\n"));
            return 2;
        }
        _ => {
            err(out, "sh: 1: test: unexpected operator\n".into());
            return 2;
        }
    };
    i32::from(truth == negate)
}
