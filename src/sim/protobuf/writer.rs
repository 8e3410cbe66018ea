//! Protobuf wire primitives (https://protobuf.dev/programming-guides/encoding/): varints,
//! tags, length-delimited fields. Written into one `Vec<u8>`; a nested message gets a
//! one-byte length slot that is widened only when the message is 128 bytes or longer.

const VARINT: u32 = 0;
const LEN: u32 = 2;

/// Appends `v` as a base-128 varint.
pub fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn tag(buf: &mut Vec<u8>, number: u32, wire: u32) {
    varint(buf, u64::from((number << 3) | wire));
}

/// A varint field. Signed values are passed as `i64 as u64`: a negative `int32` or `int64`
/// takes ten bytes, as Go's generated code writes it (`uint64(m.X)`).
pub fn varint_field(buf: &mut Vec<u8>, number: u32, v: u64) {
    tag(buf, number, VARINT);
    varint(buf, v);
}

/// A `bytes` or `string` field.
pub fn bytes_field(buf: &mut Vec<u8>, number: u32, b: &[u8]) {
    tag(buf, number, LEN);
    varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

/// A nested message field whose body `body` appends.
pub fn message_field(buf: &mut Vec<u8>, number: u32, body: impl FnOnce(&mut Vec<u8>)) {
    tag(buf, number, LEN);
    let slot = buf.len();
    buf.push(0);
    body(buf);
    let len = buf.len() - slot - 1;
    if len < 0x80 {
        buf[slot] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(10);
        varint(&mut prefix, len as u64);
        buf.splice(slot..slot + 1, prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_negative_int32_as_go_writes_them() {
        let mut b = Vec::new();
        varint(&mut b, 300);
        assert_eq!(b, [0xac, 0x02]);
        let mut b = Vec::new();
        varint_field(&mut b, 1, -1i64 as u64);
        assert_eq!(b.len(), 11);
        assert_eq!(b[10], 0x01);
    }

    #[test]
    fn long_nested_messages_get_a_wide_length() {
        let mut b = Vec::new();
        message_field(&mut b, 2, |b| bytes_field(b, 1, &[7u8; 200]));
        // tag 0x12, length 203 as a two-byte varint, inner tag 0x0a, length 200 (two bytes).
        assert_eq!(&b[..5], &[0x12, 0xcb, 0x01, 0x0a, 0xc8]);
        assert_eq!(b.len(), 1 + 2 + 203);
    }
}
