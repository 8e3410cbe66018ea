//! The watch body framed on `\n` in one reusable buffer: body chunks are appended, complete
//! lines are handed out as mutable slices of the buffer (so that the decoder may work in
//! place), and a partial line is kept across chunks. No allocation per line: the buffer
//! grows to the longest line plus one chunk and is reused.
//!
//! The framing follows tokio-util's `LinesCodec` (what kube-client's `request_events`
//! frames watch bodies with): a line ends at `\n`, a `\r` before it is dropped, and at the
//! end of the body what is left (a final line without newline) is one more line.

/// Complete lines out of appended chunks.
#[derive(Debug, Default)]
pub struct LineBuf {
    buf: Vec<u8>,
    /// Where the next line starts.
    start: usize,
    /// Up to where `buf[start..]` is known to hold no `\n`.
    scanned: usize,
}

/// `line` without one trailing `\r` (`LinesCodec::without_carriage_return`).
fn without_carriage_return(line: &mut [u8]) -> &mut [u8] {
    match line {
        [rest @ .., b'\r'] => rest,
        all => all,
    }
}

impl LineBuf {
    /// Appends a body chunk, first dropping the lines already handed out (only the
    /// partial line, if any, is moved to the front).
    pub fn push(&mut self, chunk: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete line (without its `\n` and a `\r` before it), or `None` until
    /// more is pushed.
    pub fn next_line(&mut self) -> Option<&mut [u8]> {
        let from = self.scanned.max(self.start);
        match memchr::memchr(b'\n', &self.buf[from..]) {
            Some(i) => {
                let (a, b) = (self.start, from + i);
                self.start = b + 1;
                self.scanned = self.start;
                Some(without_carriage_return(&mut self.buf[a..b]))
            }
            None => {
                self.scanned = self.buf.len();
                None
            }
        }
    }

    /// At the end of the body: what is left after the last `\n` as a line (`None` when
    /// nothing is), as `LinesCodec::decode_eof` does. The buffer is empty afterwards.
    pub fn take_rest(&mut self) -> Option<&mut [u8]> {
        let a = self.start;
        let end = self.buf.len();
        self.start = end;
        self.scanned = end;
        if a == end {
            None
        } else {
            Some(without_carriage_return(&mut self.buf[a..end]))
        }
    }

    /// The bytes of a partial line waiting for its end.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(b: &mut LineBuf) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(l) = b.next_line() {
            out.push(String::from_utf8_lossy(l).into_owned());
        }
        out
    }

    #[test]
    fn a_line_split_across_chunks_comes_out_whole() {
        let mut b = LineBuf::default();
        b.push(b"{\"type\":\"ADD");
        assert!(lines(&mut b).is_empty());
        assert_eq!(b.pending(), 12);
        b.push(b"ED\"}");
        assert!(lines(&mut b).is_empty());
        b.push(b"\n{\"ty");
        assert_eq!(lines(&mut b), ["{\"type\":\"ADDED\"}"]);
        assert_eq!(b.pending(), 4);
        b.push(b"pe\":1}\r\n");
        assert_eq!(lines(&mut b), ["{\"type\":1}"], "the \\r is dropped");
        assert_eq!(b.pending(), 0);
        assert_eq!(b.take_rest(), None);
    }

    #[test]
    fn several_lines_in_one_chunk_and_empty_lines() {
        let mut b = LineBuf::default();
        b.push(b"a\nbb\n\nccc\nd");
        assert_eq!(lines(&mut b), ["a", "bb", "", "ccc"]);
        b.push(b"d\n");
        assert_eq!(lines(&mut b), ["dd"]);
    }

    #[test]
    fn the_final_line_without_newline_is_the_rest() {
        let mut b = LineBuf::default();
        b.push(b"one\ntwo\r");
        assert_eq!(lines(&mut b), ["one"]);
        assert_eq!(b.take_rest().map(|l| l.to_vec()), Some(b"two".to_vec()));
        assert_eq!(b.take_rest(), None);
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn the_buffer_is_reused_not_grown_per_line() {
        let mut b = LineBuf::default();
        let line = [b'x'; 100];
        for _ in 0..1000 {
            b.push(&line);
            b.push(b"\n");
            assert_eq!(b.next_line().map(|l| l.len()), Some(100));
        }
        assert!(b.buf.capacity() < 1024, "{}", b.buf.capacity());
    }
}
