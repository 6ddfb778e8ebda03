//! Plain-text rendering of an [`Explanation`], shared by the library's users and the CLI.

use std::fmt::Write as _;

use crate::decision::{Explanation, StatementRef, Verdict};

/// A statement reference for people: "Allow statement `Sid` (#2) of policy.json".
#[must_use]
pub fn statement_name(s: &StatementRef) -> String {
    match s.sid.as_deref().filter(|x| !x.is_empty()) {
        Some(sid) => format!(
            "{} statement `{sid}` (#{}) of {}",
            s.effect, s.index, s.policy
        ),
        None => format!("{} statement #{} of {}", s.effect, s.index, s.policy),
    }
}

/// A layer's verdict in words.
#[must_use]
pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Deny => "denies",
        Verdict::Allow => "allows",
        Verdict::NoMatch => "no applicable statement",
        Verdict::Unknown => "could not be evaluated",
        Verdict::NotApplicable => "does not apply to this request",
    }
}

/// Each layer's verdict with its decisive statements and near misses, then the notes on how
/// the layers combined, as indented lines.
#[must_use]
pub fn render_layers(ex: &Explanation) -> String {
    let mut out = String::new();
    for l in &ex.layers {
        let _ = writeln!(out, "  {}: {}", l.layer, verdict(l.verdict));
        for s in &l.decisive {
            let _ = writeln!(out, "    applies: {}", statement_name(s));
        }
        for m in &l.near_misses {
            let _ = writeln!(
                out,
                "    near miss: {}: {}",
                statement_name(&m.statement),
                m.failed
            );
        }
    }
    for n in &ex.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}

/// The decision, then [`render_layers`].
#[must_use]
pub fn render(ex: &Explanation) -> String {
    format!("decision: {}\n{}", ex.decision, render_layers(ex))
}
