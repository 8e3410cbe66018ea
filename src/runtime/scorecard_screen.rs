//! Shows the scorecard screen (`ui::scorecard_view`) until a key is pressed.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::domain::drill_record::DrillRecord;
use crate::ui::scorecard_view;
use crate::ui::theme::Theme;

use super::terminal::TerminalGuard;

/// Set by SIGHUP / SIGTERM / SIGINT while the scorecard is up.
static HANG_UP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_hang_up(_: libc::c_int) {
    HANG_UP.store(true, Ordering::SeqCst);
}

/// The console's signal handling ended with its runtime, but the handlers it installed
/// stay and swallow the signals: without this, closing the terminal on the scorecard left
/// the process running, with crossterm spinning on the dead terminal.
fn catch_hang_up() {
    HANG_UP.store(false, Ordering::SeqCst);
    for sig in [libc::SIGHUP, libc::SIGTERM, libc::SIGINT] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; the
        // sigaction struct is zeroed and then filled in before use.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_hang_up as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
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
    catch_hang_up();
    let mut guard = TerminalGuard::enter()?;
    let mut dirty = true;
    while !HANG_UP.load(Ordering::SeqCst) {
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
