//! Condition evaluation (conditions.md). Owned by the condition layer.
//!
//! A [`CompiledCondition`] is one `(operator, key, values)` triple compiled once: policy
//! values are pre-parsed for their operator family (numbers, instants, CIDRs, base64, ARN
//! segments, wildcard patterns), and policy variables are kept as indexed references that are
//! resolved against the request context at evaluation time. Evaluation follows the reference
//! procedure of conditions.md §3 and does not allocate.
//!
//! `Truth::Unknown` is produced in exactly one case: the condition's key was marked
//! *ambiguous* in the request context ([`RequestContext::insert_checked`] /
//! [`RequestContext::mark_ambiguous`]: two spellings of the key differing only in case, with
//! different values, e.g. resource tags `EC2=test1` and `ec2=test2`). AWS only warns that this
//! "leads to unexpected failures" (§2); the engine cannot know which value AWS would use.

mod arn;
mod binary;
mod boolean;
mod date;
mod ip;
mod numeric;
mod string;
pub(crate) mod variables;

use kmsguard_syntax::ast::{
    BaseOperator, Condition, ConditionOperator, ConditionValue, OperatorFamily, Qualifier,
};

use crate::context::{ContextValue, RequestContext};
use variables::{VarRef, with_resolved};

/// The outcome of a condition, or of a whole statement's conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided (for example an unresolvable case AWS does not document); the string
    /// says what could not be evaluated.
    Unknown(String),
}

impl Truth {
    /// `True` or `False` from a boolean.
    #[must_use]
    pub fn from_bool(b: bool) -> Self {
        if b { Self::True } else { Self::False }
    }

    /// Whether this is `Truth::True`.
    #[must_use]
    pub fn is_true(&self) -> bool {
        *self == Self::True
    }
}

/// The per-family compiled policy values.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Body {
    /// `Null`: which request states the listed values accept.
    Null {
        /// Some value is `true`: absent or empty keys match.
        when_null: bool,
        /// Some value is `false`: present, non-empty keys match.
        when_present: bool,
    },
    String(string::StringTest),
    Numeric(numeric::NumericTest),
    Date(date::DateTest),
    Bool(boolean::BoolTest),
    Binary(binary::BinaryTest),
    Ip(ip::IpTest),
    Arn(arn::ArnTest),
}

/// One compiled condition (`operator`, `key`, `values`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledCondition {
    operator: ConditionOperator,
    key_lower: Box<str>,
    key_text: Box<str>,
    body: Body,
    /// Policy variables referenced by the values (String, Arn and Bool families only, §6.2).
    vars: Vec<VarRef>,
    /// The key or a value holds a placeholder (unknown until deploy): the condition's truth
    /// is unknown.
    unknown: bool,
}

impl CompiledCondition {
    /// Compiles a condition. `variables` says whether the policy version interprets policy
    /// variables (`2012-10-17`, §6.1); when false every value is literal text.
    #[must_use]
    pub fn compile(c: &Condition, variables: bool) -> Self {
        let operator = *c.operator;
        let base = operator.base;
        let values: Vec<&ConditionValue> = c.values.iter().map(|v| &v.node).collect();
        let mut vars = Vec::new();
        let body = match base.family() {
            OperatorFamily::Null => {
                // §4.8: only `true` / `false` mean anything; other values never match. Case of
                // the words is undocumented → accepted in any case (as for `Bool`).
                let mut when_null = false;
                let mut when_present = false;
                for v in &values {
                    match boolean::parse_bool(&v.template.raw) {
                        Some(true) => when_null = true,
                        Some(false) => when_present = true,
                        None => {}
                    }
                }
                Body::Null {
                    when_null,
                    when_present,
                }
            }
            OperatorFamily::String => Body::String(string::StringTest::compile(
                base, &values, variables, &mut vars,
            )),
            OperatorFamily::Numeric => Body::Numeric(numeric::NumericTest::compile(base, &values)),
            OperatorFamily::Date => Body::Date(date::DateTest::compile(base, &values)),
            OperatorFamily::Bool => {
                Body::Bool(boolean::BoolTest::compile(&values, variables, &mut vars))
            }
            OperatorFamily::Binary => Body::Binary(binary::BinaryTest::compile(&values)),
            OperatorFamily::Ip => Body::Ip(ip::IpTest::compile(&values)),
            OperatorFamily::Arn => Body::Arn(arn::ArnTest::compile(&values, variables, &mut vars)),
        };
        let unknown = kmsguard_syntax::unknown::contains(c.key.text())
            || values
                .iter()
                .any(|v| kmsguard_syntax::unknown::contains(&v.template.raw));
        Self {
            operator,
            key_lower: Box::from(c.key.lower()),
            key_text: Box::from(c.key.text()),
            body,
            vars,
            unknown,
        }
    }

    /// The context key in lower case (for lookups and explanations).
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key_lower
    }

    /// The context key as written in the policy.
    #[must_use]
    pub fn key_text(&self) -> &str {
        &self.key_text
    }

    /// The operator.
    #[must_use]
    pub fn operator(&self) -> ConditionOperator {
        self.operator
    }

    /// Whether some policy value of this condition uses a policy variable that cannot be
    /// resolved from `ctx` (key absent or multivalued, no default). Such a value never matches:
    /// positive operators fail on it and negated operators succeed (§6.3).
    #[must_use]
    pub fn has_unresolved(&self, ctx: &RequestContext) -> bool {
        self.vars.iter().any(|v| v.resolve(ctx).is_none())
    }

    /// Evaluates the condition against the request (conditions.md §3).
    #[must_use]
    pub fn eval(&self, ctx: &RequestContext) -> Truth {
        if self.unknown {
            return Truth::Unknown(format!(
                "a value of the condition on `{}` is unknown until deploy",
                self.key_text
            ));
        }
        if ctx.is_ambiguous(&self.key_lower) {
            return Truth::Unknown(format!(
                "context key `{}` was supplied in several spellings differing only in case, \
                 with different values; AWS does not document which one a condition sees",
                self.key_text
            ));
        }
        let state = ctx.get_lower(&self.key_lower);
        if let Body::Null {
            when_null,
            when_present,
        } = self.body
        {
            // §4.8: absent, empty string and empty list all count as null.
            let present = match state {
                None => false,
                Some(ContextValue::Single(s)) => !s.is_empty(),
                Some(ContextValue::Multi(v)) => !v.is_empty(),
            };
            return Truth::from_bool(if present { when_present } else { when_null });
        }
        let op = self.operator;
        let negated = op.base.is_negated();
        let Some(state) = state else {
            // §3 / §4.9 / §5.1: missing key.
            return Truth::from_bool(if op.if_exists {
                // `ForAnyValue:…IfExists` on a missing key is true too (§4.9 INF; iam-simulate
                // differs and returns false — §9 row 52).
                true
            } else {
                match op.qualifier {
                    Some(Qualifier::ForAllValues) => true,
                    Some(Qualifier::ForAnyValue) => false,
                    None => negated,
                }
            });
        };
        with_resolved(&self.vars, ctx, |vars| {
            // Per request value: the positive base operator's OR over policy values, negated
            // (NOR) for negated operators.
            let per_value = |v: &str| self.hit(v, vars) != negated;
            let b = match (op.qualifier, state) {
                // §5.4 [SIM]: a multivalued key without a qualifier never matches, negated
                // operators included. A present-but-empty list is not "multi" but empty: it is
                // evaluated as the empty string (§3; present-empty counts as present, §4.9).
                (None, ContextValue::Multi(list)) => match list.as_slice() {
                    [] => per_value(""),
                    _ => false,
                },
                (None, ContextValue::Single(s)) => per_value(s),
                // §5.1: a single value is a one-element set; an empty value is the empty set
                // ("empty values are treated like missing").
                (Some(q), ContextValue::Single(s)) => {
                    if s.is_empty() {
                        q == Qualifier::ForAllValues
                    } else {
                        per_value(s)
                    }
                }
                (Some(Qualifier::ForAllValues), ContextValue::Multi(list)) => {
                    list.iter().all(|v| per_value(v))
                }
                (Some(Qualifier::ForAnyValue), ContextValue::Multi(list)) => {
                    list.iter().any(|v| per_value(v))
                }
            };
            Truth::from_bool(b)
        })
    }

    /// Whether the request value matches some policy value under the positive base operator.
    fn hit(&self, text: &str, vars: &[Option<&str>]) -> bool {
        match &self.body {
            Body::Null { .. } => false,
            Body::String(t) => t.hit(text, vars),
            Body::Numeric(t) => t.hit(text),
            Body::Date(t) => t.hit(text),
            Body::Bool(t) => t.hit(text, vars),
            Body::Binary(t) => t.hit(text),
            Body::Ip(t) => t.hit(text),
            Body::Arn(t) => t.hit(text, vars),
        }
    }
}

/// All of a statement's conditions AND-ed: the overall truth, and the index of the condition
/// that decided it when it is not `True` — the first `False` one if any (a `False` decides the
/// conjunction even next to an `Unknown`; evaluation stops there), otherwise the first
/// `Unknown` one. An empty list is `True` (§1: an empty `Condition` imposes nothing).
#[must_use]
pub fn eval_all(conds: &[CompiledCondition], ctx: &RequestContext) -> (Truth, Option<usize>) {
    let mut unknown: Option<(Truth, usize)> = None;
    for (i, c) in conds.iter().enumerate() {
        match c.eval(ctx) {
            Truth::True => {}
            Truth::False => return (Truth::False, Some(i)),
            u @ Truth::Unknown(_) => {
                if unknown.is_none() {
                    unknown = Some((u, i));
                }
            }
        }
    }
    match unknown {
        Some((u, i)) => (u, Some(i)),
        None => (Truth::True, None),
    }
}

/// Compiles every condition of a statement.
#[must_use]
pub fn compile_all(conds: &[Condition], variables: bool) -> Vec<CompiledCondition> {
    conds
        .iter()
        .map(|c| CompiledCondition::compile(c, variables))
        .collect()
}

/// Whether `base` is one of the operators for which AWS substitutes policy variables in
/// condition values (String, Arn; Bool by our reading, §4.4/§6.2). For linters/explanations.
#[must_use]
pub fn takes_variables(base: BaseOperator) -> bool {
    matches!(
        base.family(),
        OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Bool
    )
}
