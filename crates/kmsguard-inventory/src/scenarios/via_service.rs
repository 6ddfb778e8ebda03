//! `kms:ViaService` conditions that name another Region than the key's (scenarios.md general
//! rule 3: the Region in `kms:ViaService` is the Region of the calling endpoint, which is the
//! key's Region).

use kmsguard_syntax::ast::{Effect, Policy, Qualifier};

use super::{Finding, codes, finding, span_in};
use crate::model::{Doc, Inventory};

/// The Region in a `kms:ViaService` value (`s3.eu-west-1.amazonaws.com` → `eu-west-1`);
/// `Some("")` for a value without one (`s3.amazonaws.com`); `None` for a pattern or a value
/// that cannot be judged.
fn region_of(value: &str) -> Option<&str> {
    if value.contains(['*', '?', '$']) || kmsguard_syntax::unknown::contains(value) {
        return None;
    }
    let parts: Vec<&str> = value.split('.').collect();
    match parts.as_slice() {
        [_, region, "amazonaws", "com"] | [_, region, "amazonaws", "com", "cn"] => Some(region),
        [_, "amazonaws", "com"] => Some(""),
        _ => None,
    }
}

fn key_region(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let mut it = rest.split(':');
    let (_, service, region) = (it.next()?, it.next()?, it.next()?);
    (service == "kms" && !region.is_empty() && !region.contains(['*', '?'])).then_some(region)
}

pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    for key in &inv.keys {
        if kmsguard_syntax::unknown::contains(&key.region) {
            continue;
        }
        if let Some(doc) = &key.policy {
            check_doc(doc, |_| Some(key.region.as_str()), &key.arn, out);
        }
    }
    let identity_docs = inv
        .identities
        .iter()
        .flat_map(|i| i.inline_policies.iter())
        .chain(inv.managed_policies.iter().map(|m| &m.doc));
    for doc in identity_docs {
        // The statement's keys: every resource must be a key ARN of one Region.
        check_doc(
            doc,
            |st| {
                let res = st.resource.as_ref()?;
                let mut region = None;
                for r in &res.patterns().node {
                    let kr = key_region(&r.node.template.raw)?;
                    if region.is_some_and(|x| x != kr) {
                        return None;
                    }
                    region = Some(kr);
                }
                region
            },
            "the keys this statement names",
            out,
        );
    }
}

fn check_doc<'d>(
    doc: &'d Doc,
    region_for: impl Fn(&'d kmsguard_syntax::ast::Statement) -> Option<&'d str>,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let policy: &Policy = &doc.policy;
    for st in &policy.statements {
        let s = &st.node;
        if s.effect.node != Effect::Allow {
            continue;
        }
        let Some(region) = region_for(s) else {
            continue;
        };
        for c in &s.conditions {
            let op = c.operator.node;
            if c.key.node.lower() != "kms:viaservice"
                || op.base.is_negated()
                || op.qualifier == Some(Qualifier::ForAllValues)
            {
                continue;
            }
            let regions: Option<Vec<&str>> = c
                .values
                .node
                .iter()
                .map(|v| region_of(&v.node.template.raw))
                .collect();
            let Some(regions) = regions else {
                continue;
            };
            if regions.is_empty() || regions.iter().any(|r| r.eq_ignore_ascii_case(region)) {
                continue;
            }
            let Some(first) = c.values.node.first() else {
                continue;
            };
            let origin = span_in(&doc.origin, first.span);
            let written = first.node.template.raw.clone();
            let service = written.split('.').next().unwrap_or("SERVICE").to_owned();
            out.push(Finding {
                diagnostic: finding(
                    codes::S501,
                    &origin,
                    "never the Region of the key",
                    format!(
                        "statement {} allows only `kms:ViaService` `{written}`{}, but calls to {what} come through `{region}`: it never matches",
                        s.label(),
                        if regions.len() > 1 { " and other Regions" } else { "" },
                    ),
                )
                .diagnostic
                .help(format!(
                    "use `{service}.{region}.amazonaws.com`, the endpoint in the key's Region"
                )),
                file: origin.file,
                fixes: Vec::new(),
                scope: kmsguard_syntax::Span::default(),
            });
        }
    }
}
