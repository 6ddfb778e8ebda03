//! Byte searches eight bytes at a time ("SIMD within a register"), or sixteen with the
//! vectors of `wide` (SSE2 on x86-64, plain code elsewhere; no `unsafe` here), for the short
//! strings policies are made of, where a call into `memchr` costs more than the search.

use wide::{CmpEq, CmpGt, CmpLt, i8x16};

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` that is zero (exact: no false positives).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    !((x & LOW7).wrapping_add(LOW7) | x) & HIGH
}

/// The high bit of each byte of `x` equal to `b`.
#[inline]
pub(crate) fn eq_bytes(x: u64, b: u8) -> u64 {
    zero_bytes(x ^ ONES.wrapping_mul(u64::from(b)))
}

/// High bit of each byte of `x` that is not `b`.
#[inline]
pub(crate) fn ne_bytes(x: u64, b: u8) -> u64 {
    eq_bytes(x, b) ^ HIGH
}

/// The high bit of each byte of `x` that is a control character (below `0x20`).
#[cfg(test)]
#[inline]
pub(crate) fn control_bytes(x: u64) -> u64 {
    zero_bytes(x & 0xe0e0_e0e0_e0e0_e0e0)
}

/// The eight bytes at `at`, little-endian, if there are eight.
#[inline]
pub(crate) fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at.checked_add(8)?)?;
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// The byte index of the first set high bit of a mask.
#[inline]
pub(crate) fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The offset of the first `b` in `bytes` at or after `from`.
pub(crate) fn find(bytes: &[u8], from: usize, b: u8) -> Option<usize> {
    let mut at = from;
    while let Some(x) = word(bytes, at) {
        let m = eq_bytes(x, b);
        if m != 0 {
            return Some(at.saturating_add(first(m)));
        }
        at = at.saturating_add(8);
    }
    if bytes.len() < 8 {
        return bytes
            .get(at..)?
            .iter()
            .position(|&c| c == b)
            .map(|i| at.saturating_add(i));
    }
    let (start, x) = tail(bytes, at)?;
    let m = eq_bytes(x, b) & from_byte(at.saturating_sub(start));
    (m != 0).then(|| start.saturating_add(first(m)))
}

/// For the fewer than eight bytes left at `at`: the offset of the last eight bytes of
/// `bytes` (which overlap bytes before `at`) and their word, or `None` when nothing is left
/// or `bytes` is shorter than eight (then the caller goes byte by byte).
#[inline]
pub(crate) fn tail(bytes: &[u8], at: usize) -> Option<(usize, u64)> {
    if at >= bytes.len() {
        return None;
    }
    let start = bytes.len().checked_sub(8)?;
    word(bytes, start).map(|x| (start, x))
}

/// A mask keeping the high bits of bytes `skip..8` (dropping the first `skip` bytes).
#[inline]
pub(crate) fn from_byte(skip: usize) -> u64 {
    match skip {
        0 => !0,
        1..=7 => !0u64 << (8 * skip),
        _ => 0,
    }
}

/// The sixteen bytes at `at` as a vector of signed bytes (so that one compare below `0x20`
/// flags control characters and non-ASCII bytes, which are negative, together), and how
/// many of its first bits a mask of it must drop. When fewer than sixteen bytes are left,
/// the last sixteen of `bytes` are read, whose first bytes come before `at`. `None` when
/// nothing is left, or `bytes` is shorter than sixteen (then the caller goes another way).
#[inline(always)]
pub(crate) fn block(bytes: &[u8], at: usize) -> Option<(i8x16, u32)> {
    if let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        return Some((load(chunk), 0));
    }
    if at >= bytes.len() {
        return None;
    }
    let start = bytes.len().checked_sub(16)?;
    let chunk = bytes.get(start..).and_then(<[u8]>::first_chunk::<16>)?;
    Some((load(chunk), u32::try_from(at - start).ok()?))
}

/// Sixteen bytes as a vector of signed bytes (see [`block`]).
#[inline(always)]
pub(crate) fn load(chunk: &[u8; 16]) -> i8x16 {
    i8x16::from(chunk.map(|b| b as i8))
}

/// The lanes of `v` equal to the ASCII byte `b`.
#[inline(always)]
pub(crate) fn lanes_eq(v: i8x16, b: u8) -> i8x16 {
    v.cmp_eq(i8x16::splat(b as i8))
}

/// The lanes of `v` holding a control character or a non-ASCII byte.
#[inline(always)]
pub(crate) fn lanes_control_or_non_ascii(v: i8x16) -> i8x16 {
    v.cmp_lt(i8x16::splat(0x20))
}

/// The lanes of `v` holding a control character (non-ASCII bytes are negative too, so a
/// mask on the bits that make a byte `0x20` or more).
#[inline(always)]
pub(crate) fn lanes_control(v: i8x16) -> i8x16 {
    (v & i8x16::splat(0xe0_u8 as i8)).cmp_eq(i8x16::splat(0))
}

/// One bit a lane (bit `i` for byte `i`) of the lanes set in `v`, less the first `skip`
/// (which [`block`] read from before the scan's position).
#[inline(always)]
pub(crate) fn bits(v: i8x16, skip: u32) -> u32 {
    (v.move_mask() as u32) >> skip
}

/// Whether every byte of `bytes` is an ASCII letter or digit, eight bytes at a time.
///
/// The bytes past the last whole word are checked with the last eight bytes, which overlap
/// bytes already checked (checking a byte twice changes nothing); a text shorter than a
/// word is read as two overlapping halves, the lanes left over filled with `a`. A byte
/// loop over the tail cost about as much as the words before it (Sids are short).
pub(crate) fn all_alphanumeric(bytes: &[u8]) -> bool {
    if bytes.len() >= 16 {
        return blocks_alphanumeric(bytes);
    }
    let mut at = 0;
    while let Some(x) = word(bytes, at) {
        if !word_alphanumeric(x) {
            return false;
        }
        at += 8;
    }
    if let Some(last) = bytes.last_chunk::<8>() {
        return at == bytes.len() || word_alphanumeric(u64::from_le_bytes(*last));
    }
    // Fewer than eight bytes: the first and last four, two or one of them, overlapping.
    let fill = ONES.wrapping_mul(u64::from(b'a'));
    let x = if let (Some(a), Some(b)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*a)) | u64::from(u32::from_le_bytes(*b)) << 32
    } else if let (Some(a), Some(b)) = (bytes.first_chunk::<2>(), bytes.last_chunk::<2>()) {
        u64::from(u16::from_le_bytes(*a)) | u64::from(u16::from_le_bytes(*b)) << 16 | fill << 32
    } else if let Some(&b) = bytes.first() {
        u64::from(b) | fill << 8
    } else {
        return true;
    };
    word_alphanumeric(x)
}

/// [`all_alphanumeric`] for sixteen bytes or more, sixteen at a time (the last block
/// overlapping bytes already checked): about a third of the instructions of the words for
/// the usual Sid of twenty to thirty bytes.
fn blocks_alphanumeric(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some((v, _)) = block(bytes, at) {
        // Non-ASCII bytes are negative, below `0`; setting bit `0x20` keeps them so and
        // folds upper-case letters onto lower-case ones, as in `word_alphanumeric`.
        let between = |v: i8x16, lo: u8, hi: u8| {
            v.cmp_gt(i8x16::splat((lo - 1) as i8)) & v.cmp_lt(i8x16::splat((hi + 1) as i8))
        };
        let ok = between(v, b'0', b'9') | between(v | i8x16::splat(0x20), b'a', b'z');
        if bits(ok, 0) != 0xffff {
            return false;
        }
        at += 16;
    }
    true
}

/// Whether every byte of the word `x` is an ASCII letter or digit.
#[inline(always)]
fn word_alphanumeric(x: u64) -> bool {
    // For ASCII bytes, adding `0x80 - lo` sets the high bit exactly when the byte is at least
    // `lo`, and adding `0x7f - hi` exactly when it is above `hi`; no sum carries into the next
    // byte. Setting bit `0x20` folds upper-case letters onto lower-case ones and leaves
    // digits and other bytes outside `a..=z`.
    let in_range = |x: u64, lo: u8, hi: u8| {
        x.wrapping_add(ONES.wrapping_mul(u64::from(0x80 - lo)))
            & !x.wrapping_add(ONES.wrapping_mul(u64::from(0x7f - hi)))
            & HIGH
    };
    x & HIGH == 0
        && in_range(x, b'0', b'9') | in_range(x | ONES.wrapping_mul(0x20), b'a', b'z') == HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_exact() {
        for b in 0..=255u8 {
            for other in [0u8, 0x01, 0x1f, 0x20, b'"', b':', b'\\', 0x7f, 0x80, 0xff] {
                let x = u64::from_le_bytes([other, b, other, b, b, other, other, b]);
                let want: u64 = [other, b, other, b, b, other, other, b]
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == b':')
                    .map(|(i, _)| 0x80u64 << (8 * i))
                    .sum();
                assert_eq!(eq_bytes(x, b':'), want);
                let want: u64 = [other, b, other, b, b, other, other, b]
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c < 0x20)
                    .map(|(i, _)| 0x80u64 << (8 * i))
                    .sum();
                assert_eq!(control_bytes(x), want);
            }
        }
    }

    /// Every byte at every position of texts of up to 40 bytes (so through the short
    /// halves, whole words, the overlapping last word and the 16-byte blocks, the last one
    /// overlapping) against a byte loop.
    #[test]
    fn all_alphanumeric_agrees() {
        let mut text = [b'a'; 40];
        for b in 0..=255u8 {
            for at in 0..text.len() {
                text[at] = b;
                for len in at..=text.len() {
                    let want = text[..len].iter().all(u8::is_ascii_alphanumeric);
                    assert_eq!(all_alphanumeric(&text[..len]), want, "{b} {at} {len}");
                }
                text[at] = [b'a', b'Z', b'0', b'9', b'z'][at % 5];
            }
        }
    }

    #[test]
    fn find_agrees_with_position() {
        for text in [
            &b"abcdefgh:ijklmnopqrstuvwxyz:0123456789"[..],
            b"abcdefgh:ijklmnopqrstuvwxyz:012345678:",
            b"a:b",
            b":",
            b"abcdefg:",
            b"abcdefgh:",
            b"abcdefgh",
            b":bcdefghi",
        ] {
            for from in 0..=text.len() + 1 {
                let want = text
                    .get(from..)
                    .and_then(|t| t.iter().position(|&c| c == b':'))
                    .map(|i| i + from);
                assert_eq!(find(text, from, b':'), want, "{text:?} from {from}");
            }
        }
        assert_eq!(find(b"", 0, b':'), None);
        assert_eq!(find(b"ab", 5, b':'), None);
    }
}
