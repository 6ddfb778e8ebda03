//! The hash behind the catalog's lookup tables, shared by `build.rs` (which places every name
//! in its table) and the library (which looks names up), and the case-insensitive comparisons
//! of names, eight bytes at a time.
//!
//! Names are compared with ASCII case folding, so the hash ignores ASCII case too, eight bytes
//! at a time, without copying the name. It is a multiply-rotate hash in the style of rustc's
//! `FxHasher`: not resistant to chosen collisions, which does not matter for tables fixed at
//! build time (a lookup only ever costs the probes of the names already in the table).

/// Multiplier of the mixing step (the 64-bit `FxHasher` constant).
const K: u64 = 0xf135_7aea_2e62_a9c5;

/// Bit 5 of every byte.
const CASE: u64 = 0x2020_2020_2020_2020;

/// Hashes `name` with ASCII case folded, starting from `seed` (tables of actions seed it with
/// the service's index, so that each service's actions hash apart).
pub(crate) fn hash_ci(seed: u64, name: &[u8]) -> u64 {
    let mut h = seed ^ (name.len() as u64).wrapping_mul(K);
    // Setting bit 5 of every byte lower-cases letters (and merges a few other pairs of
    // characters, which only makes their names collide): cheaper than folding exactly.
    // Most names have one or two whole words: those are mixed straight, as a loop (which the
    // compiler unrolls) costs more in setting up than in mixing.
    let mut rest = name;
    if let Some((w, after)) = rest.split_first_chunk::<8>() {
        h = mix(h, u64::from_le_bytes(*w) | CASE);
        rest = after;
        if let Some((w, after)) = rest.split_first_chunk::<8>() {
            h = mix(h, u64::from_le_bytes(*w) | CASE);
            rest = after;
            while let Some((w, after)) = rest.split_first_chunk::<8>() {
                h = mix(h, u64::from_le_bytes(*w) | CASE);
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        h = mix(h, tail(name) | CASE);
    }
    // Spread the high bits (which the multiplications fill best) over the low ones, which pick
    // the slot.
    h ^ (h >> 29)
}

/// Whether `a` and `b` are equal ignoring ASCII case, compared eight bytes at a time.
#[allow(
    dead_code,
    reason = "the library compares names; build.rs only hashes them"
)]
#[inline]
pub(crate) fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Names are usually written in the catalog's case: fold only words that differ.
    let same = |x: u64, y: u64| x == y || fold8(x) == fold8(y);
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if !same(word(p), word(q)) {
            return false;
        }
    }
    same(tail(a), tail(b))
}

/// [`eq_ci`] for names already known to have the same length (a table entry's length is
/// checked before its name). Names of eight bytes or more are compared a word at a time, the
/// last (overlapping) word first, as it tells most names apart, then the first: with the last,
/// it covers a name of up to sixteen bytes, and only longer names go on to the words between.
/// Shorter ones go out of line, so that a lookup's loop does not set up for them.
#[allow(
    dead_code,
    reason = "the library compares names; build.rs only hashes them"
)]
#[inline]
pub(crate) fn eq_ci_same_len(a: &[u8], b: &[u8]) -> bool {
    let same = |x: u64, y: u64| x == y || fold8(x) == fold8(y);
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(x), Some(y)) => {
            same(u64::from_le_bytes(*x), u64::from_le_bytes(*y))
                && same(word(a), word(b))
                && (a.len() <= 16
                    || a.chunks_exact(8)
                        .zip(b.chunks_exact(8))
                        .skip(1)
                        .all(|(p, q)| same(word(p), word(q))))
        }
        _ => eq_ci_short(a, b),
    }
}

/// [`eq_ci`] out of line, for names shorter than eight bytes.
#[allow(
    dead_code,
    reason = "the library compares names; build.rs only hashes them"
)]
#[inline(never)]
fn eq_ci_short(a: &[u8], b: &[u8]) -> bool {
    eq_ci(a, b)
}

/// The eight bytes of `bytes` from `at`, ASCII-lower-cased, little-endian, zero-padded past the
/// end.
#[allow(
    dead_code,
    reason = "the library compares names; build.rs only hashes them"
)]
pub(crate) fn folded_word(bytes: &[u8], at: usize) -> u64 {
    fold8(word(bytes.get(at..).unwrap_or(&[])))
}

/// High bit of each byte of `v` that is not zero.
#[allow(
    dead_code,
    reason = "the library compares names; build.rs only hashes them"
)]
pub(crate) fn nonzero_bytes(v: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // No carry crosses a byte: at most 0x7f + 0x7f.
    ((v & LOW7).wrapping_add(LOW7) | v) & !LOW7
}

/// The first eight bytes of `bytes` as a little-endian word; fewer are zero-padded.
fn word(bytes: &[u8]) -> u64 {
    if let Some(w) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*w);
    }
    // Fewer than eight bytes: two loads that may overlap (overlapping bytes are the same bytes
    // at the same places, so or-ing them changes nothing).
    let len = bytes.len();
    if let (Some(lo), Some(hi)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        let (lo, hi) = (u32::from_le_bytes(*lo), u32::from_le_bytes(*hi));
        return u64::from(lo) | (u64::from(hi) << (8 * (len - 4)));
    }
    match (bytes.first(), bytes.get(len / 2), bytes.last()) {
        (Some(&a), Some(&b), Some(&c)) => {
            u64::from(a) | (u64::from(b) << (8 * (len / 2))) | (u64::from(c) << (8 * (len - 1)))
        }
        _ => 0,
    }
}

/// The last eight bytes of `bytes` (overlapping those before when the length is not a multiple
/// of eight), or all of them zero-padded when there are fewer.
fn tail(bytes: &[u8]) -> u64 {
    match bytes.last_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => word(bytes),
    }
}

fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(26) ^ word).wrapping_mul(K)
}

/// The eight bytes of `w` with ASCII upper-case letters lower-cased.
fn fold8(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low = w & LOW7;
    // High bit of each byte: its low seven bits are at least `A`, resp. more than `Z`. The
    // sums never carry into the next byte (at most 0x7f + 0x3f).
    let ge_a = low.wrapping_add(ONES.wrapping_mul(0x80 - u64::from(b'A')));
    let gt_z = low.wrapping_add(ONES.wrapping_mul(0x7f - u64::from(b'Z')));
    let upper = (ge_a ^ gt_z) & !w & HIGH;
    w | (upper >> 2)
}

/// The slot for hash `h` in a table of `len` slots (a power of two) and the tag kept beside
/// each entry, so that most probes that hit another name compare two integers, not names.
pub(crate) fn slot_and_tag(h: u64, len: usize) -> (usize, u32) {
    let mask = (len as u64).wrapping_sub(1);
    // The slot is masked below the table length (a usize); the tag keeps the high 32 bits.
    ((h & mask) as usize, (h >> 32) as u32)
}

/// The number of slots for a table of `n` names: a power of two, at most 70 % full.
#[allow(
    dead_code,
    reason = "build.rs sizes the tables; the library reads their length"
)]
pub(crate) fn table_len(n: usize) -> usize {
    let mut len = 8usize;
    while len.saturating_mul(7) < n.saturating_mul(10) {
        len = len.saturating_mul(2);
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_ascii_case_only() {
        let all: Vec<u8> = (0..=255u8).collect();
        for chunk in all.chunks(8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let folded = fold8(u64::from_le_bytes(word)).to_le_bytes();
            for (a, b) in chunk.iter().zip(folded) {
                assert_eq!(a.to_ascii_lowercase(), b, "{a:#x}");
            }
        }
        assert_eq!(
            hash_ci(0, b"kms:DescribeKeyPolicy"),
            hash_ci(0, b"KMS:describekeypolicy")
        );
        assert_ne!(hash_ci(0, b"kms"), hash_ci(0, b"kms\0"));
        assert_ne!(hash_ci(0, b"kms"), hash_ci(1, b"kms"));
        for (a, b, eq) in [
            ("", "", true),
            ("kms", "KMS", true),
            ("kms:DescribeKey", "KMS:describekey", true),
            ("kms:DescribeKey", "kms:DescribeKez", false),
            ("kms:DescribeKey", "kms:DescribeKe", false),
            ("a@", "A`", false),
            ("[", "{", false),
            ("kms:DescribeKeyPolicyX", "KMS:describekeypolicyx", true),
            ("kms:DescribeKeyPolicyX", "KMS:describekeypolicyY", false),
            ("abcdefgh", "ABCDEFGH", true),
            ("GetObjectAttributes", "getobjectATTRIBUTES", true),
            ("GetObjectAttributes", "GetObjextAttributes", false),
            ("GetObjectAttributes", "GetObjectAttributez", false),
            ("GetObjectAttributes", "HetObjectAttributes", false),
            ("ListAllMyBucketsAndMore!", "listallmybucketsandmore!", true),
            (
                "ListAllMyBucketsAndMore!",
                "listallmybucketsandmore1",
                false,
            ),
            (
                "ListAllMyBucketsAndMore!",
                "listallmyb[cketsandmore!",
                false,
            ),
            ("Get", "gEt", true),
            ("Get", "Got", false),
            ("a", "A", true),
            ("a", "b", false),
        ] {
            assert_eq!(eq_ci(a.as_bytes(), b.as_bytes()), eq, "{a} {b}");
            if a.len() == b.len() {
                assert_eq!(eq_ci_same_len(a.as_bytes(), b.as_bytes()), eq, "{a} {b}");
            }
        }
        assert_eq!(folded_word(b"xKMS:Dec", 1).to_le_bytes(), *b"kms:dec\0");
        assert_eq!(nonzero_bytes(0x0100_ff00_0000_8000), 0x8000_8000_0000_8000);
        let text = b"abcdefghij";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let part = &text[start..end];
                let mut want = [0u8; 8];
                for (w, b) in want.iter_mut().zip(part) {
                    *w = *b;
                }
                assert_eq!(word(part), u64::from_le_bytes(want), "{start}..{end}");
            }
        }
    }

    /// [`eq_ci_same_len`] (the last word, the first, then the words between for names over
    /// sixteen bytes) agrees with `eq_ignore_ascii_case` for every length from 0 to 40 bytes:
    /// for a name and itself, the same upper-cased, and the same with any one byte changed in
    /// bit 5 (a letter's case, or another character the hash does not tell apart), in bit 0 or
    /// in bit 7.
    #[test]
    fn same_length_comparison_agrees_with_the_plain_one() {
        let base = b"GetObjectAttributes:ListAllMyBuckets@[x`";
        for len in 0..=base.len() {
            let a = &base[..len];
            for b in [a.to_vec(), a.to_ascii_uppercase()] {
                assert_eq!(eq_ci_same_len(a, &b), a.eq_ignore_ascii_case(&b), "{len}");
            }
            for at in 0..len {
                for change in [0x20u8, 0x01, 0x80] {
                    let mut b = a.to_vec();
                    b[at] ^= change;
                    assert_eq!(
                        eq_ci_same_len(a, &b),
                        a.eq_ignore_ascii_case(&b),
                        "{len} {at} {change}"
                    );
                }
            }
        }
    }

    /// The hash as a plain loop over whole words, which [`hash_ci`] unrolls for one and two.
    fn hash_ci_loop(seed: u64, name: &[u8]) -> u64 {
        let mut h = seed ^ (name.len() as u64).wrapping_mul(K);
        let mut chunks = name.chunks_exact(8);
        for w in &mut chunks {
            h = mix(h, word(w) | CASE);
        }
        if !chunks.remainder().is_empty() {
            h = mix(h, tail(name) | CASE);
        }
        h ^ (h >> 29)
    }

    /// [`hash_ci`] gives the loop's value for every length from 0 to 80 bytes (whole words,
    /// a tail, or both), for several contents and seeds: tables built with one and probed
    /// with the other would miss names.
    #[test]
    fn unrolled_hash_agrees_with_loop() {
        let mut x = 0x243f_6a88_85a3_08d3u64;
        for len in 0..=80usize {
            for round in 0..40 {
                let name: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        // Printable ASCII mostly, every byte value sometimes.
                        let b = (x >> 56) as u8;
                        if round % 4 == 0 { b } else { b'!' + b % 94 }
                    })
                    .collect();
                for seed in [0, 1, 517, u64::from(u32::MAX)] {
                    assert_eq!(hash_ci(seed, &name), hash_ci_loop(seed, &name), "{name:?}");
                }
            }
        }
    }

    #[test]
    fn table_lengths() {
        assert_eq!(table_len(0), 8);
        assert_eq!(table_len(5), 8);
        assert_eq!(table_len(6), 16);
        assert_eq!(table_len(22_091), 32_768);
    }
}
