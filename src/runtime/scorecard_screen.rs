//! Shows the scorecard screen (`ui::scorecard_view`) until a key is pressed.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::domain::drill_record::DrillRecord;
use crate::ui::scorecard_view;
use crate::ui::theme::Theme;

use super::terminal::TerminalGuard;

/// Set once SIGHUP, SIGTERM, SIGINT or SIGQUIT arrived since [`watch_stop_signals`].
static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Starts noting stop signals (idempotent). A drill calls it before its console starts, so
/// a signal that ends the console also keeps the scorecard screen from waiting for a key:
/// the drill writes its scorecard and exits. The console's own handlers stay and swallow
/// the signals, so without this closing the terminal on the scorecard left the process
/// running, with crossterm spinning on the dead terminal. signal-hook's flag handler
/// replaces a hand-written `sigaction`: no `unsafe`.
pub fn watch_stop_signals() {
    let flag = STOP.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [SIGHUP, SIGTERM, SIGINT, SIGQUIT] {
            if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&flag)) {
                tracing::warn!("cannot watch signal {sig}: {e}");
            }
        }
        flag
    });
    let _ = flag;
}

/// Whether a stop signal arrived since [`watch_stop_signals`].
pub fn stop_requested() -> bool {
    STOP.get().is_some_and(|f| f.load(Ordering::SeqCst))
}

enum Input {
    None,
    Ready,
    HungUp,
}

/// Waits up to `timeout` for the terminal (standard input) to have something to read.
/// crossterm's own poll spins without end on a terminal that has hung up, so the hang-up
/// is noticed here first.
fn wait_for_input(timeout: Duration) -> io::Result<Input> {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, its count, a timeout; poll writes only `revents`.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::Interrupted => Ok(Input::None),
            _ => Err(e),
        };
    }
    if fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Ok(Input::HungUp);
    }
    Ok(if n == 0 { Input::None } else { Input::Ready })
}

/// Takes the terminal, draws the scorecard (redrawing on resize) and returns on the first
/// key press, or when the terminal hangs up or the process is asked to stop.
pub fn show(
    theme: &Theme,
    current: Option<&DrillRecord>,
    history: &[DrillRecord],
) -> io::Result<()> {
    watch_stop_signals();
    if stop_requested() {
        return Ok(());
    }
    let mut guard = TerminalGuard::enter()?;
    let mut dirty = true;
    while !stop_requested() {
        if dirty {
            guard
                .terminal
                .draw(|f| scorecard_view::render(theme, current, history, f))?;
            dirty = false;
        }
        match wait_for_input(Duration::from_millis(200))? {
            Input::None => continue,
            Input::HungUp => break,
            Input::Ready => {}
        }
        if !event::poll(Duration::ZERO)? {
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => break,
            Event::Resize(..) => dirty = true,
            _ => {}
        }
    }
    drop(guard);
    Ok(())
}
