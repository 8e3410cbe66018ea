//! Runs a changing kubectl line's preview (`domain::cluster::line_preview`): the line with
//! `--dry-run=server` and the live object's read, as argv (no shell), stdin closed, each
//! bounded in time and output so a hung API server or a huge list cannot stall the
//! console.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::domain::cluster::line_preview::{Captured, LinePreview, PreviewAnswer};

/// How long one preview run may take.
pub const PREVIEW_TIMEOUT: Duration = Duration::from_secs(30);
/// Most output kept from one run.
const MAX_OUTPUT: usize = 1 << 20;

/// Runs both of a preview's commands, the live read first (it must show the object as
/// it is before the dry run is asked).
pub async fn run(preview: &LinePreview, env: &[(String, String)]) -> PreviewAnswer {
    let live = match &preview.live {
        Some(argv) => Some(capture(argv, env).await),
        None => None,
    };
    let dry_run = capture(&preview.dry_run, env).await;
    PreviewAnswer { dry_run, live }
}

/// Runs `argv` and keeps what it printed.
pub async fn capture(argv: &[String], env: &[(String, String)]) -> Captured {
    let Some((program, args)) = argv.split_first() else {
        return failed("nothing to run".into());
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return failed(format!("{program}: {e}")),
    };
    match tokio::time::timeout(PREVIEW_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(out)) => Captured {
            ok: out.status.success(),
            stdout: bounded(&out.stdout),
            stderr: bounded(&out.stderr),
        },
        Ok(Err(e)) => failed(format!("{program}: {e}")),
        Err(_) => failed(format!(
            "{program} gave no answer within {} s",
            PREVIEW_TIMEOUT.as_secs()
        )),
    }
}

fn failed(stderr: String) -> Captured {
    Captured {
        ok: false,
        stdout: String::new(),
        stderr,
    }
}

fn bounded(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_OUTPUT)];
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn captures_output_and_status_and_a_missing_program_fails() {
        let ok = capture(
            &["sh".into(), "-c".into(), "echo out; echo err >&2".into()],
            &[],
        )
        .await;
        assert_eq!(
            ok,
            Captured {
                ok: true,
                stdout: "out\n".into(),
                stderr: "err\n".into()
            }
        );
        let env = [("PREVIEW_X".to_string(), "7".to_string())];
        let bad = capture(
            &["sh".into(), "-c".into(), "echo $PREVIEW_X; exit 3".into()],
            &env,
        )
        .await;
        assert!(!bad.ok);
        assert_eq!(bad.stdout, "7\n");
        let missing = capture(&["no-such-kubectl-here".into()], &[]).await;
        assert!(!missing.ok);
        assert!(
            missing.stderr.starts_with("no-such-kubectl-here: "),
            "{missing:?}"
        );
    }
}
