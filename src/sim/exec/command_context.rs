//! What a command in a simulated container runs against ([`Ctx`]: the state, the
//! container, the last exit status, the scenario's scripted commands), where its input
//! comes from, and the stream ids its output goes to. Shared by the shell and its
//! `curl`/`wget` builtin (`fetch.rs`).

use super::container::Container;
use crate::sim::Shared;

/// Where a command's standard input comes from.
pub trait Stdin {
    /// Everything until end of input.
    fn read_all(&mut self) -> Vec<u8>;
}

/// No input (`stdin=false`).
pub struct NoStdin;
impl Stdin for NoStdin {
    fn read_all(&mut self) -> Vec<u8> {
        Vec::new()
    }
}

/// A command's input as the shell hands it over: the session's stream, or the output of
/// the command before it in a pipeline.
pub enum Input<'a> {
    Stream(&'a mut dyn Stdin),
    Bytes(Vec<u8>),
}

impl Input<'_> {
    pub fn all(&mut self) -> Vec<u8> {
        match self {
            Input::Stream(s) => s.read_all(),
            Input::Bytes(b) => std::mem::take(b),
        }
    }
}

/// Bytes already read, handed on as a standard input (`sh -c` with a pipeline's input).
pub struct StdinBytes(pub Vec<u8>);
impl Stdin for StdinBytes {
    fn read_all(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

/// Stream ids of the remote-command protocol.
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;

/// A command the scenario scripts: its output and exit code.
pub type Script<'a> = &'a [super::ExecScript];

/// What commands run against.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub container: &'a Container,
    pub last_status: i32,
    pub scripted: Script<'a>,
    /// Set by `exit`.
    pub exited: bool,
}

impl<'a> Ctx<'a> {
    /// A fresh command context in `container`: no status yet, the scenario's scripted
    /// commands.
    pub fn new(shared: &'a Shared, container: &'a Container) -> Ctx<'a> {
        Ctx {
            shared,
            container,
            last_status: 0,
            scripted: &shared.exec_runs.scripts,
            exited: false,
        }
    }
}

pub fn err(out: &mut dyn FnMut(u8, &[u8]), msg: String) {
    out(STDERR, msg.as_bytes());
}
