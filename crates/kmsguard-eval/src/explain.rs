//! Plain-text rendering of an [`Explanation`]. Owned by the decision layer.

use std::fmt::Write as _;

use crate::decision::{Explanation, StatementRef, Verdict};

fn statement(s: &StatementRef) -> String {
    let sid = s.sid.as_deref().filter(|s| !s.is_empty()).map_or_else(
        || format!("#{}", s.index),
        |sid| format!("`{sid}` (#{})", s.index),
    );
    format!("{} {} statement {sid}", s.policy, s.effect)
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Deny => "denies",
        Verdict::Allow => "allows",
        Verdict::NoMatch => "no applicable statement",
        Verdict::Unknown => "could not be evaluated",
        Verdict::NotApplicable => "does not apply to this request",
    }
}

/// Renders an explanation as indented text: the decision, each layer's verdict with its
/// decisive statements and near misses, then the notes on how the layers combined.
#[must_use]
pub fn render(ex: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "decision: {}", ex.decision);
    for l in &ex.layers {
        let _ = writeln!(out, "  {}: {}", l.layer, verdict(l.verdict));
        for s in &l.decisive {
            let _ = writeln!(out, "    applies: {}", statement(s));
        }
        for m in &l.near_misses {
            let _ = writeln!(
                out,
                "    near miss: {}: {}",
                statement(&m.statement),
                m.failed
            );
        }
    }
    for n in &ex.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
