//! `Bool` (conditions.md §4.4).

use kmsguard_syntax::ast::ConditionValue;

use super::variables::{Part, VarRef, parts};
use crate::pattern::{Case, TokBuilder, Wildcard};

/// Reads `true` / `false` in any case (§4.4: case undocumented → case-insensitive, linted).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    /// A constant; `None` when it is neither `true` nor `false` (never a hit).
    Const(Option<bool>),
    /// A value with policy variables: the AWS pages disagree whether `Bool` takes variables
    /// (§4.4); resolving them is harmless, so we do. Kept as a case-insensitive exact pattern
    /// and tested against the words `true` and `false`.
    Template(Wildcard),
}

/// The compiled values of one `Bool` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BoolTest {
    values: Vec<Value>,
}

impl BoolTest {
    pub(crate) fn compile(
        values: &[&ConditionValue],
        variables: bool,
        vars: &mut Vec<VarRef>,
    ) -> Self {
        let values = values
            .iter()
            .map(|v| {
                if !(variables && v.template.has_variables()) {
                    return Value::Const(parse_bool(&v.template.raw));
                }
                let mut b = TokBuilder::default();
                for p in parts(&v.template, variables, vars) {
                    match p {
                        Part::Text(t) => b.lit(t),
                        Part::Lit(c) => b.lit_char(c),
                        Part::Var(i) => b.var(i),
                    }
                }
                Value::Template(b.build(Case::Insensitive))
            })
            .collect();
        Self { values }
    }

    /// Whether the request value equals any policy value as a boolean. A request value that
    /// is not a boolean never matches (§4.4).
    pub(crate) fn hit(&self, text: &str, vars: &[Option<&str>]) -> bool {
        let Some(req) = parse_bool(text) else {
            return false;
        };
        let word = if req { "true" } else { "false" };
        self.values.iter().any(|v| match v {
            Value::Const(p) => *p == Some(req),
            Value::Template(w) => w.matches_with(word, vars),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn test(pols: &[&str], vars: &mut Vec<VarRef>) -> BoolTest {
        let vs: Vec<ConditionValue> = pols
            .iter()
            .map(|p| ConditionValue {
                template: Template::parse(p).unwrap(),
                kind: ScalarKind::String,
            })
            .collect();
        let refs: Vec<&ConditionValue> = vs.iter().collect();
        BoolTest::compile(&refs, true, vars)
    }

    #[test]
    fn table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["true"], "true", true),
            (&["true"], "false", false),
            (&["false"], "false", true),
            (&["TRUE"], "true", true),
            (&["True"], "TRUE", true),
            (&["yes"], "true", false),
            (&["1"], "true", false),
            (&["true"], "1", false),
            (&["true"], "", false),
            (&["true", "false"], "false", true),
        ];
        for &(pols, req, want) in cases {
            assert_eq!(
                test(pols, &mut Vec::new()).hit(req, &[]),
                want,
                "{pols:?} vs {req}"
            );
        }
    }

    #[test]
    fn variables() {
        let mut vars = Vec::new();
        let t = test(&["${aws:PrincipalTag/flag}"], &mut vars);
        assert!(t.hit("true", &[Some("TRUE")]));
        assert!(!t.hit("false", &[Some("true")]));
        assert!(!t.hit("true", &[None]));
    }
}
