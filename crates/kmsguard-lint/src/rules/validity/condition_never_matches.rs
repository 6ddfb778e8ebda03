use std::cmp::Ordering;

use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{BaseOperator, Condition, Effect, OperatorFamily, Policy, Statement};

use super::condition_key;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags two conditions on the same key, in one statement, that can never both hold, so the
/// statement never applies: `Null: true` with an operator that is false when the key is
/// absent, a negated operator that rejects every value its positive partner accepts, or
/// numeric or date bounds that leave no value.
///
/// ## Why it matters
/// All operators of a `Condition` block, and all keys under one operator, must hold at once
/// (conditions.md §1: operators AND, keys AND). When two of them exclude each other no request
/// matches the statement (validation-checks.md VC-18, dead statements): an `Allow` written this
/// way grants nothing, and a `Deny` protects nothing, while the policy reads as if it did.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"OtherAccounts","Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"},"StringNotEquals":{"kms:CallerAccount":["111122223333","444455556666"]}}}]}
/// ```
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"ShortRotation","Effect":"Allow","Action":"kms:EnableKeyRotation","Resource":"*","Condition":{"NumericLessThan":{"kms:RotationPeriodInDays":"90"},"NumericGreaterThanEquals":{"kms:RotationPeriodInDays":"365"}}}]}
/// ```
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"NoTag","Effect":"Allow","Action":"kms:TagResource","Resource":"*","Condition":{"Null":{"aws:RequestTag/team":"true"},"StringEquals":{"aws:RequestTag/team":"platform"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"OtherAccounts","Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]},"StringNotEquals":{"kms:CallerAccount":"111122223333"}}}]}
/// ```
///
/// ## Known gaps
/// Only certain contradictions are reported, between unqualified operators on the same key
/// with no policy variables in the values. A negated operator must repeat the other operator's
/// values as written (case-folded for `...IgnoreCase`); numeric bounds compare plain decimals by
/// value, date bounds only the plain `YYYY-MM-DDTHH:MM:SSZ` form. Not detected: conflicts that
/// need pattern matching (a `StringNotLike`/`ArnNotLike` pattern covering other values,
/// overlapping CIDR ranges); `NumericNotEquals`/`DateNotEquals` values equal only after
/// normalisation (`10` and `10.0`, an epoch and an ISO date); conflicts between different keys
/// (`aws:SourceVpce` with `aws:SourceIp`), between statements, or with the key's known value
/// range; `ForAllValues:`/`ForAnyValue:` conditions; and, except for `Null: true`, keys the
/// catalog types as multivalued, where unqualified operators have undocumented semantics.
/// `Bool` can appear once per key, so it never conflicts with itself.
pub(crate) ConditionNeverMatches {
    code: "I015",
    name: "condition-never-matches",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for ConditionNeverMatches {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let conds = &st.node.conditions;
            for (j, second) in conds.iter().enumerate() {
                let found = conds
                    .iter()
                    .take(j)
                    .find_map(|first| conflict(first, second).map(|labels| (first, labels)));
                if let Some((first, labels)) = found {
                    report(st, first, second, labels, cx);
                }
            }
        }
    }
}

/// Label texts for the first and the second condition of a conflicting pair.
type Labels = (String, String);

fn report(
    st: &Spanned<Statement>,
    first: &Condition,
    second: &Condition,
    (first_label, second_label): Labels,
    cx: &mut Context<'_>,
) {
    let label = st.node.label();
    let effect = match st.node.effect.node {
        Effect::Allow => "an `Allow` that never applies grants nothing",
        Effect::Deny => "a `Deny` that never applies protects nothing",
    };
    let d = cx
        .finding(format!(
            "conditions on `{}` can never both hold, so statement `{label}` never applies",
            second.key.node.text()
        ))
        .label(second.key.span, second_label)
        .secondary(first.key.span, first_label)
        .note(format!(
            "every operator of a `Condition` block must hold for the statement to apply; no request value satisfies both of these, and {effect}"
        ))
        .help(format!(
            "remove or correct one of the two conditions on `{}`",
            second.key.node.text()
        ));
    cx.report(d);
}

/// Why `a` and `b` (in that order) can never both hold, if they certainly cannot.
fn conflict(a: &Condition, b: &Condition) -> Option<Labels> {
    if a.key.node.lower() != b.key.node.lower()
        || a.operator.node.qualifier.is_some()
        || b.operator.node.qualifier.is_some()
        || has_variables(a)
        || has_variables(b)
    {
        return None;
    }
    if let Some(l) = null_pair(a, b) {
        return Some(l);
    }
    if let Some((n, p)) = null_vs_positive(a, b) {
        return Some((n, p));
    }
    if let Some((n, p)) = null_vs_positive(b, a) {
        return Some((p, n));
    }
    // The remaining checks read the key as one value; on a multivalued key unqualified
    // operators have undocumented semantics.
    if multivalued(a) {
        return None;
    }
    if let Some(l) = excluded_values(a, b) {
        return Some(l);
    }
    if let Some((n, p)) = excluded_values(b, a) {
        return Some((p, n));
    }
    disjoint_ranges(a, b)
}

/// Whether a value of `c` holds a policy variable, or its key or a value holds a placeholder
/// (unknown until deploy): such conditions are not judged.
fn has_variables(c: &Condition) -> bool {
    crate::holds_placeholder(c.key.node.text())
        || c.values.node.iter().any(|v| {
            v.node.template.has_variables() || crate::holds_placeholder(&v.node.template.raw)
        })
}

fn multivalued(c: &Condition) -> bool {
    condition_key(c.key.node.text()).is_some_and(|(def, _)| def.key_type.is_multivalued())
}

fn op_name(c: &Condition) -> String {
    c.operator.node.canonical_name()
}

fn raws(c: &Condition) -> impl Iterator<Item = &str> {
    c.values.node.iter().map(|v| v.node.template.raw.as_str())
}

/// `Some(true)` for `Null: true` (every value `true`), `Some(false)` for `Null: false`.
fn null_value(c: &Condition) -> Option<bool> {
    if c.operator.node.base != BaseOperator::Null || c.values.node.is_empty() {
        return None;
    }
    if raws(c).all(|v| v.eq_ignore_ascii_case("true")) {
        Some(true)
    } else if raws(c).all(|v| v.eq_ignore_ascii_case("false")) {
        Some(false)
    } else {
        None
    }
}

/// `Null: true` and `Null: false` on the same key (written in two spellings of the key).
fn null_pair(a: &Condition, b: &Condition) -> Option<Labels> {
    let (x, y) = (null_value(a)?, null_value(b)?);
    let text = |absent: bool| {
        if absent {
            "`Null: true` requires the key to be absent or empty".to_owned()
        } else {
            "`Null: false` requires the key to be present with a value".to_owned()
        }
    };
    (x != y).then(|| (text(x), text(y)))
}

/// `Null: true` (`n`) with a positive operator (`p`) that is false when the key is absent or
/// empty. Labels in the order (`n`, `p`).
fn null_vs_positive(n: &Condition, p: &Condition) -> Option<Labels> {
    if null_value(n) != Some(true) {
        return None;
    }
    let op = p.operator.node;
    if op.base == BaseOperator::Null
        || op.base.is_negated()
        || op.if_exists
        || p.values.node.is_empty()
        // A present but empty key is compared as the empty string: a value that may match it
        // (`""`, `"*"`) keeps both conditions satisfiable.
        || raws(p).any(|v| v.chars().all(|ch| ch == '*'))
    {
        return None;
    }
    Some((
        "`Null: true` requires the key to be absent or empty".to_owned(),
        format!("`{}` is false when the key is absent or empty", op_name(p)),
    ))
}

/// How a negated operator compares the values of its positive partner.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    AsciiCaseFolded,
}

/// Whether every request value that `pos` matches with policy value `x` is also matched by
/// `neg` with the same policy value `x` (up to the returned comparison).
fn partner(pos: BaseOperator, neg: BaseOperator) -> Option<Compare> {
    use BaseOperator as B;
    match (pos, neg) {
        // `StringEquals x` matches only `x` itself, which the glob `x` also matches.
        (B::StringEquals, B::StringNotEquals | B::StringNotLike)
        | (B::StringLike, B::StringNotLike)
        | (B::ArnEquals | B::ArnLike, B::ArnNotEquals | B::ArnNotLike)
        | (B::IpAddress, B::NotIpAddress)
        | (B::NumericEquals, B::NumericNotEquals)
        | (B::DateEquals, B::DateNotEquals) => Some(Compare::Exact),
        (B::StringEquals | B::StringEqualsIgnoreCase, B::StringNotEqualsIgnoreCase) => {
            Some(Compare::AsciiCaseFolded)
        }
        _ => None,
    }
}

/// A positive operator (`p`, not `IfExists`) whose every value a negated operator (`n`) on the
/// same key rejects. Labels in the order (`p`, `n`).
fn excluded_values(p: &Condition, n: &Condition) -> Option<Labels> {
    let (pop, nop) = (p.operator.node, n.operator.node);
    if pop.if_exists || pop.base.is_negated() || !nop.base.is_negated() {
        return None;
    }
    let cmp = partner(pop.base, nop.base)?;
    if p.values.node.is_empty() {
        return None;
    }
    let covered = raws(p).all(|x| {
        raws(n).any(|y| match cmp {
            Compare::Exact => x == y,
            Compare::AsciiCaseFolded => x.eq_ignore_ascii_case(y),
        })
    });
    let all = if p.values.node.len() == 1 {
        "it"
    } else {
        "all of them"
    };
    covered.then(|| {
        (
            format!("`{}` requires one of these values", op_name(p)),
            format!("`{}` rejects {all}", op_name(n)),
        )
    })
}

/// What a numeric or date operator requires of the one request value.
enum Constraint<T> {
    /// Greater than (`strict`) or at least `T`.
    Lower(T, bool),
    /// Less than (`strict`) or at most `T`.
    Upper(T, bool),
    /// Equal to one of these.
    Points(Vec<T>),
}

fn constraint<T: Ord + Clone>(
    c: &Condition,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Constraint<T>> {
    use BaseOperator as B;
    let values: Vec<T> = raws(c).map(&parse).collect::<Option<_>>()?;
    // Several values are ORed: the loosest bound counts.
    let lowest = values.iter().min().cloned();
    let highest = values.iter().max().cloned();
    Some(match c.operator.node.base {
        B::NumericGreaterThan | B::DateGreaterThan => Constraint::Lower(lowest?, true),
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => Constraint::Lower(lowest?, false),
        B::NumericLessThan | B::DateLessThan => Constraint::Upper(highest?, true),
        B::NumericLessThanEquals | B::DateLessThanEquals => Constraint::Upper(highest?, false),
        B::NumericEquals | B::DateEquals if !values.is_empty() => Constraint::Points(values),
        _ => return None,
    })
}

fn satisfies<T: Ord>(v: &T, c: &Constraint<T>) -> bool {
    match c {
        Constraint::Lower(lo, strict) => {
            matches!(v.cmp(lo), Ordering::Greater) || (!strict && v == lo)
        }
        Constraint::Upper(hi, strict) => {
            matches!(v.cmp(hi), Ordering::Less) || (!strict && v == hi)
        }
        Constraint::Points(ps) => ps.contains(v),
    }
}

/// Whether no value satisfies both constraints.
fn excludes<T: Ord>(a: &Constraint<T>, b: &Constraint<T>) -> bool {
    match (a, b) {
        (Constraint::Lower(lo, ls), Constraint::Upper(hi, hs))
        | (Constraint::Upper(hi, hs), Constraint::Lower(lo, ls)) => match lo.cmp(hi) {
            Ordering::Greater => true,
            Ordering::Equal => *ls || *hs,
            Ordering::Less => false,
        },
        (Constraint::Points(ps), other) | (other, Constraint::Points(ps)) => {
            ps.iter().all(|p| !satisfies(p, other))
        }
        _ => false,
    }
}

/// Numeric or date bounds (same family, plain values) that no value satisfies. Positive
/// operators are false on an absent key, so one of them without `IfExists` is enough.
fn disjoint_ranges(a: &Condition, b: &Condition) -> Option<Labels> {
    let (aop, bop) = (a.operator.node, b.operator.node);
    if aop.base.family() != bop.base.family() || (aop.if_exists && bop.if_exists) {
        return None;
    }
    let excluded = match aop.base.family() {
        OperatorFamily::Numeric => excludes(
            &constraint(a, parse_decimal)?,
            &constraint(b, parse_decimal)?,
        ),
        OperatorFamily::Date => excludes(&constraint(a, parse_date)?, &constraint(b, parse_date)?),
        _ => false,
    };
    excluded.then(|| {
        (
            format!("`{}` requires a value {}", op_name(a), describe(a)),
            format!("`{}` requires a value {}", op_name(b), describe(b)),
        )
    })
}

fn describe(c: &Condition) -> String {
    use BaseOperator as B;
    let list = raws(c).collect::<Vec<_>>().join(", ");
    let rel = match c.operator.node.base {
        B::NumericGreaterThan | B::DateGreaterThan => ">",
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => ">=",
        B::NumericLessThan | B::DateLessThan => "<",
        B::NumericLessThanEquals | B::DateLessThanEquals => "<=",
        _ if c.values.node.len() == 1 => "equal to",
        _ => "equal to one of",
    };
    format!("{rel} {list}")
}

/// A decimal number `-?digits(.digits)?`, ordered by value without rounding.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

fn parse_decimal(s: &str) -> Option<Decimal> {
    let (negative, body) = s.strip_prefix('-').map_or((false, s), |rest| (true, rest));
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return None,
        None => (body, ""),
    };
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0').to_owned();
    let frac = frac.trim_end_matches('0').to_owned();
    let negative = negative && !(int.is_empty() && frac.is_empty());
    Some(Decimal {
        negative,
        int,
        frac,
    })
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let magnitude = self
            .int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac));
        match (self.negative, other.negative) {
            (false, false) => magnitude,
            (true, true) => magnitude.reverse(),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A date in the plain form `YYYY-MM-DDTHH:MM:SSZ`, which orders as text.
fn parse_date(s: &str) -> Option<String> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let ok = s.len() == SHAPE.len()
        && s.bytes().zip(SHAPE).all(|(b, &want)| match want {
            b'd' => b.is_ascii_digit(),
            other => b == other,
        });
    ok.then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{Decimal, parse_date, parse_decimal};

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap_or_else(|| Decimal {
            negative: false,
            int: "invalid".to_owned(),
            frac: String::new(),
        })
    }

    #[test]
    fn decimals_order_by_value() {
        assert!(d("5") < d("10"));
        assert!(d("0.5") > d("0.45"));
        assert!(d("-3") < d("-2.5"));
        assert!(d("-0") == d("0.000"));
        assert!(d("010") == d("10.0"));
        assert!(d("1546257599.0") < d("1546257599.5"));
        assert!(parse_decimal("1e3").is_none());
        assert!(parse_decimal("5.").is_none());
        assert!(parse_decimal("+5").is_none());
        assert!(parse_decimal("").is_none());
    }

    #[test]
    fn dates_need_the_plain_form() {
        assert!(parse_date("2020-01-01T00:00:00Z").is_some());
        assert!(parse_date("2020-01-01").is_none());
        assert!(parse_date("2020-01-01T00:00:00+01:00").is_none());
    }
}
