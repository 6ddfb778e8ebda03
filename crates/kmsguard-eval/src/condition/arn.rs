//! `Arn*` operators (conditions.md §4.7).
//!
//! `ArnEquals` ≡ `ArnLike` and `ArnNotEquals` ≡ `ArnNotLike` (documented). Both ARNs are split into
//! six segments and each segment is glob-matched on its own, case-sensitively; unlike a
//! `Resource` entry, a `*` never crosses a segment boundary here (§4.7 and §9 row 16: the
//! documented example does not match with `ArnLike` although `StringLike` matches it).

use kmsguard_syntax::ast::ConditionValue;

use super::variables::{VarRef, parts};
use crate::arn::{compile_segments, split6};
use crate::pattern::Wildcard;

/// The compiled values of one `Arn*` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArnTest {
    /// Six segment patterns per value; `None` for a value that is not a six-part ARN (never a
    /// hit, §4.7 SIM/UNDOC).
    values: Vec<Option<Vec<Wildcard>>>,
}

impl ArnTest {
    pub(crate) fn compile(
        values: &[&ConditionValue],
        variables: bool,
        vars: &mut Vec<VarRef>,
    ) -> Self {
        let values = values
            .iter()
            .map(|v| {
                let ps = parts(&v.template, variables, vars);
                // Variables are allowed anywhere in an ARN condition value (§6.2).
                let mut segs = compile_segments(&ps, 0)?;
                if segs.truncated {
                    // `arn:aws:sqs:*`: the trailing `*` stands for the missing segments (the
                    // syntax crate's `ArnParts::parse` reads it the same way).
                    while segs.segs.len() < 6 {
                        segs.segs
                            .push(Wildcard::new("*", crate::pattern::Case::Sensitive));
                    }
                }
                Some(segs.segs)
            })
            .collect();
        Self { values }
    }

    /// Whether the request ARN matches any policy value. A request value that is not a
    /// six-part ARN never matches.
    pub(crate) fn hit(&self, text: &str, vars: &[Option<&str>]) -> bool {
        let Some(t) = split6(text) else {
            return false;
        };
        self.values
            .iter()
            .flatten()
            .any(|segs| segs.iter().zip(t).all(|(w, s)| w.matches_with(s, vars)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn hit(pol: &str, req: &str, vars: &[Option<&str>]) -> bool {
        let v = ConditionValue {
            template: Template::parse(pol).unwrap(),
            kind: ScalarKind::String,
        };
        let mut vs = Vec::new();
        ArnTest::compile(&[&v], true, &mut vs).hit(req, vars)
    }

    #[test]
    fn table() {
        let role = "arn:aws:iam::123456789012:role/AdminOps";
        let cases: &[(&str, &str, bool)] = &[
            ("arn:aws:iam::*:role/Admin*", role, true),
            ("arn:aws:iam::123456789012:role/AdminOps", role, true),
            ("arn:aws:iam::123456789012:role/adminops", role, false),
            ("arn:aws:iam::*:role/Ops*", role, false),
            ("arn:aws:iam::???456789012:role/*", role, true),
            ("arn:aws:iam::*", role, true),
            ("arn:aws:*", role, true),
            ("arn:aws:iam:*:*:*", role, true),
            ("arn:aws:iam:?:*:*", role, false),
            (
                "arn:aws:x:*:111122223333:finance/*",
                "arn:aws:x:us-east-2:999999999999:store/abc:111122223333:finance/d.txt",
                false,
            ),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", true),
            ("*", role, false),
            ("arn:aws:iam::123456789012", role, false),
            ("role/AdminOps", role, false),
            ("arn:aws:iam::*:role/Admin*", "AdminOps", false),
            ("arn:aws:iam::*:role/Admin*", "arn:aws:iam::1", false),
            (
                "arn:aws:sts::1:assumed-role/R/s",
                "arn:aws:iam::1:role/R",
                false,
            ),
        ];
        for &(pol, req, want) in cases {
            assert_eq!(hit(pol, req, &[]), want, "{pol} vs {req}");
        }
    }

    #[test]
    fn variables() {
        let p = "arn:aws:iam::${aws:PrincipalAccount}:role/*";
        assert!(hit(p, "arn:aws:iam::1:role/x", &[Some("1")]));
        assert!(!hit(p, "arn:aws:iam::2:role/x", &[Some("1")]));
        assert!(!hit(p, "arn:aws:iam::1:role/x", &[None]));
    }
}
