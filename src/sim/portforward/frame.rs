//! SPDY/3.1 framing as `kubectl port-forward` speaks it (moby/spdystream `spdy/types.go`,
//! `spdy/read.go`, `spdy/write.go`): an 8-byte frame header — control frames `1`, version
//! 15 bits (3), type 16 bits, flags 8 bits, length 24 bits; data frames `0`, stream id 31
//! bits, flags 8 bits, length 24 bits — and header blocks (`u32` pair count, then `u32`
//! length-prefixed lowercase names and NUL-separated values) compressed as one zlib stream
//! per direction with SPDY's preset dictionary, each block ending in a sync flush.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::dictionary::HEADER_DICTIONARY;

/// `spdy.Version`.
const VERSION: u16 = 3;
/// Control frame types (`spdy/types.go`).
pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const PING: u16 = 6;
pub const GOAWAY: u16 = 7;
/// `ControlFlagFin` / `DataFlagFin`.
pub const FLAG_FIN: u8 = 1;
/// RST_STREAM status codes (`spdy/types.go`): `ProtocolError`, `Cancel`.
pub const PROTOCOL_ERROR: u32 = 1;
/// The most data a frame carries here (SPDY allows 2^24 - 1; spdystream writes 64 KiB).
const MAX_DATA: usize = 32 * 1024;

/// A frame as read off the connection; header blocks still compressed.
#[derive(Debug, Clone, PartialEq)]
pub enum RawFrame {
    Control {
        kind: u16,
        flags: u8,
        payload: Vec<u8>,
    },
    Data {
        stream: u32,
        flags: u8,
        data: Vec<u8>,
    },
}

/// Why a connection cannot go on.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpdyError {
    #[error("unsupported SPDY version {0}")]
    Version(u16),
    #[error("malformed {0} frame")]
    Malformed(&'static str),
    #[error("header block: {0}")]
    Compression(String),
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// The first complete frame at the start of `buf` and its length in bytes, or `None`
/// while more bytes are needed.
pub fn parse(buf: &[u8]) -> Result<Option<(RawFrame, usize)>, SpdyError> {
    if buf.len() < 8 {
        return Ok(None);
    }
    let word = be32(&buf[..4]);
    let flags = buf[4];
    let len = (be32(&buf[4..8]) & 0x00ff_ffff) as usize;
    if buf.len() < 8 + len {
        return Ok(None);
    }
    let payload = buf[8..8 + len].to_vec();
    let frame = if word & 0x8000_0000 != 0 {
        let version = ((word >> 16) & 0x7fff) as u16;
        if version != VERSION {
            return Err(SpdyError::Version(version));
        }
        RawFrame::Control {
            kind: (word & 0xffff) as u16,
            flags,
            payload,
        }
    } else {
        RawFrame::Data {
            stream: word & 0x7fff_ffff,
            flags,
            data: payload,
        }
    };
    Ok(Some((frame, 8 + len)))
}

fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&((u32::from(flags) << 24) | payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// DATA frames for `data` (several when it is long; one empty frame for a bare FIN).
pub fn data(stream: u32, fin: bool, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut chunks: Vec<&[u8]> = data.chunks(MAX_DATA).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let flags = if fin && i == last { FLAG_FIN } else { 0 };
        out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
        out.extend_from_slice(&((u32::from(flags) << 24) | chunk.len() as u32).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// RST_STREAM with a status code.
pub fn rst_stream(stream: u32, status: u32) -> Vec<u8> {
    let mut p = stream.to_be_bytes().to_vec();
    p.extend_from_slice(&status.to_be_bytes());
    control(RST_STREAM, 0, &p)
}

/// PING with the peer's id (the answer to its ping: `handlePingFrame`).
pub fn ping(id: u32) -> Vec<u8> {
    control(PING, 0, &id.to_be_bytes())
}

/// SYN_REPLY for a stream with an already compressed header block.
pub fn syn_reply(stream: u32, block: &[u8]) -> Vec<u8> {
    let mut p = stream.to_be_bytes().to_vec();
    p.extend_from_slice(block);
    control(SYN_REPLY, 0, &p)
}

/// A SYN_STREAM's stream id and compressed header block (`readSynStreamFrame`: stream
/// id, associated stream id, priority, slot, then the block).
pub fn syn_stream(payload: &[u8]) -> Result<(u32, &[u8]), SpdyError> {
    if payload.len() < 10 {
        return Err(SpdyError::Malformed("SYN_STREAM"));
    }
    Ok((be32(&payload[..4]) & 0x7fff_ffff, &payload[10..]))
}

/// The header pairs of an uncompressed block (`parseHeaderValueBlock`), names lowercase.
pub fn header_pairs(block: &[u8]) -> Result<Vec<(String, String)>, SpdyError> {
    let bad = || SpdyError::Malformed("header block");
    let mut pos = 0usize;
    let mut take = |n: usize| -> Result<&[u8], SpdyError> {
        let s = block.get(pos..pos + n).ok_or_else(bad)?;
        pos += n;
        Ok(s)
    };
    let count = be32(take(4)?);
    let mut out = Vec::new();
    for _ in 0..count {
        let n = be32(take(4)?) as usize;
        let name = String::from_utf8_lossy(take(n)?).to_lowercase();
        let n = be32(take(4)?) as usize;
        let value = String::from_utf8_lossy(take(n)?).into_owned();
        out.push((name, value));
    }
    Ok(out)
}

/// An uncompressed header block (`writeHeaderValueBlock`).
pub fn header_block(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = (pairs.len() as u32).to_be_bytes().to_vec();
    for (name, value) in pairs {
        out.extend_from_slice(&(name.len() as u32).to_be_bytes());
        out.extend_from_slice(name.to_lowercase().as_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// One direction's header compression: a zlib stream over the whole connection.
pub struct Inflater(Decompress);

impl Default for Inflater {
    fn default() -> Self {
        Inflater(Decompress::new(true))
    }
}

impl Inflater {
    /// The uncompressed bytes of the next header block (the peer's zlib header asks for
    /// the SPDY dictionary on the first one).
    pub fn inflate(&mut self, block: &[u8]) -> Result<Vec<u8>, SpdyError> {
        let mut out = Vec::with_capacity(block.len() * 4 + 64);
        let mut pos = 0usize;
        loop {
            let (in_before, out_before) = (self.0.total_in(), out.len());
            let r = self
                .0
                .decompress_vec(&block[pos..], &mut out, FlushDecompress::Sync);
            pos += (self.0.total_in() - in_before) as usize;
            match r {
                Ok(Status::StreamEnd) => return Ok(out),
                Ok(_) => {}
                Err(e) if e.needs_dictionary().is_some() => {
                    self.0
                        .set_dictionary(HEADER_DICTIONARY)
                        .map_err(|e| SpdyError::Compression(e.to_string()))?;
                    continue;
                }
                Err(e) => return Err(SpdyError::Compression(e.to_string())),
            }
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(256));
                continue;
            }
            if pos >= block.len() {
                return Ok(out);
            }
            if self.0.total_in() == in_before && out.len() == out_before {
                return Err(SpdyError::Compression("no progress".into()));
            }
        }
    }
}

/// The writing direction: best compression with the dictionary, sync-flushed per block,
/// as spdystream's `zlib.NewWriterLevelDict(…, BestCompression, headerDictionary)`.
pub struct Deflater(Compress);

impl Default for Deflater {
    fn default() -> Self {
        let mut c = Compress::new(Compression::best(), true);
        // Setting the dictionary on a fresh stream cannot fail (zlib `deflateSetDictionary`).
        let _ = c.set_dictionary(HEADER_DICTIONARY);
        Deflater(c)
    }
}

impl Deflater {
    /// The compressed form of one header block, ending on a byte boundary.
    pub fn deflate(&mut self, block: &[u8]) -> Result<Vec<u8>, SpdyError> {
        let mut out = Vec::with_capacity(block.len() + 64);
        let mut pos = 0usize;
        loop {
            let in_before = self.0.total_in();
            self.0
                .compress_vec(&block[pos..], &mut out, FlushCompress::Sync)
                .map_err(|e| SpdyError::Compression(e.to_string()))?;
            pos += (self.0.total_in() - in_before) as usize;
            if out.len() < out.capacity() && pos >= block.len() {
                return Ok(out);
            }
            out.reserve(out.capacity().max(256));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_blocks_round_trip_through_one_zlib_stream_per_direction() {
        let (mut d, mut i) = (Deflater::default(), Inflater::default());
        for n in 0..3 {
            let id = n.to_string();
            let block = header_block(&[
                ("streamtype", "error"),
                ("port", "8080"),
                ("requestid", &id),
            ]);
            let wire = d.deflate(&block).expect("compresses");
            let back = i.inflate(&wire).expect("inflates");
            assert_eq!(
                header_pairs(&back).expect("parses"),
                vec![
                    ("streamtype".to_string(), "error".to_string()),
                    ("port".into(), "8080".into()),
                    ("requestid".into(), id)
                ]
            );
        }
    }

    #[test]
    fn frames_parse_once_complete() {
        let f = data(3, true, b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(parse(&f[..7]), Ok(None));
        assert_eq!(parse(&f[..f.len() - 1]), Ok(None));
        let (frame, used) = parse(&f).expect("valid").expect("complete");
        assert_eq!(used, f.len());
        assert_eq!(
            frame,
            RawFrame::Data {
                stream: 3,
                flags: FLAG_FIN,
                data: b"GET / HTTP/1.1\r\n\r\n".to_vec()
            }
        );
        let (frame, _) = parse(&ping(7)).expect("valid").expect("complete");
        assert_eq!(
            frame,
            RawFrame::Control {
                kind: PING,
                flags: 0,
                payload: 7u32.to_be_bytes().to_vec()
            }
        );
        let mut v2 = ping(1);
        v2[1] = 2;
        assert_eq!(parse(&v2), Err(SpdyError::Version(2)));
        assert!(header_pairs(&[0, 0, 0, 1, 0, 0, 0, 9]).is_err());
    }
}
