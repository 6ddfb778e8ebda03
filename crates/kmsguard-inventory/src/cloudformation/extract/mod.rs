//! Template resources to inventory items.
//!
//! Each resource's `Properties` are evaluated once (intrinsics resolved), then read into the
//! model: KMS keys, replica keys and aliases; IAM roles, users, groups and their policies; S3
//! buckets with encryption, versioning, replication and bucket policies; EBS volumes; AMIs an
//! Image Builder distribution configuration shares. A
//! resource whose `Condition` is decided false is not created, so it is skipped.
//!
//! Policies that attach to something by name (`AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`,
//! `AWS::S3::BucketPolicy`) are read after everything else, and find their target among the
//! items read so far (this template first); a target defined elsewhere gets a stub item named
//! after it, so the policy is not lost.

mod ec2;
mod iam;
mod kms;
mod s3;

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::formats::json_diagnostic;
use kmsguard_syntax::json::{self, Limits, Node};
use kmsguard_syntax::{Diagnostic, Severity, Span, Spanned, lower, unknown};

use super::codes;
use super::intrinsics::{Env, Resolver};
use super::template::{Resource, Template};
use super::value::{Kind, Source, Val};
use crate::load::LoadOptions;
use crate::model::{Doc, FileId, Inventory, Origin, State};

/// What extraction works with.
pub(super) struct Cx<'i, 't, 'n, 'a> {
    pub(super) r: Resolver<'t, 'n, 'a>,
    pub(super) inv: &'i mut Inventory,
    pub(super) file: FileId,
    pub(super) state: State,
}

/// Reads the resources of a template into `inv`.
pub(super) fn read_template(
    inv: &mut Inventory,
    file: FileId,
    src: Source<'_>,
    root: &Node<'_>,
    options: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(tpl) = Template::read(root, diags) else {
        return;
    };
    check_transform(root, diags);
    let mut cx = Cx {
        r: Resolver::new(&tpl, src, Env::new(options)),
        inv,
        file,
        state: options.state.unwrap_or(State::Proposed),
    };
    let mut attached = Vec::new();
    for res in &tpl.resources {
        if !cx.r.created(res) {
            continue;
        }
        match res.kind {
            "AWS::KMS::Key" => kms::key(&mut cx, res),
            "AWS::KMS::ReplicaKey" => kms::replica_key(&mut cx, res),
            "AWS::KMS::Alias" => kms::alias(&mut cx, res),
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => iam::identity(&mut cx, res),
            "AWS::S3::Bucket" => s3::bucket(&mut cx, res),
            "AWS::EC2::Volume" => ec2::volume(&mut cx, res),
            "AWS::ImageBuilder::DistributionConfiguration" => ec2::distribution(&mut cx, res),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::S3::BucketPolicy" => {
                attached.push(res);
            }
            _ => {}
        }
    }
    for res in attached {
        match res.kind {
            "AWS::IAM::Policy" => iam::policy(&mut cx, res),
            "AWS::IAM::ManagedPolicy" => iam::managed_policy(&mut cx, res),
            _ => s3::bucket_policy(&mut cx, res),
        }
    }
    kms::inherit_from_primaries(&mut cx);
    diags.append(&mut cx.r.diags);
}

/// Macros and SAM resources are expanded by CloudFormation; kmsguard reads the template as
/// written and says so.
fn check_transform(root: &Node<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(t) = root.get("Transform") else {
        return;
    };
    let names: Vec<&Node<'_>> = match t.as_array() {
        Some(items) => items.iter().collect(),
        None => vec![t],
    };
    for n in names {
        let name = n
            .as_str()
            .or_else(|| n.get("Name").and_then(Node::as_str))
            .unwrap_or("");
        if name == "AWS::LanguageExtensions" {
            continue;
        }
        let what = if name.starts_with("AWS::Serverless") {
            "`AWS::Serverless::*` resources are not read".to_owned()
        } else {
            format!("the macro `{name}` is not run")
        };
        diags.push(
            Diagnostic::warning(codes::P307, format!("transform: {what}"))
                .label(n.span, "expanded by CloudFormation when the stack is deployed")
                .note("kmsguard reads the template as written, before any transform")
                .help("check the processed template instead (`aws cloudformation get-template --template-stage Processed`)"),
        );
    }
}

impl Cx<'_, '_, '_, '_> {
    /// An origin in this file.
    pub(super) fn origin(&self, span: Span, location: String) -> Origin {
        Origin {
            file: self.file,
            span,
            location,
            state: self.state,
        }
    }

    /// The resource's `Properties`, evaluated (an empty object when it has none).
    pub(super) fn props(&mut self, res: &Resource<'_, '_>) -> Val {
        res.properties
            .and_then(|p| self.r.resolve(p))
            .unwrap_or(Val {
                kind: Kind::Object(Vec::new()),
                span: res.span,
            })
    }

    /// Reports a property of the wrong type or value.
    pub(super) fn bad_property(
        &mut self,
        res: &Resource<'_, '_>,
        name: &str,
        expected: &str,
        span: Span,
    ) {
        self.r.diags.push(
            Diagnostic::error(
                codes::P308,
                format!("`{name}` of `{}` must be {expected}", res.id),
            )
            .label(span, format!("expected {expected}"))
            .note(format!("see the `{}` resource reference", res.kind))
            .help(format!("write {expected}")),
        );
    }

    /// A string property (numbers and booleans as written); a placeholder string when unknown.
    pub(super) fn string(
        &mut self,
        res: &Resource<'_, '_>,
        v: &Val,
        name: &str,
    ) -> Option<Spanned<String>> {
        let value = v.get(name)?;
        match value.scalar_text() {
            Some(s) => Some(Spanned::new(s.into_owned(), value.span)),
            None => {
                self.bad_property(res, name, "a string", value.span);
                None
            }
        }
    }

    /// A boolean property (`true`, or the strings `"true"`/`"false"`); `None` when absent or
    /// unknown.
    pub(super) fn boolean(
        &mut self,
        res: &Resource<'_, '_>,
        v: &Val,
        name: &str,
    ) -> Option<Spanned<bool>> {
        let value = v.get(name)?;
        let b = match &value.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str(t) if unknown::contains(t.as_str()) => return None,
            Kind::Str(t) => match t.as_str().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if b.is_none() {
            self.bad_property(res, name, "`true` or `false`", value.span);
        }
        b.map(|b| Spanned::new(b, value.span))
    }

    /// The strings of a list property (a single string counts as a list of one).
    pub(super) fn strings(
        &mut self,
        res: &Resource<'_, '_>,
        v: &Val,
        name: &str,
    ) -> Vec<Spanned<String>> {
        let Some(value) = v.get(name) else {
            return Vec::new();
        };
        let items: &[Val] = match &value.kind {
            Kind::Array(items) => items,
            Kind::Str(_) => std::slice::from_ref(value),
            _ => {
                self.bad_property(res, name, "a list of strings", value.span);
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.scalar_text() {
                Some(s) => out.push(Spanned::new(s.into_owned(), item.span)),
                None => self.bad_property(res, name, "a list of strings", item.span),
            }
        }
        out
    }

    /// Lowers a policy written as `value` (a JSON object, or a string holding one).
    pub(super) fn doc(
        &mut self,
        res: &Resource<'_, '_>,
        value: &Val,
        kind: PolicyKind,
        what: &str,
        location: String,
    ) -> Option<Doc> {
        let mut diags = Vec::new();
        let policy = match &value.kind {
            Kind::Object(_) => lower::policy(&value.to_node(), kind, &mut diags),
            Kind::Str(text) => {
                let s = text.as_str();
                if s.trim_start().starts_with(unknown::OPEN) {
                    // The whole document comes from a parameter or an import.
                    return None;
                }
                match json::parse(s, &Limits::default()) {
                    Ok(mut root) => {
                        root.map_spans(&|sp| text.span_of(sp));
                        lower::policy(&root, kind, &mut diags)
                    }
                    Err(e) => {
                        let mut d = json_diagnostic(&e);
                        d.map_spans(&|sp| text.span_of(sp));
                        d.message = format!("in the policy document string: {}", d.message);
                        diags.push(d);
                        None
                    }
                }
            }
            _ => {
                self.bad_property(
                    res,
                    what,
                    "a policy document (a mapping or a JSON string)",
                    value.span,
                );
                return None;
            }
        };
        // A placeholder where the lowering wants a statement or a mapping is an unknown value,
        // not a mistake: the complaint is dropped, and the document is marked so that it
        // never yields a confident Allow.
        let before = diags.len();
        diags.retain(|d| !self.r.undecided.contains(&d.primary_span()));
        let uncertain = diags.len() < before;
        let has_errors = uncertain || diags.iter().any(|d| d.severity == Severity::Error);
        self.r.diags.append(&mut diags);
        Some(Doc {
            policy: policy?,
            has_errors,
            origin: self.origin(value.span, location),
            label: format!("{} ({}) {what}", res.id, res.kind),
        })
    }
}
