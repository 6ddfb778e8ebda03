//! Evaluates intrinsic functions over a template subtree, giving a plain [`Val`] whose spans
//! point at the template text that produced each value.
//!
//! What a template cannot know before it is deployed (a parameter without a default, an
//! `Fn::ImportValue`, a generated id) becomes a placeholder (`kmsguard_syntax::unknown`), which
//! checks treat as unknown. A diagnostic is added only where CloudFormation itself would reject
//! the template: a reference to nothing, a malformed function, a circular definition.
//!
//! The functions that build lists and strings are in `functions.rs`, conditions in
//! `conditions.rs`, resource names and attributes in `names.rs`.

use std::collections::HashMap;

use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Diagnostic, Span};

use super::codes;
use super::template::Template;
use super::value::{Field, Kind, Source, Text, Val};
use crate::load::LoadOptions;

/// The account `AWS::AccountId` stands for when no account is given: every reference to the
/// stack's own account is then the same account, which is what the checks compare.
pub const STAND_IN_ACCOUNT: &str = "000000000000";
/// The Region `AWS::Region` stands for when no Region is given.
pub const STAND_IN_REGION: &str = "us-east-1";

/// Deeper than this, evaluation stops. The readers accept 128 levels of nesting; references
/// (a name that refers to another resource's name) go deeper, within [`MAX_CHAIN`].
const MAX_DEPTH: usize = 192;

/// Longest chain of resource names or conditions that refer to one another that is followed;
/// past it the value is a placeholder. Both bounds keep evaluation within a thread's stack.
pub(super) const MAX_CHAIN: usize = 16;

/// Where the stack is deployed.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) partition: &'static str,
    pub(crate) url_suffix: &'static str,
    /// Whether the account and Region were given (stand-ins do not decide conditions).
    account_given: bool,
    region_given: bool,
}

impl Env {
    pub(crate) fn new(options: &LoadOptions) -> Self {
        let region = options
            .region
            .clone()
            .unwrap_or_else(|| STAND_IN_REGION.to_owned());
        // The partition follows from the Region (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
        let (partition, url_suffix) = if region.starts_with("cn-") {
            ("aws-cn", "amazonaws.com.cn")
        } else if region.starts_with("us-gov-") {
            ("aws-us-gov", "amazonaws.com")
        } else if region.starts_with("us-isob-") {
            ("aws-iso-b", "sc2s.sgov.gov")
        } else if region.starts_with("us-iso-") {
            ("aws-iso", "c2s.ic.gov")
        } else {
            ("aws", "amazonaws.com")
        };
        Self {
            account: options
                .account
                .clone()
                .unwrap_or_else(|| STAND_IN_ACCOUNT.to_owned()),
            region,
            partition,
            url_suffix,
            account_given: options.account.is_some(),
            region_given: options.region.is_some(),
        }
    }
}

/// Evaluates intrinsic functions of one template.
#[derive(Debug)]
pub(crate) struct Resolver<'t, 'n, 'a> {
    pub(super) tpl: &'t Template<'n, 'a>,
    pub(super) src: Source<'a>,
    pub(crate) env: Env,
    /// Problems found while evaluating.
    pub(crate) diags: Vec<Diagnostic>,
    /// Physical names already worked out, by logical id.
    pub(super) names: HashMap<String, String>,
    /// Logical ids whose name is being worked out (to catch cycles).
    pub(super) naming: Vec<String>,
    /// Conditions already evaluated.
    pub(super) conditions: HashMap<String, Option<bool>>,
    /// Conditions being evaluated (to catch cycles).
    pub(super) evaluating: Vec<String>,
    /// Whether a condition is being evaluated (stand-in values then count as unknown).
    pub(super) in_condition: usize,
    /// Spans of placeholders that stand for a statement, list or mapping an undecidable
    /// `Fn::If` selects (the policy lowering's complaints about their type are dropped).
    pub(crate) undecided: Vec<Span>,
    depth: usize,
}

impl<'t, 'n, 'a> Resolver<'t, 'n, 'a> {
    pub(crate) fn new(tpl: &'t Template<'n, 'a>, src: Source<'a>, env: Env) -> Self {
        Self {
            tpl,
            src,
            env,
            diags: Vec::new(),
            names: HashMap::new(),
            naming: Vec::new(),
            conditions: HashMap::new(),
            evaluating: Vec::new(),
            in_condition: 0,
            undecided: Vec::new(),
            depth: 0,
        }
    }

    /// Evaluates `node`. `None` means the value is `AWS::NoValue`: the property, array
    /// element or object member that holds it is removed.
    pub(crate) fn resolve(&mut self, node: &Node<'_>) -> Option<Val> {
        if self.depth >= MAX_DEPTH {
            self.diags.push(
                Diagnostic::error(codes::P309, "references nest too deeply to evaluate")
                    .label(node.span, "evaluation stopped here")
                    .help("check for references that lead back to themselves"),
            );
            return Some(Val::unknown("too deep", node.span));
        }
        self.depth = self.depth.saturating_add(1);
        let out = self.resolve_inner(node);
        self.depth = self.depth.saturating_sub(1);
        out
    }

    fn resolve_inner(&mut self, node: &Node<'_>) -> Option<Val> {
        let span = node.span;
        let kind = match &node.value {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Number(n) => Kind::Number((*n).to_owned()),
            Value::String(s) => Kind::Str(Text::scalar(self.src, span, s)),
            Value::Array(items) => {
                Kind::Array(items.iter().filter_map(|n| self.resolve(n)).collect())
            }
            Value::Object(members) => {
                if let [m] = members.as_slice() {
                    if m.key == "Ref" || m.key.starts_with("Fn::") {
                        return self.intrinsic(&m.key, &m.value, span);
                    }
                }
                let mut fields = Vec::with_capacity(members.len());
                for m in members {
                    if let Some(value) = self.resolve(&m.value) {
                        fields.push(Field {
                            key: m.key.clone().into_owned(),
                            key_span: m.key_span,
                            value,
                        });
                    }
                }
                Kind::Object(fields)
            }
        };
        Some(Val { kind, span })
    }

    /// Evaluates `{name: arg}` written at `span`.
    fn intrinsic(&mut self, name: &str, arg: &Node<'_>, span: Span) -> Option<Val> {
        match name {
            "Ref" => self.ref_fn(arg, span),
            "Fn::GetAtt" => Some(self.get_att_fn(arg, span)),
            "Fn::Sub" => Some(self.sub(arg, span)),
            "Fn::Join" => Some(self.join(arg, span)),
            "Fn::Select" => self.select(arg, span),
            "Fn::Split" => Some(self.split(arg, span)),
            "Fn::If" => self.if_fn(arg, span),
            "Fn::FindInMap" => self.find_in_map(arg, span),
            "Fn::ImportValue" => Some(self.import_value(arg, span)),
            "Fn::Base64" => Some(self.base64(arg, span)),
            "Fn::GetAZs" => Some(Val::unknown("Fn::GetAZs", span)),
            "Fn::Cidr" => Some(Val::unknown("Fn::Cidr", span)),
            "Fn::ToJsonString" => self.resolve(arg).map(|v| Val {
                kind: Kind::Str(v.to_json()),
                span,
            }),
            "Fn::Length" => Some(self.length(arg, span)),
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                let value = self.condition_fn(name, arg, span);
                Some(value.map_or_else(
                    || Val::unknown(name, span),
                    |b| Val {
                        kind: Kind::Bool(b),
                        span,
                    },
                ))
            }
            _ => {
                self.diags.push(
                    Diagnostic::warning(codes::P307, format!("`{name}` is not evaluated"))
                        .label(span, "its value is unknown to kmsguard")
                        .note("macros, `Fn::Transform` and `AWS::LanguageExtensions` loops run inside CloudFormation")
                        .help("checks that depend on this value conclude nothing; write the value out to have it checked"),
                );
                Some(Val::unknown(name, span))
            }
        }
    }

    /// Reports a malformed intrinsic and returns a placeholder for it.
    pub(super) fn invalid(&mut self, what: &str, message: &str, help: &str, span: Span) -> Val {
        self.diags.push(
            Diagnostic::error(codes::P306, format!("malformed `{what}`: {message}"))
                .label(span, message.to_owned())
                .help(help.to_owned()),
        );
        Val::unknown(what, span)
    }

    /// Reports a name that refers to nothing.
    pub(super) fn unresolved(&mut self, message: String, span: Span, help: &str) {
        self.diags.push(
            Diagnostic::error(codes::P305, message)
                .label(span, "refers to nothing in this template")
                .note("CloudFormation rejects a template with an unresolved reference")
                .help(help.to_owned()),
        );
    }

    fn ref_fn(&mut self, arg: &Node<'_>, span: Span) -> Option<Val> {
        let Some(name) = arg.as_str() else {
            return Some(self.invalid(
                "Ref",
                "`Ref` takes the name of a parameter or resource",
                "write the logical id as a plain string",
                arg.span,
            ));
        };
        self.reference(name, span)
    }

    /// The value of a parameter, resource or pseudo parameter named `name`, as `Ref` (or a
    /// `${name}` of `Fn::Sub`) gives it; the result maps onto `span`.
    pub(super) fn reference(&mut self, name: &str, span: Span) -> Option<Val> {
        if let Some(v) = self.pseudo(name, span) {
            return v;
        }
        if let Some(&decl) = self.tpl.parameters.get(name) {
            return Some(self.parameter(name, decl, span));
        }
        if let Some(r) = self.tpl.resource(name) {
            let value = self.ref_resource(r);
            return Some(Val::string(&value, span));
        }
        self.unresolved(
            format!("`{name}` is not a parameter, resource or pseudo parameter of this template"),
            span,
            "declare it under `Parameters` or `Resources`, or fix the spelling",
        );
        Some(Val::unknown(&format!("Ref {name}"), span))
    }

    /// A pseudo parameter: `Some(None)` for `AWS::NoValue`, `None` when `name` is not one.
    fn pseudo(&mut self, name: &str, span: Span) -> Option<Option<Val>> {
        let in_condition = self.in_condition > 0;
        let v = match name {
            "AWS::AccountId" if in_condition && !self.env.account_given => Val::unknown(name, span),
            "AWS::Region" if in_condition && !self.env.region_given => Val::unknown(name, span),
            "AWS::AccountId" => Val::string(&self.env.account, span),
            "AWS::Region" => Val::string(&self.env.region, span),
            "AWS::Partition" => Val::string(self.env.partition, span),
            "AWS::URLSuffix" => Val::string(self.env.url_suffix, span),
            "AWS::StackName" | "AWS::StackId" => Val::unknown(name, span),
            "AWS::NotificationARNs" => Val {
                kind: Kind::Array(vec![Val::unknown(name, span)]),
                span,
            },
            "AWS::NoValue" => return Some(None),
            _ => return None,
        };
        Some(Some(v))
    }

    /// `Ref` to a parameter: its default, or a placeholder when it has none (or when the
    /// default is the name of an SSM parameter whose value is read at deploy time).
    fn parameter(&mut self, name: &str, decl: &Node<'_>, span: Span) -> Val {
        let ty = decl.get("Type").and_then(Node::as_str).unwrap_or("String");
        let placeholder = || Val::unknown(&format!("Ref {name}"), span);
        if ty.starts_with("AWS::SSM::Parameter::Value") {
            return placeholder();
        }
        let Some(default) = decl.get("Default") else {
            return placeholder();
        };
        let list = ty == "CommaDelimitedList" || ty.starts_with("List<");
        match &default.value {
            Value::String(s) if list => Val {
                kind: Kind::Array(
                    s.split(',')
                        .map(|part| Val::string(part.trim(), span))
                        .collect(),
                ),
                span,
            },
            Value::String(s) => Val::string(s, span),
            Value::Number(n) => Val {
                kind: Kind::Number((*n).to_owned()),
                span,
            },
            Value::Bool(b) => Val::string(if *b { "true" } else { "false" }, span),
            Value::Array(items) => Val {
                kind: Kind::Array(
                    items
                        .iter()
                        .map(|i| match &i.value {
                            Value::String(s) => Val::string(s, span),
                            Value::Number(n) => Val::string(n, span),
                            _ => Val::unknown(&format!("Ref {name}"), span),
                        })
                        .collect(),
                ),
                span,
            },
            Value::Null | Value::Object(_) => placeholder(),
        }
    }

    fn get_att_fn(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let help = "write `!GetAtt Resource.Attribute` or `[Resource, Attribute]`";
        let (id, attr) = match &arg.value {
            Value::String(s) => match s.split_once('.') {
                Some((id, attr)) => (id.to_owned(), attr.to_owned()),
                None => {
                    return self.invalid(
                        "Fn::GetAtt",
                        "expected `Resource.Attribute`",
                        help,
                        arg.span,
                    );
                }
            },
            Value::Array(items) if items.len() == 2 => {
                let id = items.first().and_then(Node::as_str).map(str::to_owned);
                let attr = items
                    .get(1)
                    .and_then(|n| self.resolve(n))
                    .and_then(|v| v.scalar_text().map(|s| s.into_owned()));
                match (id, attr) {
                    (Some(id), Some(attr)) => (id, attr),
                    _ => {
                        return self.invalid(
                            "Fn::GetAtt",
                            "expected a logical id and an attribute name",
                            help,
                            arg.span,
                        );
                    }
                }
            }
            _ => {
                return self.invalid(
                    "Fn::GetAtt",
                    "expected `Resource.Attribute` or a list of two names",
                    help,
                    arg.span,
                );
            }
        };
        self.get_att(&id, &attr, span)
    }

    /// `Fn::GetAtt` of resource `id`, attribute `attr`.
    pub(super) fn get_att(&mut self, id: &str, attr: &str, span: Span) -> Val {
        let Some(r) = self.tpl.resource(id) else {
            self.unresolved(
                format!("`{id}` is not a resource of this template"),
                span,
                "`Fn::GetAtt` takes the logical id of a resource declared under `Resources`",
            );
            return Val::unknown(&format!("GetAtt {id}.{attr}"), span);
        };
        let value = self.resource_att(r, attr);
        Val::string(&value, span)
    }
}
