//! `Condition` (conditions.md).

use super::{SpannedList, Template};
use crate::source::Spanned;

/// One `operator: { key: values }` clause. A statement's clauses all must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The operator, spanned on its name.
    pub operator: Spanned<ConditionOperator>,
    /// The context key, spanned on its name.
    pub key: Spanned<ConditionKey>,
    /// The values (one or a list), any of which may match (none, for negated operators).
    pub values: SpannedList<ConditionValue>,
}

/// A parsed operator name: `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The set qualifier, if any.
    pub qualifier: Option<Qualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// Whether `IfExists` was appended.
    pub if_exists: bool,
}

/// A set qualifier (conditions.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `ForAllValues:`: every request value must match (true when the key is absent or empty).
    ForAllValues,
    /// `ForAnyValue:`: some request value must match (false when the key is absent or empty).
    ForAnyValue,
}

macro_rules! base_operators {
    ($( $name:ident => $family:ident, $negated:literal; )*) => {
        /// A base condition operator (conditions.md §4).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum BaseOperator {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl BaseOperator {
            /// Every base operator.
            pub const ALL: &'static [BaseOperator] = &[$(Self::$name),*];

            /// The canonical spelling.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Self::$name => stringify!($name)),* }
            }

            /// The family, which decides how values are compared.
            #[must_use]
            pub fn family(self) -> OperatorFamily {
                match self { $(Self::$name => OperatorFamily::$family),* }
            }

            /// Whether the operator is negated: true for an absent key, NOR over several values.
            #[must_use]
            pub fn is_negated(self) -> bool {
                match self { $(Self::$name => $negated),* }
            }
        }
    };
}

base_operators! {
    StringEquals => String, false;
    StringNotEquals => String, true;
    StringEqualsIgnoreCase => String, false;
    StringNotEqualsIgnoreCase => String, true;
    StringLike => String, false;
    StringNotLike => String, true;
    NumericEquals => Numeric, false;
    NumericNotEquals => Numeric, true;
    NumericLessThan => Numeric, false;
    NumericLessThanEquals => Numeric, false;
    NumericGreaterThan => Numeric, false;
    NumericGreaterThanEquals => Numeric, false;
    DateEquals => Date, false;
    DateNotEquals => Date, true;
    DateLessThan => Date, false;
    DateLessThanEquals => Date, false;
    DateGreaterThan => Date, false;
    DateGreaterThanEquals => Date, false;
    Bool => Bool, false;
    BinaryEquals => Binary, false;
    IpAddress => Ip, false;
    NotIpAddress => Ip, true;
    ArnEquals => Arn, false;
    ArnNotEquals => Arn, true;
    ArnLike => Arn, false;
    ArnNotLike => Arn, true;
    Null => Null, false;
}

/// Operator families (which value type an operator compares).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    /// `String*`.
    String,
    /// `Numeric*`.
    Numeric,
    /// `Date*`.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn*`.
    Arn,
    /// `Null`.
    Null,
}

impl BaseOperator {
    /// Looks up a base operator; `exact` is false when only a case-insensitive match exists.
    #[must_use]
    pub fn lookup(name: &str) -> Option<(Self, bool)> {
        Self::ALL.iter().find_map(|&op| {
            let canonical = op.name();
            if canonical == name {
                Some((op, true))
            } else if canonical.eq_ignore_ascii_case(name) {
                Some((op, false))
            } else {
                None
            }
        })
    }
}

/// Why an operator name could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorError {
    /// The base name is no operator.
    Unknown,
    /// The qualifier or suffix is malformed (`ForSomeValues:`, `NullIfExists`, a qualifier on
    /// `Null`, two qualifiers).
    BadQualifier,
}

impl ConditionOperator {
    /// Parses an operator name. The second value is false when the name is spelled in a
    /// non-canonical case (accepted, conditions.md §7: undocumented, simulators accept it).
    ///
    /// # Errors
    /// [`OperatorError`] when the name is not an operator.
    pub fn parse(name: &str) -> Result<(Self, bool), OperatorError> {
        let (qualifier, rest, mut exact) = match name.split_once(':') {
            Some((q, rest)) => {
                let qualifier = if q.eq_ignore_ascii_case("ForAllValues") {
                    Qualifier::ForAllValues
                } else if q.eq_ignore_ascii_case("ForAnyValue") {
                    Qualifier::ForAnyValue
                } else {
                    return Err(OperatorError::BadQualifier);
                };
                if rest.contains(':') {
                    return Err(OperatorError::BadQualifier);
                }
                (
                    Some(qualifier),
                    rest,
                    q == "ForAllValues" || q == "ForAnyValue",
                )
            }
            None => (None, name, true),
        };
        let (base_name, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(cut)
                if rest
                    .get(cut..)
                    .is_some_and(|s| s.eq_ignore_ascii_case("IfExists")) =>
            {
                exact &= rest.ends_with("IfExists");
                (rest.get(..cut).unwrap_or(""), true)
            }
            _ => (rest, false),
        };
        let (base, base_exact) = match BaseOperator::lookup(base_name) {
            Some(found) => found,
            None if if_exists => {
                // `...IfExists` might be part of no operator at all: report the whole name.
                return Err(OperatorError::Unknown);
            }
            None => return Err(OperatorError::Unknown),
        };
        if base == BaseOperator::Null && (if_exists || qualifier.is_some()) {
            return Err(OperatorError::BadQualifier);
        }
        Ok((
            Self {
                qualifier,
                base,
                if_exists,
            },
            exact && base_exact,
        ))
    }

    /// The canonical spelling.
    #[must_use]
    pub fn canonical_name(&self) -> String {
        let q = match self.qualifier {
            Some(Qualifier::ForAllValues) => "ForAllValues:",
            Some(Qualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{q}{}{suffix}", self.base.name())
    }
}

/// A context key name. Names are case-insensitive (A12), so the lower-case form is kept for
/// lookups and the written form for messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionKey {
    // The key as written followed by its lower-case form, in one allocation (reading a policy
    // allocates once per condition key).
    both: Box<str>,
}

impl ConditionKey {
    /// A key named `text`.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut both = String::with_capacity(text.len().saturating_mul(2));
        both.push_str(text);
        both.push_str(text);
        // Lower-cases the copy in place, a byte at a time (only ASCII letters change).
        if let Some(lower) = both.get_mut(text.len()..) {
            lower.make_ascii_lowercase();
        }
        Self {
            both: both.into_boxed_str(),
        }
    }

    /// The key as written.
    #[must_use]
    pub fn text(&self) -> &str {
        self.both.get(..self.both.len() / 2).unwrap_or("")
    }

    /// The key in lower case (key names are case-insensitive, A12).
    #[must_use]
    pub fn lower(&self) -> &str {
        self.both.get(self.both.len() / 2..).unwrap_or("")
    }
}

/// What JSON type a condition value was written as. Numbers and booleans compare through
/// their text (A1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// One condition value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionValue {
    /// The text, with policy variables parsed under `2012-10-17`.
    pub template: Template,
    /// The JSON type it was written as.
    pub kind: ScalarKind,
}
