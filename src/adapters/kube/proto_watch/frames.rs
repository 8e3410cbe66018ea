//! A protobuf watch body cut into its frames without copying: each frame is a 4-byte
//! big-endian length and that many bytes (apimachinery `pkg/util/framer/framer.go`,
//! `lengthDelimitedFrameWriter.Write`, the `Framer` of the protobuf stream serializer in
//! `pkg/runtime/serializer/codec_factory.go`; the API server writes one frame per watch
//! event). A frame that lies wholly inside one body chunk is handed out as a slice of that
//! chunk (hyper's refcounted `Bytes`); only a frame split across chunks is put together in
//! one reusable buffer.
//!
//! A frame longer than [`MAX_FRAME`] is refused, as client-go's streaming decoder refuses
//! objects over its 16 MiB buffer (apimachinery `pkg/runtime/serializer/streaming/
//! streaming.go`, `maxBytes`): the framing is lost after it, so the body must end there.

use hyper::body::Bytes;

use super::chunk_cursor::ChunkCursor;

/// The longest frame accepted (client-go's `maxBytes`).
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// A frame longer than [`MAX_FRAME`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTooLarge(pub usize);

impl std::fmt::Display for FrameTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "watch frame of {} bytes is longer than the maximum {MAX_FRAME}",
            self.0
        )
    }
}

impl std::error::Error for FrameTooLarge {}

/// Complete frames out of appended chunks.
#[derive(Debug, Default)]
pub struct FrameBuf {
    c: ChunkCursor,
}

fn frame_len(header: &[u8]) -> Result<usize, FrameTooLarge> {
    let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if len > MAX_FRAME {
        return Err(FrameTooLarge(len));
    }
    Ok(len)
}

impl FrameBuf {
    /// Takes the next body chunk. Call it only once [`FrameBuf::next_frame`] returned
    /// `Ok(None)` (the previous chunk is read: its unfinished frame was kept).
    pub fn push(&mut self, chunk: Bytes) {
        self.c.push(chunk);
    }

    /// Moves up to `n` bytes of the chunk into `partial`.
    fn keep(&mut self, n: usize) {
        let rest = &self.c.chunk[self.c.pos..];
        let n = n.min(rest.len());
        self.c.partial.extend_from_slice(&rest[..n]);
        self.c.pos += n;
    }

    /// The next complete frame's bytes (without its length), or `None` until more is
    /// pushed.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameTooLarge> {
        self.c.forget_joined();
        if self.c.partial.is_empty() {
            let rest = &self.c.chunk[self.c.pos.min(self.c.chunk.len())..];
            if rest.len() >= 4 {
                let len = frame_len(rest)?;
                if rest.len() - 4 >= len {
                    let at = self.c.pos + 4;
                    self.c.pos = at + len;
                    return Ok(Some(&self.c.chunk[at..at + len]));
                }
            }
            self.keep(rest.len());
            return Ok(None);
        }
        if self.c.partial.len() < 4 {
            self.keep(4 - self.c.partial.len());
            if self.c.partial.len() < 4 {
                return Ok(None);
            }
        }
        let len = frame_len(&self.c.partial)?;
        self.keep(4 + len - self.c.partial.len());
        if self.c.partial.len() < 4 + len {
            return Ok(None);
        }
        self.c.joined = true;
        Ok(Some(&self.c.partial[4..]))
    }

    /// The bytes of an unfinished frame (at the end of a body: the body was cut).
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

    fn framed(frames: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for f in frames {
            out.extend_from_slice(&u32::try_from(f.len()).expect("small").to_be_bytes());
            out.extend_from_slice(f);
        }
        out
    }

    /// Every frame of `chunks`, pushed one after the other.
    fn frames(b: &mut FrameBuf, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for c in chunks {
            b.push(Bytes::copy_from_slice(c));
            while let Some(f) = b.next_frame().expect("not too large") {
                out.push(f.to_vec());
            }
        }
        out
    }

    #[test]
    fn frames_split_anywhere_come_out_whole_several_per_chunk() {
        let body = framed(&[b"first", b"", b"the third frame", &[0u8; 300]]);
        let want: Vec<Vec<u8>> = vec![
            b"first".to_vec(),
            Vec::new(),
            b"the third frame".to_vec(),
            vec![0; 300],
        ];
        // All in one chunk.
        let mut b = FrameBuf::default();
        assert_eq!(frames(&mut b, &[&body]), want);
        assert_eq!(b.pending(), 0);
        // Cut at every byte (headers split too), and in chunks of every size up to 40.
        for size in 1..=40 {
            let chunks: Vec<&[u8]> = body.chunks(size).collect();
            let mut b = FrameBuf::default();
            assert_eq!(frames(&mut b, &chunks), want, "chunks of {size}");
            assert_eq!(b.pending(), 0);
        }
    }

    #[test]
    fn a_whole_frame_is_read_from_the_chunk() {
        let body = Bytes::from(framed(&[b"in place", b"split"]));
        let at = body.as_ptr() as usize;
        let mut b = FrameBuf::default();
        b.push(body.slice(..20));
        let first = b.next_frame().expect("ok").expect("a frame");
        assert_eq!(first, b"in place");
        assert_eq!(first.as_ptr() as usize, at + 4, "read in place");
        assert_eq!(b.next_frame(), Ok(None));
        assert_eq!(b.pending(), 8);
        b.push(body.slice(20..));
        assert_eq!(b.next_frame(), Ok(Some(&b"split"[..])));
        assert_eq!(b.next_frame(), Ok(None));
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn a_cut_frame_is_pending_and_a_huge_one_refused() {
        let body = framed(&[b"whole", b"cut short"]);
        let mut b = FrameBuf::default();
        assert_eq!(frames(&mut b, &[&body[..body.len() - 3]]), [b"whole"]);
        assert_eq!(b.pending(), 4 + 6);
        let mut b = FrameBuf::default();
        b.push(Bytes::from_static(&[0x7f, 0xff, 0xff, 0xff, 1, 2]));
        assert_eq!(b.next_frame(), Err(FrameTooLarge(0x7fff_ffff)));
        let mut b = FrameBuf::default();
        b.push(Bytes::from_static(&[0x7f, 0xff]));
        assert_eq!(b.next_frame(), Ok(None));
        b.push(Bytes::from_static(&[0xff, 0xff]));
        assert_eq!(b.next_frame(), Err(FrameTooLarge(0x7fff_ffff)));
    }
}
