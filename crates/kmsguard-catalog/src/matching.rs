//! Case-insensitive comparison, IAM wildcards, templated condition-key names and edit distance.
//!
//! Everything works on bytes with ASCII case folding: the catalog's names are ASCII, and IAM
//! folds only ASCII case in action names and condition-key names.

use std::cmp::Ordering;

/// Compares `a` and `b` as if both were ASCII-lower-cased (the order of the tables).
pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
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
pub(crate) fn wildcard_match_ci(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    let (mut pi, mut ni) = (0usize, 0usize);
    // Where to resume after the last `*`: pattern index after it, and the name index it covers to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match (p.get(pi), n.get(ni)) {
            (Some(b'*'), _) => {
                star = Some((pi.saturating_add(1), ni));
                pi = pi.saturating_add(1);
            }
            (Some(&pc), Some(&nc)) if pc == b'?' || pc.eq_ignore_ascii_case(&nc) => {
                pi = pi.saturating_add(1);
                ni = ni.saturating_add(1);
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp;
                    ni = sn.saturating_add(1);
                    star = Some((sp, ni));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Whether the condition-key name `name`, as written in a policy, matches `template`, a key
/// name as AWS documents it, ignoring ASCII case. Each `${...}` in the template stands for one
/// or more characters of any kind (`kms:EncryptionContext:${EncryptionContextKey}` matches
/// `kms:EncryptionContext:aws:s3:arn`), as does a final `tag-key` after a `/` (the global keys'
/// spelling: `aws:PrincipalTag/tag-key`). Without variables this is a case-insensitive equality.
pub(crate) fn key_matches(template: &str, name: &str) -> bool {
    let t = template.as_bytes();
    let n = name.as_bytes();
    if ends_with_ci(template, "/tag-key") {
        let base_len = t.len().saturating_sub("tag-key".len());
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
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let width = b.len().saturating_add(1);
    let mut prev2 = [0usize; MAX];
    let mut prev = [0usize; MAX];
    let mut cur = [0usize; MAX];
    for (j, slot) in prev.iter_mut().enumerate().take(width) {
        *slot = j;
    }
    for (i, &ac) in a.iter().enumerate() {
        let ac = ac.to_ascii_lowercase();
        cur[0] = i.saturating_add(1);
        let mut row_min = cur[0];
        for (j, &bc) in b.iter().enumerate() {
            let bc = bc.to_ascii_lowercase();
            let mut d = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + usize::from(ac != bc));
            if i > 0
                && j > 0
                && a[i - 1].to_ascii_lowercase() == bc
                && b[j - 1].to_ascii_lowercase() == ac
            {
                d = d.min(prev2[j - 1] + 1);
            }
            cur[j + 1] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

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
