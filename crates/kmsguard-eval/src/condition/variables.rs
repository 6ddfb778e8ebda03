//! Policy variables in condition values and resource ARNs (conditions.md §6).
//!
//! A compiled pattern refers to its variables by index into a per-condition (or per-ARN)
//! table of [`VarRef`]s. At evaluation time the table is resolved once against the request
//! context into a stack buffer ([`with_resolved`]), so evaluation does not allocate unless a
//! single value holds more than [`INLINE`] distinct variables.

use kmsguard_syntax::ast::{Template, TemplatePart};

use crate::context::{ContextValue, RequestContext};

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VarRef {
    /// The context key, lower case (variable names are case-insensitive, §6.1).
    pub(crate) key_lower: Box<str>,
    /// The default after the comma.
    pub(crate) default: Option<Box<str>>,
}

impl VarRef {
    /// The substituted text, or `None` when the variable cannot be resolved (§6.3).
    pub(crate) fn resolve<'a>(&'a self, ctx: &'a RequestContext) -> Option<&'a str> {
        if ctx.is_ambiguous(&self.key_lower) {
            // A case-colliding key has no single value; treat it as missing (never a hit) —
            // the safe reading, mirrored from §6.3's multivalued rule.
            return self.default.as_deref();
        }
        match ctx.get_lower(&self.key_lower) {
            Some(ContextValue::Single(s)) => Some(s),
            // §6.3: a multivalued key cannot be a variable → treated like a missing one.
            Some(ContextValue::Multi(_)) | None => self.default.as_deref(),
        }
    }
}

/// Variables resolved on the stack up to this count.
pub(crate) const INLINE: usize = 8;

/// Resolves every variable of `vars` against `ctx` and calls `f` with the results
/// (`None` = unresolved).
pub(crate) fn with_resolved<R>(
    vars: &[VarRef],
    ctx: &RequestContext,
    f: impl FnOnce(&[Option<&str>]) -> R,
) -> R {
    if vars.is_empty() {
        return f(&[]);
    }
    if vars.len() <= INLINE {
        let mut buf: [Option<&str>; INLINE] = [None; INLINE];
        for (slot, v) in buf.iter_mut().zip(vars) {
            *slot = v.resolve(ctx);
        }
        f(buf.get(..vars.len()).unwrap_or(&[]))
    } else {
        let buf: Vec<Option<&str>> = vars.iter().map(|v| v.resolve(ctx)).collect();
        f(&buf)
    }
}

/// A piece of a condition value or ARN, ready for compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// Text as written (`*` and `?` are wildcards where the operator has them).
    Text(&'a str),
    /// An escaped character (`${*}`, `${?}`, `${$}`): never a wildcard.
    Lit(char),
    /// A variable: index into the owner's [`VarRef`] table.
    Var(usize),
}

/// Splits a template into parts, registering its variables in `vars` (deduplicated). When
/// `variables` is false (policy `Version` other than `2012-10-17`, §6.1) the raw text is one
/// literal part.
pub(crate) fn parts<'a>(t: &'a Template, variables: bool, vars: &mut Vec<VarRef>) -> Vec<Part<'a>> {
    if !variables {
        return if t.raw.is_empty() {
            Vec::new()
        } else {
            vec![Part::Text(&t.raw)]
        };
    }
    t.parts()
        .map(|p| match p {
            TemplatePart::Literal(s) => Part::Text(s),
            TemplatePart::Escaped(c) => Part::Lit(c),
            TemplatePart::Variable { key, default } => {
                let r = VarRef {
                    key_lower: key.to_ascii_lowercase().into_boxed_str(),
                    default: default.map(Box::from),
                };
                let i = match vars.iter().position(|v| *v == r) {
                    Some(i) => i,
                    None => {
                        vars.push(r);
                        vars.len().saturating_sub(1)
                    }
                };
                Part::Var(i)
            }
        })
        .collect()
}
