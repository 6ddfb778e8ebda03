//! Reading a resource's proposed values: known values from `change.after`, unknown ones
//! (`change.after_unknown`) resolved through the configuration's references, or else a
//! placeholder.

use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Span, Spanned, unknown};

use super::plan::{MAX_DEPTH, Plan, Target, scalar_text};

/// A string value and where it was written: the value in `after`, the configuration
/// expression it was resolved from, or the `after_unknown` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Val {
    /// The text (possibly a placeholder).
    pub text: String,
    /// Where it comes from in the plan.
    pub span: Span,
}

impl Val {
    /// As a spanned string.
    pub fn spanned(self) -> Spanned<String> {
        Spanned::new(self.text, self.span)
    }

    /// Whether the value is known (holds no placeholder).
    pub fn is_known(&self) -> bool {
        !unknown::contains(&self.text)
    }
}

/// A position in one resource's values, with the matching `after_unknown` and configuration
/// expression nodes.
#[derive(Clone, Debug)]
pub(super) struct Cursor<'p, 'n> {
    plan: &'p Plan<'n>,
    res: usize,
    after: Option<&'n Node<'n>>,
    unknown: Option<&'n Node<'n>>,
    config: Option<&'n Node<'n>>,
    path: String,
    top: bool,
}

impl<'p, 'n> Cursor<'p, 'n> {
    /// The resource instance's top level.
    pub fn root(plan: &'p Plan<'n>, res: usize) -> Self {
        let r = plan.res(res);
        Cursor {
            plan,
            res,
            after: r.and_then(|r| r.after),
            unknown: r.and_then(|r| r.unknown),
            config: r.and_then(super::plan::Res::expressions),
            path: String::new(),
            top: true,
        }
    }

    /// The member `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Self {
        let unknown = match self.unknown {
            Some(
                n @ Node {
                    value: Value::Bool(true),
                    ..
                },
            ) => Some(n),
            Some(n) => n.get(key),
            None => None,
        };
        Cursor {
            plan: self.plan,
            res: self.res,
            after: self.after.and_then(|n| n.get(key)),
            unknown,
            config: self.config.and_then(|n| n.get(key)),
            path: if self.path.is_empty() {
                key.to_owned()
            } else {
                format!("{}.{key}", self.path)
            },
            top: self.path.is_empty(),
        }
    }

    /// The elements of a list (or nested block list), in order.
    pub fn items(&self) -> Vec<Self> {
        let Some(items) = self.after.and_then(Node::as_array) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Cursor {
                plan: self.plan,
                res: self.res,
                after: Some(item),
                unknown: match self.unknown {
                    Some(
                        n @ Node {
                            value: Value::Bool(true),
                            ..
                        },
                    ) => Some(n),
                    Some(n) => n.as_array().and_then(|a| a.get(i)),
                    None => None,
                },
                config: self.config.and_then(Node::as_array).and_then(|a| a.get(i)),
                path: format!("{}[{i}]", self.path),
                top: false,
            })
            .collect()
    }

    /// The first element of a nested block list (Terraform writes a single nested block as a
    /// one-element list).
    #[must_use]
    pub fn first(&self) -> Option<Self> {
        self.items().into_iter().next()
    }

    /// Follows an attribute path as a reference writes it (`ebs_block_device[0].snapshot_id`,
    /// `tags["Name"]`).
    #[must_use]
    pub fn walk(&self, path: &[String]) -> Option<Self> {
        let mut c = self.clone();
        for seg in path {
            let mut parts = seg.split('[');
            c = c.get(parts.next()?);
            for key in parts {
                let key = key.strip_suffix(']')?;
                c = match key.parse::<usize>() {
                    Ok(i) => c.items().into_iter().nth(i)?,
                    Err(_) => c.get(key.trim_matches('"')),
                };
            }
        }
        Some(c)
    }

    /// The value node in `after`.
    pub fn node(&self) -> Option<&'n Node<'n>> {
        self.after.filter(|n| !matches!(n.value, Value::Null))
    }

    /// Whether Terraform reports the value as unknown until apply.
    pub fn is_unknown(&self) -> bool {
        self.node().is_none()
            && matches!(
                self.unknown,
                Some(Node {
                    value: Value::Bool(true),
                    ..
                })
            )
    }

    /// Whether the configuration sets the value (as opposed to a provider default or a value
    /// AWS computes).
    pub fn configured(&self) -> bool {
        self.config.is_some()
    }

    /// The best span for the value: the value, else its `after_unknown` entry, else the
    /// resource.
    pub fn span(&self) -> Span {
        self.node()
            .or(self.unknown)
            .map_or_else(|| self.resource_span(), |n| n.span)
    }

    /// The resource entry's span.
    pub fn resource_span(&self) -> Span {
        self.plan.res(self.res).map(|r| r.span).unwrap_or_default()
    }

    /// The resource's address.
    pub fn address(&self) -> &'p str {
        self.plan.res(self.res).map_or("", |r| r.address.as_str())
    }

    /// The plan.
    pub fn plan(&self) -> &'p Plan<'n> {
        self.plan
    }

    /// The index of the resource instance.
    pub fn res_index(&self) -> usize {
        self.res
    }

    /// A boolean value.
    pub fn bool(&self) -> Option<Spanned<bool>> {
        match self.node()?.value {
            Value::Bool(b) => Some(Spanned::new(b, self.span())),
            Value::String(ref s) if s == "true" || s == "false" => {
                Some(Spanned::new(s == "true", self.span()))
            }
            _ => None,
        }
    }

    /// A string (or number) value: known, resolved from a reference, a stand-in for a resource
    /// attribute kmsguard can name (`aws_kms_key.this.arn`), or a placeholder. `None` when
    /// the value is null or absent.
    pub fn string(&self) -> Option<Val> {
        self.string_at(0, true)
    }

    /// A string that is known or resolved through references, without symbolic stand-ins.
    pub fn string_resolved(&self, depth: u8) -> Option<Val> {
        self.string_at(depth, false)
    }

    fn string_at(&self, depth: u8, symbolic: bool) -> Option<Val> {
        self.value_at(depth, symbolic).map(|(v, _)| v)
    }

    /// The value, and whether it was derived (resolved, a stand-in or a placeholder) rather
    /// than read from `after`.
    fn value_at(&self, depth: u8, symbolic: bool) -> Option<(Val, bool)> {
        if let Some(n) = self.node() {
            return scalar_text(n).map(|text| (Val { text, span: n.span }, false));
        }
        if !self.is_unknown() || depth > MAX_DEPTH {
            return None;
        }
        if let Some(v) = self.resolve_config(depth) {
            return Some((v, true));
        }
        if symbolic && self.top {
            if let Some(text) = super::symbolic::value(self.plan, self.res, &self.path, depth) {
                let span = self.span();
                return Some((Val { text, span }, true));
            }
        }
        Some((self.placeholder(), true))
    }

    /// The value of the one attribute the expression refers to. Only an attribute that is
    /// itself unknown counts: an unknown value whose only reference is known (a variable, a
    /// constant, an attribute the plan knows) is not a plain copy of it
    /// (`"${var.prefix}-${uuid()}"`), so it stays unknown.
    fn resolve_config(&self, depth: u8) -> Option<Val> {
        let expr = self.config?;
        let ctx = self.plan.res(self.res).map_or("", |r| r.module.as_str());
        let target = self
            .plan
            .resolve_expression(expr, ctx, depth.saturating_add(1))?;
        let Target::Attr { res, path } = target else {
            return None;
        };
        let (v, derived) = Cursor::root(self.plan, res)
            .walk(&path)?
            .value_at(depth.saturating_add(1), true)?;
        derived.then(|| Val {
            text: v.text,
            span: expr.get("references").map_or(expr.span, |r| r.span),
        })
    }

    /// The placeholder for this value.
    pub fn placeholder(&self) -> Val {
        Val {
            text: unknown::placeholder(&format!("after_unknown {}.{}", self.address(), self.path)),
            span: self.span(),
        }
    }

    /// A list of strings. An unknown list resolves only when each of its references names a
    /// whole identifier (a key, role, user, group or policy ARN, or an account principal),
    /// which is how such values are written; otherwise it is one placeholder.
    pub fn strings(&self) -> Vec<Val> {
        if let Some(n) = self.node() {
            return match &n.value {
                Value::Array(items) => self
                    .items()
                    .into_iter()
                    .zip(items)
                    .filter_map(|(c, item)| match &item.value {
                        Value::Null => c.is_unknown().then(|| c.placeholder()),
                        _ => scalar_text(item).map(|text| Val {
                            text,
                            span: item.span,
                        }),
                    })
                    .collect(),
                _ => scalar_text(n)
                    .map(|text| Val { text, span: n.span })
                    .into_iter()
                    .collect(),
            };
        }
        if !self.is_unknown() {
            return Vec::new();
        }
        self.resolved_list()
            .unwrap_or_else(|| vec![self.placeholder()])
    }

    fn resolved_list(&self) -> Option<Vec<Val>> {
        let expr = self.config?;
        let span = expr.get("references").map_or(expr.span, |r| r.span);
        if let Some(c) = expr.get("constant_value") {
            let items = c.as_array()?;
            return Some(
                items
                    .iter()
                    .filter_map(scalar_text)
                    .map(|text| Val { text, span })
                    .collect(),
            );
        }
        let ctx = self.plan.res(self.res).map_or("", |r| r.module.as_str());
        let targets = self.plan.resolve_each(expr, ctx, 1);
        if targets.is_empty() {
            return None;
        }
        targets
            .into_iter()
            .map(|t| {
                let text = self.plan.target_text(t?, 2)?;
                whole_identifier(&text).then_some(Val { text, span })
            })
            .collect()
    }
}

/// Whether a value is one that policies use whole, never as part of a longer string: key,
/// alias, role, user, group and policy ARNs and account principals (`…:root`). Bucket ARNs
/// and account ids are commonly extended (`${aws_s3_bucket.b.arn}/*`), so a list built from
/// them cannot be read from its references alone.
pub(super) fn whole_identifier(text: &str) -> bool {
    text.starts_with("arn:")
        && (text.ends_with(":root")
            || [
                ":key/", ":alias/", ":role/", ":user/", ":group/", ":policy/",
            ]
            .iter()
            .any(|p| text.contains(p)))
}

impl Plan<'_> {
    /// The text a resolved reference stands for.
    pub fn target_text(&self, target: Target, depth: u8) -> Option<String> {
        match target {
            Target::Value(v) => Some(v),
            Target::Attr { res, path } => {
                let c = Cursor::root(self, res).walk(&path)?;
                c.string_at(depth.saturating_add(1), true).map(|v| v.text)
            }
        }
    }

    /// The resource instance an expression refers to, following variables and module
    /// outputs, with the attribute path.
    pub fn target_of(&self, c: &Cursor<'_, '_>) -> Option<Target> {
        let expr = c.config?;
        let ctx = self.res(c.res).map_or("", |r| r.module.as_str());
        self.resolve_expression(expr, ctx, 0)
    }

    /// The Region of a resource instance: its own `region` argument, the Region in its known
    /// ARN, or its provider's.
    pub fn region_of(&self, res: usize) -> String {
        let c = Cursor::root(self, res);
        if let Some(r) = c.get("region").node().and_then(Node::as_str) {
            if !r.is_empty() {
                return r.to_owned();
            }
        }
        if let Some(r) = known_arn(&c).and_then(|a| a.split(':').nth(3).map(str::to_owned)) {
            if !r.is_empty() {
                return r;
            }
        }
        let key = self.res(res).and_then(super::plan::Res::provider_key);
        self.env.region(key).to_owned()
    }

    /// The account of a resource instance: the account in its known ARN, or its provider's.
    pub fn account_of(&self, res: usize) -> String {
        let c = Cursor::root(self, res);
        if let Some(a) = known_arn(&c).and_then(|a| a.split(':').nth(4).map(str::to_owned)) {
            if a.len() == 12 {
                return a;
            }
        }
        let key = self.res(res).and_then(super::plan::Res::provider_key);
        self.env.account(key).to_owned()
    }
}

fn known_arn<'n>(c: &Cursor<'_, 'n>) -> Option<&'n str> {
    c.get("arn").node()?.as_str()
}
