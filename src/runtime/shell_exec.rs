//! The shell executor: a confirmed command spawned in `/bin/sh` (its own process group),
//! each output line sent as `Msg::Output` and its end as `Msg::Exited`; cancelling sends
//! SIGTERM to the group. A command block runs in one shell per block
//! (`adapters::shell_session`), fed line by line: each line's end is `Msg::LineExited`,
//! and cancelling a line interrupts that line only.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use tokio::sync::mpsc;

use crate::adapters::shell::{self, CommandHandle, OutputStream, ShellEvent};
use crate::adapters::shell_session::{SessionEvent, ShellSession};
use crate::ui::effect::ShellEffect;
use crate::ui::msg::{Msg, Stream};

/// A block's shell and the line running in it.
struct Block {
    session: ShellSession,
    /// The line run now (its run number), for output and its end.
    current: Arc<AtomicU32>,
    /// A line was fed and has not ended yet.
    line_running: Arc<AtomicBool>,
}

/// The commands running, by run number, and the environment every command gets.
pub struct ShellExec {
    commands: HashMap<u32, CommandHandle>,
    /// Blocks running line by line, by block number.
    blocks: HashMap<u32, Block>,
    /// Environment every shell command gets before its own (`KUBECONFIG` pinning the
    /// console's context).
    env: Vec<(String, String)>,
}

impl ShellExec {
    pub fn new(env: Vec<(String, String)>) -> ShellExec {
        ShellExec {
            commands: HashMap::new(),
            blocks: HashMap::new(),
            env,
        }
    }

    /// The shell family's effects.
    pub fn execute(&mut self, effect: ShellEffect, tx: &mpsc::Sender<Msg>) {
        match effect {
            ShellEffect::Spawn { run, script, env } => self.spawn(run, &script, env, tx),
            ShellEffect::Cancel { run } => self.cancel(run),
            ShellEffect::Line {
                block,
                run,
                text,
                every_secs,
                env,
            } => self.run_line(block, run, &text, every_secs, env, tx),
            ShellEffect::End { block } => self.end_block(block),
            ShellEffect::PreviewLine {
                block,
                line,
                preview,
            } => self.preview_line(block, line, preview, tx),
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
                            ShellEvent::Line { stream, text } => output(run, stream, text),
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

    /// Runs a changing kubectl line's preview (server dry run, live object) with the
    /// shell's environment (the same `KUBECONFIG`), answered with `Msg::LinePreviewed`.
    pub fn preview_line(
        &self,
        block: u32,
        line: usize,
        preview: crate::domain::cluster::line_preview::LinePreview,
        tx: &mpsc::Sender<Msg>,
    ) {
        let env = self.env.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let answer = crate::adapters::kubectl_preview::run(&preview, &env).await;
            let _ = tx
                .send(Msg::LinePreviewed {
                    block,
                    line,
                    answer,
                })
                .await;
        });
    }

    /// SIGTERM to run `run`'s process group, if it is running; a block's line is
    /// interrupted instead (that line stops, the shell goes on).
    pub fn cancel(&self, run: u32) {
        if let Some(b) = self
            .blocks
            .values()
            .find(|b| b.current.load(Ordering::SeqCst) == run && !b.session.is_gone())
        {
            b.session.interrupt();
            return;
        }
        if let Some(h) = self.commands.get(&run) {
            h.cancel();
        }
    }

    /// Runs line run `run` of block `block` in its shell, starting one (with `env`) when
    /// the block has none or its shell has ended.
    pub fn run_line(
        &mut self,
        block: u32,
        run: u32,
        text: &str,
        every_secs: Option<u64>,
        env: Vec<(String, String)>,
        tx: &mpsc::Sender<Msg>,
    ) {
        if self.blocks.get(&block).is_none_or(|b| b.session.is_gone()) {
            self.blocks.remove(&block);
            let env: Vec<(String, String)> = self.env.iter().cloned().chain(env).collect();
            match self.start_block(block, &env, tx) {
                Ok(b) => {
                    self.blocks.insert(block, b);
                }
                Err(e) => {
                    let _ = tx.try_send(Msg::Output {
                        run,
                        stream: Stream::Stderr,
                        line: format!("backout: could not start /bin/sh: {e}"),
                    });
                    shell_gone(tx, block, run);
                    return;
                }
            }
        }
        let Some(b) = self.blocks.get(&block) else {
            return;
        };
        b.current.store(run, Ordering::SeqCst);
        b.line_running.store(true, Ordering::SeqCst);
        if !b.session.run_line(text, every_secs) {
            b.line_running.store(false, Ordering::SeqCst);
            shell_gone(tx, block, run);
        }
    }

    /// Block `block` is over: its shell reads end of file and exits.
    pub fn end_block(&mut self, block: u32) {
        if let Some(b) = self.blocks.remove(&block) {
            if b.line_running.load(Ordering::SeqCst) {
                b.session.kill();
            }
            b.session.end();
        }
    }

    fn start_block(
        &self,
        block: u32,
        env: &[(String, String)],
        tx: &mpsc::Sender<Msg>,
    ) -> std::io::Result<Block> {
        let (etx, mut erx) = mpsc::channel::<SessionEvent>(256);
        let session = ShellSession::start(env, etx)?;
        let current = Arc::new(AtomicU32::new(0));
        let line_running = Arc::new(AtomicBool::new(false));
        let (cur, running, tx) = (current.clone(), line_running.clone(), tx.clone());
        tokio::spawn(async move {
            while let Some(ev) = erx.recv().await {
                let run = cur.load(Ordering::SeqCst);
                let msg = match ev {
                    SessionEvent::Line { stream, text } => output(run, stream, text),
                    SessionEvent::Frame => Msg::OutputFrame { run },
                    SessionEvent::LineDone {
                        exit_code,
                        duration_ms,
                    } => {
                        running.store(false, Ordering::SeqCst);
                        Msg::LineExited {
                            block,
                            run,
                            exit_code: Some(exit_code),
                            shell_gone: false,
                            duration_ms,
                        }
                    }
                    SessionEvent::ShellExited {
                        exit_code,
                        signal,
                        duration_ms,
                    } => {
                        // Only a line that was running ends with the shell.
                        if !running.swap(false, Ordering::SeqCst) {
                            break;
                        }
                        Msg::LineExited {
                            block,
                            run,
                            exit_code: exit_code.filter(|_| signal.is_none()),
                            shell_gone: true,
                            duration_ms,
                        }
                    }
                };
                if tx.send(msg).await.is_err() {
                    break;
                }
            }
        });
        Ok(Block {
            session,
            current,
            line_running,
        })
    }
}

/// A line a command printed, as the console's message.
fn output(run: u32, stream: OutputStream, line: String) -> Msg {
    let stream = match stream {
        OutputStream::Stdout => Stream::Stdout,
        OutputStream::Stderr => Stream::Stderr,
    };
    Msg::Output { run, stream, line }
}

/// Line run `run` of block `block` ended before it began: its shell could not start or
/// took no more input (no exit code, nothing ran).
fn shell_gone(tx: &mpsc::Sender<Msg>, block: u32, run: u32) {
    let _ = tx.try_send(Msg::LineExited {
        block,
        run,
        exit_code: None,
        shell_gone: true,
        duration_ms: 0,
    });
}
