//! Owning the terminal: raw mode and the alternate screen, always given back —
//! on normal exit, on error, on panic, and on SIGTERM / SIGHUP (via the event loop).
//!
//! A panic on another thread than the one that took the terminal (the simulator, a
//! watcher, the journal writer) does not end the console: it is logged and queued for the
//! screen ([`take_background_panics`]), and the terminal stays the console's, so quitting
//! still works. Restoring there would leave the console drawing in cooked mode, deaf to q.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use super::frame_writer::FrameWriter;

/// Frames go to stdout whole, one write a frame ([`FrameWriter`]).
pub type Term = Terminal<CrosstermBackend<FrameWriter<Stdout>>>;

/// Whether the console holds the terminal. Restoring twice would leave the alternate
/// screen twice, which makes terminals jump the cursor back over what was printed since.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The thread that took the terminal: a panic there ends the console.
static OWNER: Mutex<Option<ThreadId>> = Mutex::new(None);

/// Panics of background threads not yet shown on screen.
static BACKGROUND_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    /// Takes the terminal: raw mode, alternate screen, bracketed paste, hidden cursor.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        if let Ok(mut owner) = OWNER.lock() {
            *owner = Some(std::thread::current().id());
        }
        enable_raw_mode()?;
        TAKEN.store(true, Ordering::SeqCst);
        let mut stdout = io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableBracketedPaste) {
            restore();
            return Err(e);
        }
        let mut terminal = match Terminal::new(CrosstermBackend::new(FrameWriter::new(stdout))) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        terminal.hide_cursor()?;
        terminal.clear()?;
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back. Does something only the first time after [`TerminalGuard::enter`],
/// and ignores every error (the terminal may be gone: SIGHUP).
pub fn restore() {
    if !TAKEN.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let mut stdout = io::stdout();
    let _ = execute!(stdout, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = stdout.flush();
}

/// Panics of background threads since the last call, one line each
/// (`thread NAME: MESSAGE at FILE:LINE`), for the screen.
pub fn take_background_panics() -> Vec<String> {
    BACKGROUND_PANICS
        .lock()
        .map(|mut q| std::mem::take(&mut *q))
        .unwrap_or_default()
}

/// Whether a panic on the current thread ends the console: it is the thread that took the
/// terminal, or the terminal is not taken.
fn ends_the_console() -> bool {
    if !TAKEN.load(Ordering::SeqCst) {
        return true;
    }
    let owner = OWNER.lock().ok().and_then(|o| *o);
    owner.is_none_or(|id| id == std::thread::current().id())
}

/// One line describing a panic: thread, message, location.
fn describe(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string());
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("unnamed");
    match info.location() {
        Some(l) => format!("thread {name}: {message} at {}:{}", l.file(), l.line()),
        None => format!("thread {name}: {message}"),
    }
}

/// On panic of the console's thread, restore the terminal first so the message is
/// readable, then report. On panic of a background thread, log it and queue it for the
/// screen, leaving the terminal to the console.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !ends_the_console() {
                let line = describe(info);
                tracing::error!("panic in a background thread: {line}");
                if let Ok(mut q) = BACKGROUND_PANICS.lock() {
                    q.push(line);
                }
                return;
            }
            restore();
            tracing::error!("panic: {info}");
            previous(info);
            eprintln!(
                "\nbackout crashed. Every confirmed step is in the journal: `backout resume` continues where you were."
            );
        }));
    });
}
