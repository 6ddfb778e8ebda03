//! `BinaryEquals` (conditions.md §4.5).
//!
//! The policy value is base64 text, decoded strictly (standard alphabet, padding required,
//! unused bits zero — §4.5 UNDOC → strict). Strict base64 is canonical: equal byte strings
//! have exactly one encoding. Request binary values are carried in the context as base64
//! text (the context holds strings only), so a byte-for-byte comparison of the decoded values
//! equals a comparison of the request text with the policy value's canonical encoding, which
//! needs no decoding (and no allocation) at evaluation time.

use kmsguard_syntax::ast::ConditionValue;

fn sextet(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Whether `s` is strict, canonical base64 (which is what the comparison relies on).
pub(crate) fn is_strict_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() % 4 != 0 {
        return false;
    }
    let chunks = b.chunks_exact(4);
    let n = chunks.len();
    for (i, c) in chunks.enumerate() {
        let last = i + 1 == n;
        let pad = c.iter().rev().take_while(|&&x| x == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return false;
        }
        let mut v: u32 = 0;
        for &x in c.iter().take(4 - pad) {
            match sextet(x) {
                Some(s) => v = (v << 6) | s,
                None => return false,
            }
        }
        // Unused low bits of the final quantum must be zero, or the encoding is not canonical.
        let unused_mask = match pad {
            1 => 0b11,
            2 => 0b1111,
            _ => 0,
        };
        if v & unused_mask != 0 {
            return false;
        }
    }
    true
}

/// The compiled values of one `BinaryEquals` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BinaryTest {
    /// Canonical base64 text; `None` when the policy value is not strict base64 (never a hit).
    /// No variables (§4.5).
    values: Vec<Option<Box<str>>>,
}

impl BinaryTest {
    pub(crate) fn compile(values: &[&ConditionValue]) -> Self {
        Self {
            values: values
                .iter()
                .map(|v| {
                    let raw = v.template.raw.as_str();
                    is_strict_base64(raw).then(|| Box::from(raw))
                })
                .collect(),
        }
    }

    /// Whether the request value (base64 text) holds the same bytes as any policy value.
    pub(crate) fn hit(&self, text: &str) -> bool {
        self.values.iter().flatten().any(|p| **p == *text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness() {
        for ok in ["", "QQ==", "QUI=", "QUJD", "AAECAwQ=", "+/+/"] {
            assert!(is_strict_base64(ok), "{ok}");
        }
        for bad in [
            "Q", "QQ", "QQ=", "QR==", "QUJ=", "Q===", "QQ==QQ==", "QU JD", "QUJD\n", "-_-_",
        ] {
            assert!(!is_strict_base64(bad), "{bad}");
        }
    }

    #[test]
    fn table() {
        use kmsguard_syntax::ast::{ScalarKind, Template};
        let v = |s: &str| ConditionValue {
            template: Template::literal(s),
            kind: ScalarKind::String,
        };
        let (a, b) = (v("QUJD"), v("QR=="));
        let t = BinaryTest::compile(&[&a, &b]);
        assert!(t.hit("QUJD"));
        assert!(!t.hit("QUJE"));
        // The malformed policy value never matches, even textually.
        assert!(!t.hit("QR=="));
    }
}
