//! The watch body framed on `\n` without copying: a line that lies wholly inside one body
//! chunk is handed out as a slice of that chunk (a refcounted `Bytes`, as hyper delivers
//! it); only a line split across chunks is put together in one reusable buffer. No
//! allocation per line: the buffer grows to the longest split line and is reused.
//!
//! The framing follows tokio-util's `LinesCodec` (what kube-client's `request_events`
//! frames watch bodies with): a line ends at `\n`, a `\r` before it is dropped, and at the
//! end of the body what is left (a final line without newline) is one more line.

use hyper::body::Bytes;

use super::chunk_cursor::ChunkCursor;

/// Complete lines out of appended chunks.
#[derive(Debug, Default)]
pub struct LineBuf {
    c: ChunkCursor,
}

/// `line` without one trailing `\r` (`LinesCodec::without_carriage_return`).
fn without_carriage_return(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r'] => rest,
        all => all,
    }
}

impl LineBuf {
    /// Takes the next body chunk. Call it only once [`LineBuf::next_line`] returned `None`
    /// (the previous chunk is read: its unfinished line was kept).
    pub fn push(&mut self, chunk: Bytes) {
        self.c.push(chunk);
    }

    /// The next complete line (without its `\n` and a `\r` before it), or `None` until
    /// more is pushed.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        self.c.forget_joined();
        let rest = &self.c.chunk[self.c.pos.min(self.c.chunk.len())..];
        match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let (a, b) = (self.c.pos, self.c.pos + i);
                self.c.pos = b + 1;
                if self.c.partial.is_empty() {
                    return Some(without_carriage_return(&self.c.chunk[a..b]));
                }
                self.c.partial.extend_from_slice(&self.c.chunk[a..b]);
                self.c.joined = true;
                Some(without_carriage_return(&self.c.partial))
            }
            None => {
                self.c.partial.extend_from_slice(rest);
                self.c.pos = self.c.chunk.len();
                None
            }
        }
    }

    /// At the end of the body: what is left after the last `\n` as a line (`None` when
    /// nothing is), as `LinesCodec::decode_eof` does. Nothing is left afterwards.
    pub fn take_rest(&mut self) -> Option<&[u8]> {
        self.c.forget_joined();
        if self.c.pos < self.c.chunk.len() {
            let rest = self.c.chunk.slice(self.c.pos..);
            self.c.partial.extend_from_slice(&rest);
            self.c.pos = self.c.chunk.len();
        }
        if self.c.partial.is_empty() {
            return None;
        }
        self.c.joined = true;
        Some(without_carriage_return(&self.c.partial))
    }

    /// The bytes of a partial line waiting for its end.
    pub fn pending(&self) -> usize {
        let kept = if self.c.joined {
            0
        } else {
            self.c.partial.len()
        };
        kept + self.c.chunk.len().saturating_sub(self.c.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(b: &mut LineBuf, chunk: &'static [u8]) {
        b.push(Bytes::from_static(chunk));
    }

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
        push(&mut b, b"{\"type\":\"ADD");
        assert!(lines(&mut b).is_empty());
        assert_eq!(b.pending(), 12);
        push(&mut b, b"ED\"}");
        assert!(lines(&mut b).is_empty());
        push(&mut b, b"\n{\"ty");
        assert_eq!(lines(&mut b), ["{\"type\":\"ADDED\"}"]);
        assert_eq!(b.pending(), 4);
        push(&mut b, b"pe\":1}\r\n");
        assert_eq!(lines(&mut b), ["{\"type\":1}"], "the \\r is dropped");
        assert_eq!(b.pending(), 0);
        assert_eq!(b.take_rest(), None);
    }

    #[test]
    fn several_lines_in_one_chunk_and_empty_lines() {
        let mut b = LineBuf::default();
        push(&mut b, b"a\nbb\n\nccc\nd");
        assert_eq!(lines(&mut b), ["a", "bb", "", "ccc"]);
        push(&mut b, b"d\n");
        assert_eq!(lines(&mut b), ["dd"]);
    }

    #[test]
    fn the_final_line_without_newline_is_the_rest() {
        let mut b = LineBuf::default();
        push(&mut b, b"one\ntwo\r");
        assert_eq!(lines(&mut b), ["one"]);
        assert_eq!(b.take_rest().map(|l| l.to_vec()), Some(b"two".to_vec()));
        assert_eq!(b.pending(), 0);
        assert_eq!(b.take_rest(), None);
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn the_buffer_is_reused_not_grown_per_line() {
        let mut b = LineBuf::default();
        let line = [b'x'; 100];
        for _ in 0..1000 {
            b.push(Bytes::copy_from_slice(&line));
            assert_eq!(b.next_line(), None);
            push(&mut b, b"\n");
            assert_eq!(b.next_line().map(|l| l.len()), Some(100));
            assert_eq!(b.next_line(), None);
        }
        assert!(b.c.partial.capacity() < 1024, "{}", b.c.partial.capacity());
    }
}

#[cfg(test)]
mod no_copy_tests {
    use super::*;

    /// A line wholly inside a chunk is a slice of the chunk itself (no copy); a line split
    /// across chunks is put together in the buffer.
    #[test]
    fn a_whole_line_is_read_from_the_chunk_a_split_one_from_the_buffer() {
        let mut b = LineBuf::default();
        let chunk = Bytes::from_static(b"first\nsec");
        let at = chunk.as_ptr() as usize;
        b.push(chunk);
        let first = b.next_line().expect("a line");
        assert_eq!(first, b"first");
        assert_eq!(first.as_ptr() as usize, at, "read in place");
        assert_eq!(b.next_line(), None);
        b.push(Bytes::from_static(b"ond\nthird\n"));
        let second = b.next_line().expect("a line");
        assert_eq!(second, b"second");
        assert_eq!(b.next_line(), Some(&b"third"[..]));
        assert_eq!(b.next_line(), None);
        assert_eq!(b.pending(), 0);
    }
}
