//! `Numeric*` operators (conditions.md §4.2).
//!
//! Numbers are compared exactly as decimals (`"10"` equals `"10.0"`), without floating point:
//! a value is kept as sign + integer digits (leading zeros stripped) + fraction digits
//! (trailing zeros stripped), and compared digit-wise. Request values are parsed the same way
//! into borrowed slices, so comparison does not allocate.

use std::cmp::Ordering;

use kmsguard_syntax::ast::{BaseOperator, ConditionValue};

/// The comparison of an ordered operator (`request OP policy`), shared with `Date*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    /// `…Equals` (and the positive partner of `…NotEquals`).
    Eq,
    /// `…LessThan`.
    Lt,
    /// `…LessThanEquals`.
    Le,
    /// `…GreaterThan`.
    Gt,
    /// `…GreaterThanEquals`.
    Ge,
}

impl Cmp {
    /// The comparison of a `Numeric*` or `Date*` operator.
    pub(crate) fn of(base: BaseOperator) -> Self {
        use BaseOperator as B;
        match base {
            B::NumericLessThan | B::DateLessThan => Self::Lt,
            B::NumericLessThanEquals | B::DateLessThanEquals => Self::Le,
            B::NumericGreaterThan | B::DateGreaterThan => Self::Gt,
            B::NumericGreaterThanEquals | B::DateGreaterThanEquals => Self::Ge,
            _ => Self::Eq,
        }
    }

    /// Whether `request.cmp(policy)` satisfies the operator.
    pub(crate) fn holds(self, o: Ordering) -> bool {
        match self {
            Self::Eq => o == Ordering::Equal,
            Self::Lt => o == Ordering::Less,
            Self::Le => o != Ordering::Greater,
            Self::Gt => o == Ordering::Greater,
            Self::Ge => o != Ordering::Less,
        }
    }
}

/// A decimal number, borrowed from its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dec<'a> {
    neg: bool,
    /// Integer digits without leading zeros (empty for zero).
    int: &'a str,
    /// Fraction digits without trailing zeros.
    frac: &'a str,
}

/// Parses `-?digits(.digits)?` (§4.2: UNDOC → accept only plain decimals; exponents, `+`,
/// hex and whitespace are rejected, so such a value never matches).
pub(crate) fn parse_dec(s: &str) -> Option<Dec<'_>> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = match frac {
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(f) => f.trim_end_matches('0'),
        None => "",
    };
    let int = int.trim_start_matches('0');
    // -0 and -0.000 are zero, which has no sign.
    let neg = neg && !(int.is_empty() && frac.is_empty());
    Some(Dec { neg, int, frac })
}

impl Dec<'_> {
    fn cmp_abs(&self, other: &Dec<'_>) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            // Trailing zeros are stripped, so lexicographic order of the fraction digits is
            // numeric order ("5" > "45", "5" < "51").
            .then_with(|| self.frac.cmp(other.frac))
    }

    /// Numeric order.
    pub(crate) fn cmp(&self, other: &Dec<'_>) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

/// The compiled values of one `Numeric*` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NumericTest {
    cmp: Cmp,
    /// Each policy value's text when it parses; `None` for a malformed value, which never
    /// produces a hit (§3 (b)). Policy variables are not interpreted here (§4.2: Numeric takes
    /// no variables), so `${…}` is literal text and fails to parse (§9 row 64).
    values: Vec<Option<Box<str>>>,
}

impl NumericTest {
    pub(crate) fn compile(base: BaseOperator, values: &[&ConditionValue]) -> Self {
        Self {
            cmp: Cmp::of(base),
            values: values
                .iter()
                .map(|v| parse_dec(&v.template.raw).map(|_| Box::from(v.template.raw.as_str())))
                .collect(),
        }
    }

    /// Whether the request value satisfies the comparison with any policy value.
    pub(crate) fn hit(&self, text: &str) -> bool {
        let Some(req) = parse_dec(text) else {
            return false;
        };
        self.values
            .iter()
            .flatten()
            .any(|p| parse_dec(p).is_some_and(|p| self.cmp.holds(req.cmp(&p))))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn hit(op: BaseOperator, pol: &str, req: &str) -> bool {
        let v = ConditionValue {
            template: Template::literal(pol),
            kind: ScalarKind::String,
        };
        NumericTest::compile(op, &[&v]).hit(req)
    }

    #[test]
    fn table() {
        use BaseOperator::*;
        let cases: &[(BaseOperator, &str, &str, bool)] = &[
            (NumericEquals, "10", "10", true),
            (NumericEquals, "10", "10.0", true),
            (NumericEquals, "10.50", "010.5", true),
            (NumericEquals, "0", "-0", true),
            (NumericEquals, "10", "11", false),
            (NumericLessThan, "10", "9.999", true),
            (NumericLessThan, "10", "10", false),
            (NumericLessThanEquals, "10", "10", true),
            (NumericLessThanEquals, "10", "10.01", false),
            (NumericGreaterThan, "3600", "3601", true),
            (NumericGreaterThan, "3600", "3600", false),
            (NumericGreaterThanEquals, "-5", "-5", true),
            (NumericGreaterThan, "-5", "-4.5", true),
            (NumericGreaterThan, "-5", "-6", false),
            (NumericLessThan, "0.5", "0.45", true),
            (NumericLessThan, "1546257599.0", "1546257598", true),
            (
                NumericLessThan,
                "100000000000000000000000",
                "99999999999999999999999",
                true,
            ),
            // Malformed values never hit.
            (NumericEquals, "1e1", "10", false),
            (NumericEquals, "+10", "10", false),
            (NumericEquals, " 10", "10", false),
            (NumericEquals, "10abc", "10", false),
            (NumericEquals, "10.", "10", false),
            (NumericEquals, ".5", "0.5", false),
            (NumericEquals, "${aws:MultiFactorAuthAge}", "10", false),
            (NumericEquals, "10", "abc", false),
            (NumericEquals, "", "", false),
        ];
        for &(op, pol, req, want) in cases {
            assert_eq!(hit(op, pol, req), want, "{op:?} {pol} vs {req}");
        }
    }
}
