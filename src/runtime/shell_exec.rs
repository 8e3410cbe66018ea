//! The shell executor: a confirmed command spawned in `/bin/sh` (its own process group),
//! each output line sent as `Msg::Output` and its end as `Msg::Exited`; cancelling sends
//! SIGTERM to the group.

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::adapters::shell::{self, CommandHandle, OutputStream, ShellEvent};
use crate::ui::msg::{Msg, Stream};

/// The commands running, by run number, and the environment every command gets.
pub struct ShellExec {
    commands: HashMap<u32, CommandHandle>,
    /// Environment every shell command gets before its own (`KUBECONFIG` pinning the
    /// console's context).
    env: Vec<(String, String)>,
}

impl ShellExec {
    pub fn new(env: Vec<(String, String)>) -> ShellExec {
        ShellExec {
            commands: HashMap::new(),
            env,
        }
    }

    /// Replaces the environment every later command gets (the console switched target).
    pub fn set_env(&mut self, env: Vec<(String, String)>) {
        self.env = env;
    }

    /// Spawns run `run`; a failure to start is answered with `Msg::SpawnFailed`.
    pub fn spawn(
        &mut self,
        run: u32,
        script: &str,
        env: Vec<(String, String)>,
        tx: &mpsc::Sender<Msg>,
    ) {
        let (etx, mut erx) = mpsc::channel::<ShellEvent>(256);
        // The step's own variables come last, so they win.
        let env: Vec<(String, String)> = self.env.iter().cloned().chain(env).collect();
        match shell::spawn(script, &env, etx) {
            Ok(handle) => {
                self.commands.insert(run, handle);
                let tx = tx.clone();
                tokio::spawn(async move {
                    while let Some(ev) = erx.recv().await {
                        let msg = match ev {
                            ShellEvent::Line { stream, text } => Msg::Output {
                                run,
                                stream: match stream {
                                    OutputStream::Stdout => Stream::Stdout,
                                    OutputStream::Stderr => Stream::Stderr,
                                },
                                line: text,
                            },
                            ShellEvent::Exited {
                                exit_code,
                                signal,
                                duration,
                            } => Msg::Exited {
                                run,
                                exit_code,
                                duration_ms: duration.as_millis() as u64,
                                cancelled: signal.is_some() && exit_code.is_none(),
                            },
                        };
                        if tx.send(msg).await.is_err() {
                            break;
                        }
                    }
                });
            }
            Err(e) => {
                let _ = tx.try_send(Msg::SpawnFailed {
                    run,
                    error: e.to_string(),
                });
            }
        }
    }

    /// SIGTERM to run `run`'s process group, if it is running.
    pub fn cancel(&self, run: u32) {
        if let Some(h) = self.commands.get(&run) {
            h.cancel();
        }
    }
}
