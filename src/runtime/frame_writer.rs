//! Where the console's frames go: a frame's escape sequences gathered in memory and handed
//! to the terminal in one `write(2)` when ratatui flushes.
//!
//! `CrosstermBackend` queues a command or two per changed cell (move, colours, the symbol);
//! on `Stdout` each one locked stdout and went through its 1 KiB line buffer, so a frame
//! left in one system call per KiB, and the terminal could show it half drawn. Here the
//! commands are appended to a buffer kept from frame to frame (no allocation once it has
//! grown to a frame's size) and `flush` writes it whole. `Terminal::draw` flushes once
//! when hiding the cursor after the diff and once more at its end: the second finds
//! nothing to write and costs nothing. Bytes not flushed when the writer is dropped (a
//! frame cut short by a panic, after the terminal was given back) are never written.

use std::io::{self, Write};

/// A frame's bytes on their way to `out`.
#[derive(Debug)]
pub struct FrameWriter<W: Write> {
    out: W,
    frame: Vec<u8>,
}

impl<W: Write> FrameWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            // A 200×50 frame drawn in full is ~30 KiB of cells and escapes.
            frame: Vec::with_capacity(64 * 1024),
        }
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.frame.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.frame.extend_from_slice(buf);
        Ok(())
    }

    /// Writes what was gathered since the last flush in one piece; nothing when there is
    /// nothing (no system call).
    fn flush(&mut self) -> io::Result<()> {
        if self.frame.is_empty() {
            return Ok(());
        }
        // The bytes are dropped even when the write fails: a frame half written once is
        // redrawn whole by the next one, never written twice.
        let written = self
            .out
            .write_all(&self.frame)
            .and_then(|()| self.out.flush());
        self.frame.clear();
        written
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;

    use super::*;

    /// Counts the writes that reach it and keeps their bytes.
    #[derive(Clone, Default)]
    struct Recorder(Rc<RefCell<(usize, Vec<u8>)>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut r = self.0.borrow_mut();
            r.0 += 1;
            r.1.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A 200×40 terminal drawing to `out`.
    fn terminal<W: Write>(out: W) -> Terminal<CrosstermBackend<W>> {
        let area = ratatui::layout::Rect::new(0, 0, 200, 40);
        let viewport = ratatui::Viewport::Fixed(area);
        Terminal::with_options(
            CrosstermBackend::new(out),
            ratatui::TerminalOptions { viewport },
        )
        .expect("terminal")
    }

    /// A frame of 40 rows mentioning `text`.
    fn frame<W: Write>(terminal: &mut Terminal<CrosstermBackend<W>>, text: &str) {
        terminal
            .draw(|f| {
                let lines: Vec<Line> = (0..40)
                    .map(|i| Line::from(format!("{text} {i:>3} {}", "x".repeat(150))))
                    .collect();
                f.render_widget(Paragraph::new(lines), f.area());
            })
            .expect("draw");
    }

    #[test]
    fn a_frame_reaches_the_terminal_in_one_write_with_the_same_bytes() {
        let gathered = Recorder::default();
        let mut t = terminal(FrameWriter::new(gathered.clone()));
        let direct = Recorder::default();
        let mut u = terminal(direct.clone());
        for text in ["one", "two"] {
            let before = gathered.0.borrow().0;
            frame(&mut t, text);
            frame(&mut u, text);
            assert_eq!(gathered.0.borrow().0, before + 1, "one write a frame");
        }
        assert_eq!(gathered.0.borrow().1, direct.0.borrow().1, "the same bytes");
        assert!(
            direct.0.borrow().0 > 2,
            "unbuffered, a frame is many writes"
        );
    }
}
