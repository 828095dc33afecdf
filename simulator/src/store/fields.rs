//! Length-prefixed fields: the one binary framing the store's records use
//! (commit intents, journal bodies, stored parts): a big-endian `u32` length,
//! then that many bytes. Decoding never trusts a length beyond the input.

/// The length prefix of a field holding `bytes` (for writing a field in pieces, without
/// copying it into a buffer first).
pub fn prefix(bytes: &[u8]) -> [u8; 4] {
    (bytes.len() as u32).to_be_bytes()
}

/// Appends `bytes` as one field.
pub fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&prefix(bytes));
    out.extend_from_slice(bytes);
}

/// Takes one field off the front of `input`; `None` when it is cut short.
pub fn take<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let n = u32::from_be_bytes(input.get(..4)?.try_into().ok()?) as usize;
    let field = input.get(4..4usize.checked_add(n)?)?;
    *input = &input[4 + n..];
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_cut_input_is_refused() {
        let mut out = Vec::new();
        put(&mut out, b"abc");
        put(&mut out, b"");
        let mut input = out.as_slice();
        assert_eq!(take(&mut input), Some(&b"abc"[..]));
        assert_eq!(take(&mut input), Some(&b""[..]));
        assert!(input.is_empty());
        let mut cut: &[u8] = &out[..5];
        assert_eq!(take(&mut cut), None);
        let mut huge: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1];
        assert_eq!(take(&mut huge), None);
    }
}
