//! Multi-Region keys whose policies or grants drift apart (kms.md §5, scenarios.md §4).

use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{Policy, Statement};

use super::{Finding, codes, finding};
use kmsguard_syntax::ast::GrantOperation;

use crate::model::{GrantItem, Inventory, Key};

fn describe(s: &Spanned<Statement>) -> String {
    s.node.sid.as_ref().map_or_else(
        || format!("statement #{}", s.node.index),
        |sid| format!("`{}`", sid.node),
    )
}

/// Statements of `a` with no equal statement in `b` (equality ignores spans).
fn only_in<'p>(a: &'p Policy, b: &Policy) -> Vec<&'p Spanned<Statement>> {
    a.statements
        .iter()
        .filter(|s| !b.statements.iter().any(|t| same(&s.node, &t.node)))
        .collect()
}

fn same(a: &Statement, b: &Statement) -> bool {
    // The index is the position; a reordered policy means the same.
    a.sid == b.sid
        && a.effect == b.effect
        && a.principal == b.principal
        && a.action == b.action
        && a.resource == b.resource
        && a.conditions == b.conditions
}

pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    for replica in &inv.keys {
        let Some(primary_arn) = &replica.primary_arn else {
            continue;
        };
        let Some(primary) = inv.keys.iter().find(|k| k.arn == *primary_arn) else {
            continue;
        };
        policies(primary, replica, out);
        grants(primary, replica, out);
    }
}

fn policies(primary: &Key, replica: &Key, out: &mut Vec<Finding>) {
    let (Some(p), Some(r)) = (&primary.policy, &replica.policy) else {
        return;
    };
    let missing = only_in(&p.policy, &r.policy);
    let extra = only_in(&r.policy, &p.policy);
    if missing.is_empty() && extra.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "the primary has {} that the replica lacks",
            missing
                .iter()
                .map(|s| describe(s))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !extra.is_empty() {
        parts.push(format!(
            "the replica has {} that the primary lacks",
            extra
                .iter()
                .map(|s| describe(s))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let origin = match extra.first() {
        Some(s) => super::span_in(&r.origin, s.span),
        None => r.origin.clone(),
    };
    out.push(Finding {
        diagnostic: finding(
            codes::S301,
            &origin,
            "differs from the primary's key policy",
            format!(
                "key policy of multi-Region replica `{}` differs from its primary `{}`: {}",
                replica.arn,
                primary.arn,
                parts.join("; ")
            ),
        )
        .diagnostic
        .help("apply the same key policy to every key of the set (`aws kms put-key-policy` in each Region), or suppress this finding with the reason the Regions differ"),
        file: origin.file,
        fixes: Vec::new(),
        scope: kmsguard_syntax::Span::default(),
    });
}

/// The `aws kms create-grant` command that makes `grant` on `key`.
fn create_grant(key: &Key, grant: &kmsguard_syntax::ast::Grant) -> String {
    let mut cmd = format!(
        "aws kms create-grant --region {} --key-id {}",
        key.region, key.arn
    );
    if let Some(p) = &grant.grantee {
        cmd.push_str(&format!(" --grantee-principal {}", p.node.text));
    } else if let Some(s) = &grant.grantee_service {
        cmd.push_str(&format!(" --grantee-principal {}", s.node));
    }
    let ops: Vec<&str> = grant.operations.iter().map(|o| o.node.name()).collect();
    cmd.push_str(&format!(" --operations {}", ops.join(" ")));
    if let Some(r) = &grant.retiring {
        cmd.push_str(&format!(" --retiring-principal {}", r.node.text));
    }
    if let Some(c) = &grant.constraints {
        let pairs = |v: &[(Spanned<String>, Spanned<String>)]| {
            v.iter()
                .map(|(k, v)| format!("\"{}\":\"{}\"", k.node, v.node))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut parts = Vec::new();
        if let Some(e) = &c.node.equals {
            parts.push(format!("\"EncryptionContextEquals\":{{{}}}", pairs(e)));
        }
        if let Some(s) = &c.node.subset {
            parts.push(format!("\"EncryptionContextSubset\":{{{}}}", pairs(s)));
        }
        if !parts.is_empty() {
            cmd.push_str(&format!(" --constraints '{{{}}}'", parts.join(",")));
        }
    }
    if let Some(n) = grant.name.as_ref().filter(|n| !n.node.is_empty()) {
        cmd.push_str(&format!(" --name {}", n.node));
    }
    cmd
}

type GrantShape<'k> = (Option<String>, Vec<GrantOperation>, &'k GrantItem);

fn shape(k: &Key) -> Vec<GrantShape<'_>> {
    k.grants
        .iter()
        .map(|g| {
            let mut ops: Vec<_> = g.grant.operations.iter().map(|o| o.node).collect();
            ops.sort();
            (
                g.grant.grantee.as_ref().map(|p| p.node.text.clone()),
                ops,
                g,
            )
        })
        .collect()
}

fn grants(primary: &Key, replica: &Key, out: &mut Vec<Finding>) {
    let (p, r) = (shape(primary), shape(replica));
    for (grantee, ops, g) in &p {
        if !r.iter().any(|(gr, o, _)| gr == grantee && o == ops) {
            out.push(Finding {
                diagnostic: finding(
                    codes::S302,
                    &g.origin,
                    "no such grant on the replica",
                    format!(
                        "grant on multi-Region primary `{}` for `{}` has no counterpart on replica `{}`",
                        primary.arn,
                        grantee.as_deref().unwrap_or("?"),
                        replica.arn
                    ),
                )
                .diagnostic
                .help(format!(
                    "create the same grant on the replica if its grantee uses the key in the replica's Region:\n{}",
                    create_grant(replica, &g.grant)
                )),
                file: g.origin.file,
                fixes: Vec::new(),
                scope: kmsguard_syntax::Span::default(),
            });
        }
    }
}
