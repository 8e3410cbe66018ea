//! What the two body framings (`lines.rs`: JSON lines, `frames.rs`: length-delimited
//! protobuf frames) share: the body chunk being read, where reading is in it, and the
//! start of a line or frame split across chunks, put together in one reusable buffer.

use hyper::body::Bytes;

/// A body chunk being read, and the unfinished piece carried over from earlier chunks.
#[derive(Debug, Default)]
pub struct ChunkCursor {
    /// The chunk being read.
    pub chunk: Bytes,
    /// Where the next unread byte is in `chunk`.
    pub pos: usize,
    /// The start of a line or frame split across chunks, waiting for its end.
    pub partial: Vec<u8>,
    /// `partial` was handed out whole: empty it before reading on.
    pub joined: bool,
}

impl ChunkCursor {
    /// Empties `partial` once it has been handed out.
    pub fn forget_joined(&mut self) {
        if self.joined {
            self.partial.clear();
            self.joined = false;
        }
    }

    /// Takes the next body chunk; the previous one must be read (its unfinished piece
    /// kept in `partial`).
    pub fn push(&mut self, chunk: Bytes) {
        self.forget_joined();
        debug_assert!(self.pos >= self.chunk.len(), "the previous chunk is read");
        self.chunk = chunk;
        self.pos = 0;
    }
}
