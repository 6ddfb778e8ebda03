//! Case-insensitive comparison, IAM wildcards, templated condition-key names and edit distance.
//!
//! Everything works on bytes with ASCII case folding: the catalog's names are ASCII, and IAM
//! folds only ASCII case in action names and condition-key names.

use std::cmp::Ordering;

use crate::hash::{folded_word, nonzero_bytes};

/// Compares `a` and `b` as if both were ASCII-lower-cased (the order of the tables), eight
/// bytes at a time.
pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let end = a.len().max(b.len());
    let mut at = 0;
    while at < end {
        let (x, y) = (folded_word(a, at), folded_word(b, at));
        if x != y {
            // Big-endian words order as their bytes do. Zero padding sorts first, as the end
            // of the shorter name does.
            return x.swap_bytes().cmp(&y.swap_bytes());
        }
        at = at.saturating_add(8);
    }
    a.len().cmp(&b.len())
}

/// The length of the longest common head of `t` and `n`, ignoring ASCII case, that holds no
/// `$` of `t`.
fn common_head_ci(t: &[u8], n: &[u8]) -> usize {
    const DOLLARS: u64 = 0x2424_2424_2424_2424;
    let len = t.len().min(n.len());
    let mut at = 0;
    while at < len {
        let (x, y) = (folded_word(t, at), folded_word(n, at));
        let stop = nonzero_bytes(x ^ y) | (!nonzero_bytes(x ^ DOLLARS) & 0x8080_8080_8080_8080);
        if stop != 0 {
            return at
                .saturating_add(stop.trailing_zeros() as usize / 8)
                .min(len);
        }
        at = at.saturating_add(8);
    }
    len
}

/// Whether `s` starts with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Whether `s` ends with `suffix`, ignoring ASCII case.
pub(crate) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len()
        .checked_sub(suffix.len())
        .and_then(|i| s.as_bytes().get(i..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// Whether `name` matches the IAM pattern `pattern` (`*`: any run, `?`: any one character),
/// ignoring ASCII case.
///
/// The pattern is read as literal segments between `*`s: the first must start the name, the
/// last must end it, and each one between is found at its leftmost place after the previous
/// one (which leaves the most room for the rest, so the first place found is as good as any).
pub(crate) fn wildcard_match_ci(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let mut segments = p.split(|&c| c == b'*');
    let first = segments.next().unwrap_or(&[]);
    let Some(mut rest) = n.get(first.len()..).filter(|_| segment_eq(first, n)) else {
        return false;
    };
    let mut last = None;
    for seg in segments {
        if let Some(prev) = last.replace(seg) {
            let Some(at) = find_segment(prev, rest) else {
                return false;
            };
            rest = rest.get(at.saturating_add(prev.len())..).unwrap_or(&[]);
        }
    }
    match last {
        // No `*`: the first segment is the whole pattern.
        None => rest.is_empty(),
        Some(seg) => rest
            .len()
            .checked_sub(seg.len())
            .and_then(|at| rest.get(at..))
            .is_some_and(|tail| segment_eq(seg, tail)),
    }
}

/// Whether `text` starts with `seg` (`?` matches any byte), ignoring ASCII case.
fn segment_eq(seg: &[u8], text: &[u8]) -> bool {
    text.get(..seg.len()).is_some_and(|head| {
        seg.iter()
            .zip(head)
            .all(|(&s, &t)| s == b'?' || s.eq_ignore_ascii_case(&t))
    })
}

/// Where `seg` first occurs in `text` (`?` matches any byte), ignoring ASCII case.
fn find_segment(seg: &[u8], text: &[u8]) -> Option<usize> {
    let last = text.len().checked_sub(seg.len())?;
    match seg.first() {
        // Look for the first byte before comparing the rest.
        Some(&f) if f != b'?' => (0..=last).find(|&i| {
            text.get(i).is_some_and(|t| t.eq_ignore_ascii_case(&f))
                && text.get(i..).is_some_and(|t| segment_eq(seg, t))
        }),
        _ => (0..=last).find(|&i| text.get(i..).is_some_and(|t| segment_eq(seg, t))),
    }
}

/// Whether the condition-key name `name`, as written in a policy, matches `template`, a key
/// name as AWS documents it, ignoring ASCII case. Each `${...}` in the template stands for one
/// or more characters of any kind (`kms:EncryptionContext:${EncryptionContextKey}` matches
/// `kms:EncryptionContext:aws:s3:arn`), as does a final `tag-key` after a `/` (the global keys'
/// spelling: `aws:PrincipalTag/tag-key`). Without variables this is a case-insensitive equality.
pub(crate) fn key_matches(template: &str, name: &str) -> bool {
    let t = template.as_bytes();
    let n = name.as_bytes();
    // Nearly every call compares unrelated names, or a name with itself: read the common head
    // up to the template's first `$`. A difference before any variable decides.
    let head = common_head_ci(t, n);
    if head == t.len() && head == n.len() {
        return true;
    }
    let at_dollar = t.get(head) == Some(&b'$');
    let tag_key = ends_with_ci(template, "/tag-key");
    let in_tag_key = head.saturating_add("tag-key".len()) >= t.len() && tag_key;
    if !at_dollar && !in_tag_key {
        return false;
    }
    if tag_key {
        let base_len = t.len().saturating_sub("tag-key".len());
        // The common head holds no `$`: when it spans the base (`aws:RequestTag/`), the base
        // is literal and matched, and the tag key is what follows it, at least one byte.
        if head >= base_len {
            return n.len() > base_len;
        }
        if let Some(base) = t.get(..base_len) {
            return template_match(base, n, true);
        }
    }
    template_match(t, n, false)
}

/// `template` against `name`; `tail_var`: a variable follows the end of `template`.
fn template_match(template: &[u8], name: &[u8], tail_var: bool) -> bool {
    let open = template.windows(2).position(|w| w == b"${");
    let close = open.and_then(|o| {
        template
            .get(o..)
            .and_then(|rest| rest.iter().position(|&c| c == b'}'))
            .map(|c| o.saturating_add(c))
    });
    let (Some(open), Some(close)) = (open, close) else {
        // No (complete) variable left: the rest is literal.
        return match name.get(..template.len()) {
            Some(head) if head.eq_ignore_ascii_case(template) => {
                if tail_var {
                    name.len() > template.len()
                } else {
                    name.len() == template.len()
                }
            }
            _ => false,
        };
    };
    let (Some(literal), Some(after)) = (
        template.get(..open),
        template.get(close.saturating_add(1)..),
    ) else {
        return false;
    };
    let Some(rest) = name
        .get(..literal.len())
        .filter(|head| head.eq_ignore_ascii_case(literal))
        .and_then(|_| name.get(literal.len()..))
    else {
        return false;
    };
    if after.is_empty() {
        // The variable ends the template: it takes what is left (leaving at least one byte
        // for a variable after the template).
        return rest.len() > usize::from(tail_var);
    }
    // The variable takes 1..=len bytes of what is left.
    (1..=rest.len()).any(|k| {
        rest.get(k..)
            .is_some_and(|tail| template_match(after, tail, tail_var))
    })
}

/// Optimal-string-alignment distance between `a` and `b` ignoring ASCII case: insertions,
/// deletions, substitutions and swaps of adjacent characters each cost 1.
pub(crate) fn edit_distance_ci(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let width = b.len().saturating_add(1);
    // Three rows: two back, previous, current.
    let mut prev2: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    for (i, &ac) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, &bc) in b.iter().enumerate() {
            let cost = usize::from(ac != bc);
            let del = prev
                .get(j.saturating_add(1))
                .map_or(usize::MAX, |v| v.saturating_add(1));
            let ins = cur.get(j).map_or(usize::MAX, |v| v.saturating_add(1));
            let sub = prev.get(j).map_or(usize::MAX, |v| v.saturating_add(cost));
            let mut d = del.min(ins).min(sub);
            if i > 0
                && j > 0
                && a.get(i.wrapping_sub(1)) == Some(&bc)
                && b.get(j.wrapping_sub(1)) == Some(&ac)
            {
                let swap = prev2
                    .get(j.wrapping_sub(1))
                    .map_or(usize::MAX, |v| v.saturating_add(1));
                d = d.min(swap);
            }
            if let Some(slot) = cur.get_mut(j.saturating_add(1)) {
                *slot = d;
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// [`edit_distance_ci`] when it is at most `limit`, else `None`; stops as soon as every
/// alignment costs more than `limit` and keeps its rows on the stack (suggestion searches call
/// it for every candidate name).
///
/// Only the band of cells within `limit` of the diagonal is computed: a cell further away
/// costs more than `limit` (at least the difference of the lengths it aligns), and cells are
/// kept capped at `limit + 1`, which changes no cell worth at most `limit`.
#[expect(
    clippy::indexing_slicing,
    reason = "both names are shorter than MAX (checked first), so every index is below MAX"
)]
pub(crate) fn edit_distance_ci_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    const MAX: usize = 96;
    if a.len() >= MAX || b.len() >= MAX {
        let d = edit_distance_ci(a, b);
        return (d <= limit).then_some(d);
    }
    // The distance is at least the difference of the lengths.
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Below MAX: a band as wide as the names computes every cell.
    let limit = limit.min(MAX);
    let cap = (limit + 1) as u8;
    let width = b.len().saturating_add(1);
    // Rows of small counts (below MAX, so bytes), rotated by swapping references (not
    // contents).
    let mut rows = [[cap; MAX + 1]; 3];
    let [r0, r1, r2] = &mut rows;
    let (mut prev2, mut prev, mut cur) = (r0, r1, r2);
    for (j, slot) in prev.iter_mut().enumerate().take(width.min(limit + 1)) {
        *slot = j as u8;
    }
    // `b` lower-cased once, not once per row; the transposition test reads the previous
    // characters from the loops instead of folding them again.
    let mut lower = [0u8; MAX];
    for (l, &c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    let b = &lower[..b.len()];
    let mut prev_ac = 0u8;
    for (i, &ac) in a.iter().enumerate() {
        let ac = ac.to_ascii_lowercase();
        let row = i + 1;
        // Columns `lo..=hi` (1-based, as cells of `cur`) are within the band; the cell left of
        // it and the one right of it (read by the next row) hold the cap.
        let lo = row.saturating_sub(limit).max(1);
        let hi = (row + limit).min(b.len());
        cur[lo - 1] = if lo == 1 {
            row.min(limit + 1) as u8
        } else {
            cap
        };
        let mut row_min = cur[lo - 1];
        let mut prev_bc = if lo >= 2 { b[lo - 2] } else { 0 };
        for (j, &bc) in b.iter().enumerate().take(hi).skip(lo - 1) {
            let mut d = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + u8::from(ac != bc));
            if i > 0 && j > 0 && prev_ac == bc && prev_bc == ac {
                d = d.min(prev2[j - 1] + 1);
            }
            d = d.min(cap);
            cur[j + 1] = d;
            row_min = row_min.min(d);
            prev_bc = bc;
        }
        cur[hi + 1] = cap;
        if usize::from(row_min) > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
        prev_ac = ac;
    }
    let d = usize::from(prev[b.len()]);
    (d <= limit).then_some(d)
}

/// A name to compare with many candidates by [`edit_distance_ci`], bit-parallel: Myers'
/// algorithm as Hyyrö extended it to swaps of adjacent characters. Each candidate byte costs a
/// dozen word operations instead of a row of cells, which is what "did you mean" searches over
/// a service's hundreds of action names spend their time on. Names of 1 to 64 bytes (one bit
/// per byte of the name).
pub(crate) struct OsaQuery {
    /// For each byte value (ASCII folded to lower case), the positions of the name that hold it.
    masks: [u64; 256],
    len: usize,
}

impl OsaQuery {
    /// The query for `name`; `None` for an empty name or one longer than 64 bytes.
    pub(crate) fn new(name: &str) -> Option<Self> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() > 64 {
            return None;
        }
        let mut masks = [0u64; 256];
        for (i, &b) in bytes.iter().enumerate() {
            if let Some(m) = masks.get_mut(usize::from(b.to_ascii_lowercase())) {
                *m |= 1 << i;
            }
        }
        Some(Self {
            masks,
            len: bytes.len(),
        })
    }

    /// [`edit_distance_ci`] between the query's name and `candidate`.
    pub(crate) fn distance(&self, candidate: &str) -> usize {
        let m = self.len;
        let last = 1u64 << (m - 1).min(63);
        // Vertical deltas of the column (+1 / -1 per row); the first column is 0..=m.
        let mut up = u64::MAX >> (64 - m.clamp(1, 64));
        let mut down = 0u64;
        let (mut diag_prev, mut match_prev) = (0u64, 0u64);
        let mut score = m;
        for &b in candidate.as_bytes() {
            let matches = self
                .masks
                .get(usize::from(b.to_ascii_lowercase()))
                .copied()
                .unwrap_or(0);
            // Rows where swapping this byte with the previous one matches.
            let swap = (((!diag_prev) & matches) << 1) & match_prev;
            let diag = (((matches & up).wrapping_add(up)) ^ up) | matches | down | swap;
            let h_up = down | !(diag | up);
            let h_down = up & diag;
            // The last row is the distance so far; it never goes below zero, and saturating
            // keeps a debug build from panicking if it ever did.
            if h_up & last != 0 {
                score = score.saturating_add(1);
            } else if h_down & last != 0 {
                score = score.saturating_sub(1);
            }
            // The top row grows by one per candidate byte.
            let carry = (h_up << 1) | 1;
            down = carry & diag;
            up = (h_down << 1) | !(carry | diag);
            diag_prev = diag;
            match_prev = matches;
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit-parallel distance is the table's, for names of every length 1..=64 against
    /// candidates of lengths 0, 1, 2, about the name's and 70 over a small mixed-case alphabet
    /// (many matches and swaps), and against names that differ by one swap, insertion or
    /// deletion, or by case.
    #[test]
    fn bit_parallel_distance_is_the_tables() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let alphabet = b"abAB:c*";
        let word = |len: usize, next: &mut dyn FnMut(u64) -> u64| -> String {
            (0..len)
                .map(|_| char::from(alphabet[next(alphabet.len() as u64) as usize]))
                .collect()
        };
        assert!(OsaQuery::new("").is_none());
        assert!(OsaQuery::new(&"a".repeat(65)).is_none());
        for len in 1..=64 {
            for _ in 0..12 {
                let name = word(len, &mut next);
                let query = OsaQuery::new(&name).unwrap();
                for clen in [0, 1, 2, len.saturating_sub(1), len, len + 1, len + 6, 70] {
                    let candidate = word(clen, &mut next);
                    assert_eq!(
                        query.distance(&candidate),
                        edit_distance_ci(&name, &candidate),
                        "{name} / {candidate}"
                    );
                }
                // Near misses: one swap, one byte more, one less, case changed.
                let b = name.as_bytes();
                let i = next(len as u64) as usize;
                let mut swapped = b.to_vec();
                if i + 1 < len {
                    swapped.swap(i, i + 1);
                }
                let mut longer = b.to_vec();
                longer.insert(i, b'Z');
                let mut shorter = b.to_vec();
                shorter.remove(i);
                for near in [
                    swapped,
                    longer,
                    shorter,
                    name.to_ascii_uppercase().into_bytes(),
                ] {
                    let near = String::from_utf8(near).unwrap();
                    assert_eq!(
                        query.distance(&near),
                        edit_distance_ci(&name, &near),
                        "{name} / {near}"
                    );
                }
            }
        }
        // Real names, with a byte that is not ASCII.
        for (a, b) in [
            ("Decrypt", "Decrpyt"),
            ("GenerateDataKey", "generatedatakeys"),
            ("ReEncrypt\u{e9}", "reencrypte"),
        ] {
            assert_eq!(
                OsaQuery::new(a).unwrap().distance(b),
                edit_distance_ci(a, b)
            );
        }
    }

    /// The backtracking matcher this module used before, as the reference.
    fn reference_match(pattern: &str, name: &str) -> bool {
        let p = pattern.as_bytes();
        let n = name.as_bytes();
        let (mut pi, mut ni) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ni < n.len() {
            match (p.get(pi), n.get(ni)) {
                (Some(b'*'), _) => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                }
                (Some(&pc), Some(&nc)) if pc == b'?' || pc.eq_ignore_ascii_case(&nc) => {
                    pi += 1;
                    ni += 1;
                }
                _ => match star {
                    Some((sp, sn)) => {
                        pi = sp;
                        ni = sn + 1;
                        star = Some((sp, ni));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|&c| c == b'*')
    }

    #[test]
    fn wildcards_agree_with_backtracking() {
        // Every pattern of up to 6 symbols over `a`, `B`, `*`, `?` against every name of up to
        // 6 letters over `A`, `b`.
        let strings = |alphabet: &[char], max: u32| {
            let mut out = vec![String::new()];
            for len in 1..=max {
                for mut k in 0..alphabet.len().pow(len) {
                    let mut s = String::new();
                    for _ in 0..len {
                        s.push(alphabet[k % alphabet.len()]);
                        k /= alphabet.len();
                    }
                    out.push(s);
                }
            }
            out
        };
        let names = strings(&['A', 'b'], 6);
        for p in strings(&['a', 'B', '*', '?'], 6) {
            for n in &names {
                assert_eq!(wildcard_match_ci(&p, n), reference_match(&p, n), "{p} {n}");
            }
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match_ci("ReEncrypt*", "reencryptfrom"));
        assert!(wildcard_match_ci("*", ""));
        assert!(wildcard_match_ci("*crypt", "Decrypt"));
        assert!(wildcard_match_ci("De?rypt", "Decrypt"));
        assert!(!wildcard_match_ci("De?rypt", "Deccrypt"));
        assert!(wildcard_match_ci("*e*e*", "ReEncryptFrom"));
        assert!(!wildcard_match_ci("Get", "GetKeyPolicy"));
        assert!(!wildcard_match_ci("?", ""));
    }

    #[test]
    fn case_folded_order_and_heads() {
        let names = [
            "",
            "a",
            "A",
            "ab",
            "aB",
            "abc",
            "b",
            "GetKeyPolicy",
            "getkeypolicy",
            "GetKeyPolicies",
            "GetKeyPolicyX",
            "GetKey",
            "Get_",
            "Get[",
            "Get{",
            "é",
            "Getkeypolicyxxxxxxxxxxxxxxxxxx",
            "$",
            "a$",
            "a$b",
            "kms:EncryptionContext:${X}",
        ];
        for a in names {
            for b in names {
                let want = a
                    .bytes()
                    .map(|c| c.to_ascii_lowercase())
                    .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
                assert_eq!(cmp_ci(a, b), want, "{a} {b}");
                let head = a
                    .bytes()
                    .zip(b.bytes())
                    .take_while(|&(x, y)| x != b'$' && x.eq_ignore_ascii_case(&y))
                    .count();
                assert_eq!(common_head_ci(a.as_bytes(), b.as_bytes()), head, "{a} {b}");
            }
        }
    }

    /// `key_matches` as this module wrote it before it had fast paths, as the reference.
    fn reference_key_matches(template: &str, name: &str) -> bool {
        fn tm(template: &[u8], name: &[u8], tail_var: bool) -> bool {
            let open = template.windows(2).position(|w| w == b"${");
            let close =
                open.and_then(|o| template[o..].iter().position(|&c| c == b'}').map(|c| o + c));
            let (Some(open), Some(close)) = (open, close) else {
                return match name.get(..template.len()) {
                    Some(head) if head.eq_ignore_ascii_case(template) => {
                        if tail_var {
                            name.len() > template.len()
                        } else {
                            name.len() == template.len()
                        }
                    }
                    _ => false,
                };
            };
            let (literal, after) = (&template[..open], &template[close + 1..]);
            let Some(rest) = name
                .get(..literal.len())
                .filter(|h| h.eq_ignore_ascii_case(literal))
                .map(|_| &name[literal.len()..])
            else {
                return false;
            };
            (1..=rest.len()).any(|k| tm(after, &rest[k..], tail_var))
        }
        if ends_with_ci(template, "/tag-key") {
            return tm(
                &template.as_bytes()[..template.len() - 7],
                name.as_bytes(),
                true,
            );
        }
        tm(template.as_bytes(), name.as_bytes(), false)
    }

    #[test]
    fn key_matches_agrees_with_reference() {
        let mut templates: Vec<&str> = crate::data::ALL_KEYS
            .iter()
            .chain(&crate::data::SVC_KEYS)
            .map(|k| crate::s(k.n))
            .collect();
        templates.extend([
            "a${X}b${Y}c",
            "${X}",
            "a/${X}/tag-key",
            "x$y",
            "x${y",
            "aws:PrincipalTag/tag-key",
        ]);
        templates.sort_unstable();
        templates.dedup();
        let mut names: Vec<String> = Vec::new();
        for t in &templates {
            for fill in ["", "x", "Team", "a:b/c", "${X}", "tag-key"] {
                let n = t.replace("${", "\u{0}").replace('}', "\u{1}");
                let filled: String = n
                    .split('\u{0}')
                    .enumerate()
                    .map(|(i, part)| {
                        if i == 0 {
                            part.to_owned()
                        } else {
                            let (_, after) = part.split_once('\u{1}').unwrap_or(("", part));
                            format!("{fill}{after}")
                        }
                    })
                    .collect();
                names.push(filled.clone());
                names.push(filled.to_ascii_uppercase());
                names.push(format!("{filled}x"));
                names.push(filled.replace("tag-key", fill));
                if let Some(short) = filled.get(..filled.len().saturating_sub(1)) {
                    names.push(short.to_owned());
                }
            }
            names.push((*t).to_owned());
        }
        for (i, t) in templates.iter().enumerate() {
            // Every template against names made from it and from its neighbours.
            let lo = i.saturating_sub(3) * 31;
            for n in names.iter().skip(lo).take(31 * 7) {
                assert_eq!(key_matches(t, n), reference_key_matches(t, n), "{t} {n}");
            }
        }
    }

    #[test]
    fn templates() {
        let ec = "kms:EncryptionContext:${EncryptionContextKey}";
        assert!(key_matches(ec, "kms:EncryptionContext:aws:s3:arn"));
        assert!(key_matches(ec, "KMS:encryptioncontext:x"));
        assert!(!key_matches(ec, "kms:EncryptionContext:"));
        assert!(!key_matches(ec, "kms:EncryptionContextKeys"));
        assert!(key_matches(
            "aws:PrincipalTag/tag-key",
            "aws:principaltag/dept"
        ));
        assert!(!key_matches(
            "aws:PrincipalTag/tag-key",
            "aws:PrincipalTag/"
        ));
        assert!(key_matches("aws:TagKeys", "AWS:TAGKEYS"));
        assert!(!key_matches("aws:TagKeys", "aws:TagKeysX"));
        let mid = "s3:Metadata/${MetadataKey}/Matcher";
        assert!(key_matches(mid, "s3:metadata/a/b/matcher"));
        assert!(!key_matches(mid, "s3:metadata//matcher"));
    }

    /// The banded search agrees with the full one on every pair of a set of names, at every
    /// limit up to past their lengths.
    #[test]
    fn banded_distance_agrees() {
        let names = [
            "",
            "a",
            "A",
            "ab",
            "ba",
            "abc",
            "acb",
            "kms",
            "KMS",
            "kmss",
            "skm",
            "Decrypt",
            "Decrpyt",
            "decrypt",
            "Encrypt",
            "ReEncrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "DescribeKey",
            "ListKeys",
            "ListAliases",
            "kitten",
            "sitting",
            "abcdefghijklmnopqrstuvwxyz",
            "zyxwvutsrqponmlkjihgfedcba",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        for a in names {
            for b in names {
                let d = edit_distance_ci(a, b);
                for limit in 0..60 {
                    assert_eq!(
                        edit_distance_ci_within(a, b, limit),
                        (d <= limit).then_some(d),
                        "{a} {b} {limit}"
                    );
                }
                assert_eq!(
                    edit_distance_ci_within(a, b, usize::MAX),
                    Some(d),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance_ci("Decrpyt", "Decrypt"), 1);
        assert_eq!(edit_distance_ci("kmss", "kms"), 1);
        assert_eq!(edit_distance_ci("", "abc"), 3);
        assert_eq!(edit_distance_ci("KMS", "kms"), 0);
        assert_eq!(edit_distance_ci("kitten", "sitting"), 3);
        for (a, b) in [
            ("Decrpyt", "Decrypt"),
            ("kmss", "kms"),
            ("", "abc"),
            ("KMS", "kms"),
            ("kitten", "sitting"),
            ("ListKeys", "ListAliases"),
        ] {
            for limit in 0..6 {
                let d = edit_distance_ci(a, b);
                assert_eq!(
                    edit_distance_ci_within(a, b, limit),
                    (d <= limit).then_some(d),
                    "{a} {b} {limit}"
                );
            }
        }
    }
}
