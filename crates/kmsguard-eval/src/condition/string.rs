//! `String*` operators (conditions.md §4.1).

use kmsguard_syntax::ast::{BaseOperator, ConditionValue};

use super::variables::{Part, VarRef, parts};
use crate::pattern::{Case, TokBuilder, Wildcard};

/// How a `String*` operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `StringEquals` / `StringNotEquals`: exact; `*` and `?` are literal.
    Exact,
    /// `…IgnoreCase`: Unicode simple lowercase of both sides (§4.1, UNDOC → adopted).
    Fold,
    /// `StringLike` / `StringNotLike`: glob.
    Like,
}

/// One compiled policy value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    /// Exact or glob pattern (exact values are patterns without wildcard tokens, so
    /// variables substitute piecewise without allocating).
    Pattern(Wildcard),
    /// Case-folded value: literal runs already lower-cased, variables folded when compared.
    Fold(Vec<FoldPart>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum FoldPart {
    Lit(Box<str>),
    Var(usize),
}

/// The compiled values of one `String*` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StringTest {
    values: Vec<Value>,
}

fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

impl StringTest {
    pub(crate) fn compile(
        base: BaseOperator,
        values: &[&ConditionValue],
        variables: bool,
        vars: &mut Vec<VarRef>,
    ) -> Self {
        let mode = match base {
            BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
                Mode::Fold
            }
            BaseOperator::StringLike | BaseOperator::StringNotLike => Mode::Like,
            _ => Mode::Exact,
        };
        let values = values
            .iter()
            .map(|v| {
                let ps = parts(&v.template, variables, vars);
                match mode {
                    Mode::Fold => {
                        let mut out: Vec<FoldPart> = Vec::new();
                        for p in ps {
                            match p {
                                Part::Text(t) => push_fold(&mut out, &fold(t)),
                                Part::Lit(c) => {
                                    push_fold(&mut out, &fold(c.encode_utf8(&mut [0; 4])))
                                }
                                Part::Var(i) => out.push(FoldPart::Var(i)),
                            }
                        }
                        Value::Fold(out)
                    }
                    Mode::Exact | Mode::Like => {
                        let mut b = TokBuilder::default();
                        for p in ps {
                            match p {
                                Part::Text(t) if mode == Mode::Like => b.wild(t),
                                // StringEquals: `*` and `?` are ordinary characters (§4.1).
                                Part::Text(t) => b.lit(t),
                                Part::Lit(c) => b.lit_char(c),
                                Part::Var(i) => b.var(i),
                            }
                        }
                        Value::Pattern(b.build(Case::Sensitive))
                    }
                }
            })
            .collect();
        Self { values }
    }

    /// Whether the request value matches any policy value (positive operator).
    pub(crate) fn hit(&self, text: &str, vars: &[Option<&str>]) -> bool {
        self.values.iter().any(|v| match v {
            Value::Pattern(w) => w.matches_with(text, vars),
            Value::Fold(ps) => fold_eq(text, ps, vars),
        })
    }
}

fn push_fold(out: &mut Vec<FoldPart>, s: &str) {
    if let Some(FoldPart::Lit(prev)) = out.last_mut() {
        let mut joined = String::from(&**prev);
        joined.push_str(s);
        *prev = joined.into_boxed_str();
    } else if !s.is_empty() {
        out.push(FoldPart::Lit(Box::from(s)));
    }
}

fn fold_eq(text: &str, ps: &[FoldPart], vars: &[Option<&str>]) -> bool {
    match ps {
        [] => text.is_empty(),
        // Fast path: an ASCII request value lower-cases to ASCII, and the policy side is
        // already folded, so an ASCII-insensitive byte comparison is exact.
        [FoldPart::Lit(l)] if text.is_ascii() => text.eq_ignore_ascii_case(l),
        _ => {
            // Any unresolved variable: the value never matches (§6.3).
            if ps
                .iter()
                .any(|p| matches!(p, FoldPart::Var(i) if vars.get(*i).copied().flatten().is_none()))
            {
                return false;
            }
            let policy = ps
                .iter()
                .map(|p| match p {
                    FoldPart::Lit(s) => s,
                    FoldPart::Var(i) => vars.get(*i).copied().flatten().unwrap_or(""),
                })
                .flat_map(|s| s.chars().flat_map(char::to_lowercase));
            text.chars().flat_map(char::to_lowercase).eq(policy)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn test(op: BaseOperator, vals: &[&str], vars: &mut Vec<VarRef>) -> StringTest {
        let vs: Vec<ConditionValue> = vals
            .iter()
            .map(|v| ConditionValue {
                template: Template::parse(v).unwrap(),
                kind: ScalarKind::String,
            })
            .collect();
        let refs: Vec<&ConditionValue> = vs.iter().collect();
        StringTest::compile(op, &refs, true, vars)
    }

    #[test]
    fn table() {
        use BaseOperator::*;
        let cases: &[(BaseOperator, &str, &str, bool)] = &[
            (StringEquals, "abc", "abc", true),
            (StringEquals, "abc", "ABC", false),
            (StringEquals, "a*", "abc", false),
            (StringEquals, "a*", "a*", true),
            (StringEquals, "", "", true),
            (StringEquals, "", "x", false),
            (StringEquals, "a${*}", "a*", true),
            (StringEqualsIgnoreCase, "JohnDoe", "johndoe", true),
            (StringEqualsIgnoreCase, "ÄBC", "äbc", true),
            (StringEqualsIgnoreCase, "abc", "abd", false),
            (StringEqualsIgnoreCase, "a*", "A*", true),
            (StringEqualsIgnoreCase, "a*", "Abc", false),
            (StringLike, "home/*", "home/", true),
            (StringLike, "a?c", "ac", false),
            (StringLike, "a?c", "abc", true),
            (StringLike, "*", "", true),
            (StringLike, "", "", true),
            (StringLike, "", "x", false),
            (StringLike, "a${*}b", "a*b", true),
            (StringLike, "a${*}b", "axb", false),
            (StringLike, "a${?}b", "a?b", true),
            (StringLike, "a${?}b", "axb", false),
            (StringLike, "${$}*", "$x", true),
            (StringLike, "a\\*", "a\\bc", true),
        ];
        for &(op, pat, text, want) in cases {
            let mut vars = Vec::new();
            let t = test(op, &[pat], &mut vars);
            assert_eq!(t.hit(text, &[]), want, "{op:?} {pat:?} vs {text:?}");
        }
    }

    #[test]
    fn variables_substitute_literally() {
        let mut vars = Vec::new();
        let t = test(
            BaseOperator::StringLike,
            &["home/${aws:username}/*"],
            &mut vars,
        );
        assert_eq!(vars.len(), 1);
        assert!(t.hit("home/alice/x", &[Some("alice")]));
        assert!(!t.hit("home/bob/x", &[Some("alice")]));
        assert!(!t.hit("home//x", &[None]));
        // Substituted `*` is literal (§6.3 UNDOC → escape).
        assert!(!t.hit("home/abc/x", &[Some("*")]));
        assert!(t.hit("home/*/x", &[Some("*")]));
        let mut vars = Vec::new();
        let t = test(
            BaseOperator::StringEqualsIgnoreCase,
            &["X-${aws:username}"],
            &mut vars,
        );
        assert!(t.hit("x-ALICE", &[Some("alice")]));
        assert!(!t.hit("x-ALICE", &[None]));
    }
}
