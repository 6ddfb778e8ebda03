//! Output of `kmsguard can`: the decision, each layer's verdict, and source snippets of the
//! statements that decided or nearly applied (with the failed condition's expected and actual
//! values).

use std::fmt::Write as _;
use std::io::{self, Write};

use kmsguard_eval::context::ContextValue;
use kmsguard_eval::decision::{Failure, Layer, StatementRef, Verdict};
use kmsguard_eval::explain::{render_layers, statement_name, verdict};
use kmsguard_eval::{Explanation, Request};
use kmsguard_syntax::ast::{Condition, Statement};
use kmsguard_syntax::render::{RenderOptions, render};
use kmsguard_syntax::{Code, Diagnostic, SourceFile, Span, Spanned};
use serde::Serialize;

use crate::can::Loaded;

/// The source and statement a reference points at, when it came from a loaded file.
fn locate<'l>(
    loaded: &'l [Loaded],
    s: &StatementRef,
) -> Option<(&'l SourceFile, &'l Spanned<Statement>)> {
    loaded.iter().find_map(|l| {
        let p = l.policies.iter().find(|p| p.label == s.policy)?;
        let st = p
            .policy
            .statements
            .iter()
            .find(|st| st.node.index == s.index)?;
        Some((&l.source, st))
    })
}

fn value_text(v: Option<&ContextValue>) -> String {
    match v {
        None => "no such key".to_owned(),
        Some(ContextValue::Single(s)) => format!("`{s}`"),
        Some(ContextValue::Multi(items)) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn expected_text(c: &Condition) -> String {
    c.values
        .node
        .iter()
        .map(|v| format!("`{}`", v.node.template.raw))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The condition a near miss failed on, as (condition, request value).
fn failed_condition<'s>(st: &'s Spanned<Statement>, failure: &Failure) -> Option<&'s Condition> {
    match failure {
        Failure::Condition { index, .. } => st.node.conditions.get(*index),
        _ => None,
    }
}

/// The element a failure is about (its value), or the statement's head.
fn element(st: &Spanned<Statement>, failure: &Failure) -> Span {
    let s = &st.node;
    let span = match failure {
        Failure::Principal => s.principal.as_ref().map(|p| p.principals().span),
        Failure::Action => s.action.as_ref().map(|a| a.patterns().span),
        Failure::Resource => s.resource.as_ref().map(|r| r.patterns().span),
        _ => None,
    };
    span.unwrap_or_else(|| head(st))
}

fn head(st: &Spanned<Statement>) -> Span {
    st.node.sid.as_ref().map_or(
        Span::new(st.span.start as usize, st.span.start as usize + 1),
        |s| s.span,
    )
}

pub(crate) fn human(
    req: &Request,
    ex: &Explanation,
    loaded: &[Loaded],
    options: RenderOptions,
) -> io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: `{}` {} `{}` on `{}`",
        ex.decision,
        req.caller.arn,
        can_word(ex),
        req.action,
        req.resource
    );
    out.push_str(&render_layers(ex));
    out.push('\n');
    for l in &ex.layers {
        for s in &l.decisive {
            if let Some((source, st)) = locate(loaded, s) {
                let d = Diagnostic::info(
                    Code::E001,
                    format!(
                        "{} ({}: {})",
                        statement_name(s),
                        l.layer,
                        verdict(l.verdict)
                    ),
                )
                .label(
                    head(st),
                    format!(
                        "this statement {}",
                        if l.verdict == Verdict::Deny {
                            "denies"
                        } else {
                            "applies"
                        }
                    ),
                );
                out.push_str(&render(&d, source, options));
            }
        }
        for m in &l.near_misses {
            let Some((source, st)) = locate(loaded, &m.statement) else {
                continue;
            };
            let d = match (failed_condition(st, &m.failed), &m.failed) {
                (Some(c), _) => {
                    let actual = value_text(req.context.get(c.key.node.lower()));
                    Diagnostic::info(
                        Code::E002,
                        format!(
                            "{} does not apply: {}",
                            statement_name(&m.statement),
                            m.failed
                        ),
                    )
                    .label(
                        c.key.span,
                        format!(
                            "`{}` expects {}; the request has {actual}",
                            c.operator.node.canonical_name(),
                            expected_text(c)
                        ),
                    )
                }
                (None, Failure::Unknown(why)) => Diagnostic::info(
                    Code::E003,
                    format!("{} could not be evaluated", statement_name(&m.statement)),
                )
                .label(head(st), why.clone()),
                (None, failed) => Diagnostic::info(
                    Code::E002,
                    format!("{} does not apply: {failed}", statement_name(&m.statement)),
                )
                .label(element(st, failed), failed.to_string()),
            };
            out.push_str(&render(&d, source, options));
        }
    }
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())?;
    lock.flush()
}

fn can_word(ex: &Explanation) -> &'static str {
    match ex.decision {
        kmsguard_eval::Decision::Allow => "can call",
        kmsguard_eval::Decision::ExplicitDeny | kmsguard_eval::Decision::ImplicitDeny => {
            "cannot call"
        }
        _ => "may or may not be able to call",
    }
}

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    decision: &'static str,
    principal: &'a str,
    action: &'a str,
    resource: &'a str,
    layers: Vec<LayerOut>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct LayerOut {
    layer: String,
    verdict: &'static str,
    decisive: Vec<StatementOut>,
    near_misses: Vec<NearMissOut>,
}

#[derive(Serialize)]
struct StatementOut {
    policy: String,
    file: Option<String>,
    sid: Option<String>,
    index: usize,
    effect: String,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize)]
struct NearMissOut {
    statement: StatementOut,
    failed: String,
    reason: String,
    condition: Option<ConditionOut>,
}

#[derive(Serialize)]
struct ConditionOut {
    operator: String,
    key: String,
    expected: Vec<String>,
    actual: Option<serde_json::Value>,
}

fn statement_out(loaded: &[Loaded], s: &StatementRef) -> StatementOut {
    let at = locate(loaded, s)
        .map(|(source, st)| (source.name().to_owned(), source.line_col(head(st).start)));
    StatementOut {
        policy: s.policy.clone(),
        file: at.as_ref().map(|(f, _)| f.clone()),
        sid: s.sid.clone(),
        index: s.index,
        effect: s.effect.to_string(),
        line: at.as_ref().map(|(_, lc)| lc.line),
        column: at.as_ref().map(|(_, lc)| lc.column),
    }
}

fn failure_kind(f: &Failure) -> &'static str {
    match f {
        Failure::Principal => "principal",
        Failure::Action => "action",
        Failure::Resource => "resource",
        Failure::Condition { .. } => "condition",
        Failure::Unknown(_) => "not-evaluated",
        Failure::NotSufficient(_) => "not-sufficient",
    }
}

pub(crate) fn json(req: &Request, ex: &Explanation, loaded: &[Loaded]) -> io::Result<()> {
    let layers = ex
        .layers
        .iter()
        .map(|l| LayerOut {
            layer: layer_name(l.layer),
            verdict: verdict(l.verdict),
            decisive: l
                .decisive
                .iter()
                .map(|s| statement_out(loaded, s))
                .collect(),
            near_misses: l
                .near_misses
                .iter()
                .map(|m| {
                    let condition = locate(loaded, &m.statement)
                        .and_then(|(_, st)| failed_condition(st, &m.failed))
                        .map(|c| ConditionOut {
                            operator: c.operator.node.canonical_name(),
                            key: c.key.node.text().to_owned(),
                            expected: c
                                .values
                                .node
                                .iter()
                                .map(|v| v.node.template.raw.clone())
                                .collect(),
                            actual: req.context.get(c.key.node.lower()).map(|v| match v {
                                ContextValue::Single(s) => serde_json::Value::from(s.as_str()),
                                ContextValue::Multi(items) => {
                                    serde_json::Value::from(items.clone())
                                }
                            }),
                        });
                    NearMissOut {
                        statement: statement_out(loaded, &m.statement),
                        failed: failure_kind(&m.failed).to_owned(),
                        reason: m.failed.to_string(),
                        condition,
                    }
                })
                .collect(),
        })
        .collect();
    let out = JsonOut {
        version: 1,
        decision: ex.decision.name(),
        principal: &req.caller.arn,
        action: &req.action,
        resource: &req.resource,
        layers,
        notes: &ex.notes,
    };
    let stdout = io::stdout();
    let mut lock = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut lock, &out).map_err(io::Error::other)?;
    lock.write_all(b"\n")?;
    lock.flush()
}

fn layer_name(l: Layer) -> String {
    l.to_string()
}
