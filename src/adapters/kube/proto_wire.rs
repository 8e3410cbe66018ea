//! The protobuf wire format, read by hand: a message is a run of fields, each a varint
//! key (`field number << 3 | wire type`) and a value — a varint (wire type 0), 8 bytes
//! (1), a length-prefixed run of bytes (2: strings, bytes, sub-messages, packed lists)
//! or 4 bytes (5) (<https://protobuf.dev/programming-guides/encoding/>). Kubernetes'
//! messages (`generated.proto`, proto2, gogo-protobuf) use only these; groups (3, 4) are
//! an error. Reading a field costs its key and length: a sub-message or string the
//! caller does not want is skipped by its length, and the ones it wants are slices of the
//! input, never copied.
//!
//! Malformed input (a length past the end, a varint of more than 10 bytes, an unknown
//! wire type, field number 0) is an error, never a panic.

use std::fmt;

/// What is wrong with a protobuf message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoError {
    /// A field's key, varint or bytes run past the end of the message.
    Truncated,
    /// A varint longer than 10 bytes.
    VarintTooLong,
    /// A wire type this reader does not know (3 and 4: groups; 6, 7: none).
    WireType(u8),
    /// Field number 0 (reserved).
    FieldZero,
    /// A field with another wire type than its `.proto` declares.
    UnexpectedWireType { field: u32 },
    /// The bytes are not what the envelope must hold.
    Envelope(String),
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("protobuf message truncated"),
            Self::VarintTooLong => f.write_str("protobuf varint longer than 10 bytes"),
            Self::WireType(w) => write!(f, "unsupported protobuf wire type {w}"),
            Self::FieldZero => f.write_str("protobuf field number 0"),
            Self::UnexpectedWireType { field } => {
                write!(f, "protobuf field {field} has an unexpected wire type")
            }
            Self::Envelope(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ProtoError {}

/// One field's value, as the wire carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32,
}

impl<'a> Value<'a> {
    /// The bytes of a length-delimited field (string, bytes, sub-message).
    pub fn bytes(self, field: u32) -> Result<&'a [u8], ProtoError> {
        match self {
            Value::Bytes(b) => Ok(b),
            _ => Err(ProtoError::UnexpectedWireType { field }),
        }
    }

    /// The value of a varint field.
    pub fn varint(self, field: u32) -> Result<u64, ProtoError> {
        match self {
            Value::Varint(v) => Ok(v),
            _ => Err(ProtoError::UnexpectedWireType { field }),
        }
    }

    /// An `int32` field (negative values are sign-extended to ten bytes on the wire).
    pub fn int32(self, field: u32) -> Result<i32, ProtoError> {
        #[allow(clippy::cast_possible_truncation)]
        self.varint(field).map(|v| v as i64 as i32)
    }

    /// An `int64` field.
    pub fn int64(self, field: u32) -> Result<i64, ProtoError> {
        #[allow(clippy::cast_possible_wrap)]
        self.varint(field).map(|v| v as i64)
    }

    /// A `bool` field.
    pub fn bool(self, field: u32) -> Result<bool, ProtoError> {
        self.varint(field).map(|v| v != 0)
    }
}

/// Reads a varint from the front of `buf`, advancing it. Most keys and lengths of a pod
/// are one byte: read inline; longer ones by [`read_long_varint`].
#[inline(always)]
pub fn read_varint(buf: &mut &[u8]) -> Result<u64, ProtoError> {
    if let Some((&b, rest)) = buf.split_first()
        && b < 0x80
    {
        *buf = rest;
        return Ok(u64::from(b));
    }
    read_long_varint(buf)
}

#[inline(never)]
fn read_long_varint(buf: &mut &[u8]) -> Result<u64, ProtoError> {
    let mut value: u64 = 0;
    for (i, &b) in buf.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            *buf = &buf[i + 1..];
            return Ok(value);
        }
    }
    if buf.len() < 10 {
        Err(ProtoError::Truncated)
    } else {
        Err(ProtoError::VarintTooLong)
    }
}

/// The fields of one message, in wire order.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    buf: &'a [u8],
}

impl<'a> Fields<'a> {
    pub fn new(message: &'a [u8]) -> Self {
        Self { buf: message }
    }

    #[inline(always)]
    fn field(&mut self) -> Result<(u32, Value<'a>), ProtoError> {
        let key = read_varint(&mut self.buf)?;
        let number = u32::try_from(key >> 3).map_err(|_| ProtoError::FieldZero)?;
        if number == 0 {
            return Err(ProtoError::FieldZero);
        }
        let value = match key & 7 {
            0 => Value::Varint(read_varint(&mut self.buf)?),
            1 => {
                self.skip(8)?;
                Value::Fixed64
            }
            2 => {
                let len = read_varint(&mut self.buf)?;
                let len = usize::try_from(len).map_err(|_| ProtoError::Truncated)?;
                let Some((head, rest)) = self.buf.split_at_checked(len) else {
                    return Err(ProtoError::Truncated);
                };
                self.buf = rest;
                Value::Bytes(head)
            }
            5 => {
                self.skip(4)?;
                Value::Fixed32
            }
            #[allow(clippy::cast_possible_truncation)]
            other => return Err(ProtoError::WireType(other as u8)),
        };
        Ok((number, value))
    }

    #[inline]
    fn skip(&mut self, n: usize) -> Result<(), ProtoError> {
        match self.buf.get(n..) {
            Some(rest) => {
                self.buf = rest;
                Ok(())
            }
            None => Err(ProtoError::Truncated),
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), ProtoError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() {
            return None;
        }
        let field = self.field();
        if field.is_err() {
            // Nothing after a malformed field can be read.
            self.buf = &[];
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_skipped_by_their_wire_type() {
        // 1: varint 150; 2: "hi"; 3: fixed64; 4: fixed32; 5: varint -1 as int32.
        let mut msg = vec![0x08, 0x96, 0x01, 0x12, 2, b'h', b'i', 0x19];
        msg.extend([0u8; 8]);
        msg.push(0x25);
        msg.extend([0u8; 4]);
        msg.push(0x28);
        msg.extend([0xff; 9]);
        msg.push(0x01);
        let fields: Vec<_> = Fields::new(&msg).collect::<Result<_, _>>().expect("valid");
        assert_eq!(
            fields,
            [
                (1, Value::Varint(150)),
                (2, Value::Bytes(b"hi")),
                (3, Value::Fixed64),
                (4, Value::Fixed32),
                (5, Value::Varint(u64::MAX)),
            ]
        );
        assert_eq!(fields[4].1.int32(5), Ok(-1));
        assert_eq!(
            fields[1].1.varint(2),
            Err(ProtoError::UnexpectedWireType { field: 2 })
        );
    }

    #[test]
    fn malformed_messages_are_errors_then_the_end() {
        for (bad, err) in [
            (&[0x12, 5, b'a'][..], ProtoError::Truncated),
            (&[0x08][..], ProtoError::Truncated),
            (&[0x08, 0x80][..], ProtoError::Truncated),
            (
                &[
                    0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                ][..],
                { ProtoError::VarintTooLong },
            ),
            (&[0x0b][..], ProtoError::WireType(3)),
            (&[0x00, 0x01][..], ProtoError::FieldZero),
            (&[0x19, 1, 2][..], ProtoError::Truncated),
        ] {
            let mut f = Fields::new(bad);
            assert_eq!(f.next(), Some(Err(err)), "{bad:?}");
            assert_eq!(f.next(), None);
        }
    }
}
