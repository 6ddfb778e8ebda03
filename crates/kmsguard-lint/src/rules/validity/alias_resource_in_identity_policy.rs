use kmsguard_catalog::Action;
use kmsguard_syntax::ast::{ActionBlock, Policy, PolicyKind, ResourceBlock};

use super::expand;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags an alias ARN in the `Resource` of an identity-side statement whose KMS actions all act
/// on keys, not on aliases.
///
/// ## Why it matters
/// KMS authorizes key operations against the key's ARN, even when the caller names the key by
/// an alias (kms.md §10; validation-checks.md VC-16). `"Resource":
/// "arn:aws:kms:us-east-1:111122223333:alias/app"` with `kms:Decrypt` never matches, so the
/// permission is never granted (or, in a `Deny`, never applied). Alias ARNs belong only with
/// `kms:CreateAlias`, `kms:UpdateAlias` and `kms:DeleteAlias`; to control use by alias, condition
/// on `kms:RequestAlias` or `kms:ResourceAliases`.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:alias/app"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateAlias","kms:DescribeKey"],"Resource":["arn:aws:kms:us-east-1:111122223333:alias/app","arn:aws:kms:us-east-1:111122223333:key/*"]}]}
/// ```
///
/// ## Known gaps
/// A key id or alias name written without an ARN is rejected as an invalid resource (P115) and
/// not reported here. Statements with `NotAction` are skipped.
pub(crate) AliasResourceInIdentityPolicy {
    code: "I013",
    name: "alias-resource-for-key-action",
    severity: Warning,
    category: Validity,
    applies: Applies::Only(&[
        PolicyKind::Identity,
        PolicyKind::Boundary,
        PolicyKind::Session,
        PolicyKind::Scp,
    ]),
    since: "0.1.0",
}
}

impl Rule for AliasResourceInIdentityPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let (Some(ActionBlock::Action(actions)), Some(ResourceBlock::Resource(resources))) =
                (&st.node.action, &st.node.resource)
            else {
                continue;
            };
            // A resource that holds a placeholder is unknown until deploy: not judged.
            let is_alias = |raw: &str| {
                kms_arn(raw)
                    && !crate::holds_placeholder(raw)
                    && kmsguard_syntax::ast::ArnParts::parse(raw).is_some_and(|a| {
                        a.service.eq_ignore_ascii_case("kms")
                            && a.resource_type().eq_ignore_ascii_case("alias")
                    })
            };
            if !resources
                .node
                .iter()
                .any(|r| is_alias(&r.node.template.raw))
            {
                continue;
            }
            let (mut key_action, mut alias_action) = (None, false);
            for p in &actions.node {
                // An action that holds a placeholder may be an alias action once deployed.
                if p.node.is_any() || crate::holds_placeholder(p.node.text()) {
                    alias_action = true;
                }
                for a in expand(&p.node) {
                    if has_type(a, "alias") {
                        alias_action = true;
                    } else if key_action.is_none() && has_type(a, "key") {
                        key_action = Some(a);
                    }
                }
            }
            let Some(example) = key_action else { continue };
            if alias_action {
                continue;
            }
            for r in resources
                .node
                .iter()
                .filter(|r| is_alias(&r.node.template.raw))
            {
                let d = cx
                    .finding(format!(
                        "alias ARN `{}` never matches the key of `{}:{}`",
                        r.node.template.raw,
                        example.service(),
                        example.name()
                    ))
                    .label(r.span, "KMS authorizes key actions against the key ARN")
                    .note("even when a request names a key by alias, KMS matches `Resource` against the key's ARN; alias ARNs only apply to alias actions")
                    .help("use the key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`), or `\"Resource\": \"*\"` with a `kms:ResourceAliases` or `kms:RequestAlias` condition");
                cx.report(d);
            }
        }
    }
}

/// Whether `raw` starts `arn:PARTITION:kms:`, as the ARN of a KMS alias does: a cheap test
/// that spares most resources a full split ([`kmsguard_syntax::ast::ArnParts::parse`] reads
/// the service after the partition, and an ARN it accepts without that colon has the resource
/// `*`).
fn kms_arn(raw: &str) -> bool {
    // Nearly every ARN is in the `aws` partition: its service is the third word, read as one
    // (the general way finds the partition's end a byte at a time).
    if let Some((head, rest)) = raw.as_bytes().split_first_chunk::<8>() {
        if head == b"arn:aws:" {
            return rest.first_chunk::<4>().is_some_and(|s| {
                u32::from_le_bytes(*s) | 0x2020_2020 == u32::from_le_bytes(*b"kms:") | 0x2020_2020
                    && s.eq_ignore_ascii_case(b"kms:")
            });
        }
    }
    kms_arn_plain(raw)
}

/// [`kms_arn`] the general way, for any partition.
fn kms_arn_plain(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix("arn:") else {
        return false;
    };
    let Some(colon) = rest.bytes().position(|b| b == b':') else {
        return false;
    };
    rest.as_bytes()
        .get(colon.saturating_add(1)..colon.saturating_add(5))
        .is_some_and(|s| s.eq_ignore_ascii_case(b"kms:"))
}

fn has_type(a: Action, name: &str) -> bool {
    a.resource_types().any(|r| r.name() == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn kms_arn_holds_for_every_alias_arn() {
        for raw in [
            "arn:aws:kms:us-east-1:111122223333:alias/x",
            "arn:AWS:KMS:*:*:ALIAS/*",
            "arn:${AWS::Partition}:kms:eu-west-1:111122223333:alias/a:b",
            "arn:aws:kms:*",
            "arn:aws:kms",
            "arn:aws:kms:",
            "arn::kms:r:a:alias",
            "arn:aws:kmsx:r:a:alias/x",
            "arn:aws:s3:::alias/x",
            "arn:aws:kms:r:a:key/x",
            "ARN:aws:kms:r:a:alias/x",
            "*",
            "",
        ] {
            let alias = kmsguard_syntax::ast::ArnParts::parse(raw).is_some_and(|a| {
                a.service.eq_ignore_ascii_case("kms")
                    && a.resource_type().eq_ignore_ascii_case("alias")
            });
            assert!(super::kms_arn(raw) || !alias, "{raw}");
        }
        assert!(super::kms_arn("arn:aws:kms:us-east-1:111122223333:alias/x"));
        // The `aws` fast path agrees with the general way, for the service in every case and
        // with every byte of it changed (also to bytes that differ from it in bit 5 only).
        let mut raws: Vec<String> = Vec::new();
        for service in ["kms", "KMS", "Kms", "s3", "kmsx", "km", "", "kms:"] {
            for rest in ["", ":", ":r:a:alias/x", "*"] {
                raws.push(format!("arn:aws:{service}{rest}"));
            }
        }
        for at in 8..12 {
            for b in [
                b'k' ^ 0x20,
                b'm' ^ 0x20,
                b':' ^ 0x20,
                b'K',
                b'x',
                b'\0',
                b'{',
                b'\x1a',
            ] {
                let mut raw = b"arn:aws:kms:r:a:alias/x".to_vec();
                if let Some(c) = raw.get_mut(at) {
                    *c = b;
                }
                raws.push(String::from_utf8_lossy(&raw).into_owned());
            }
        }
        raws.extend(
            [
                "arn:aws:",
                "arn:aws:k",
                "arn:aws:kms",
                "arn:aws-cn:kms:r:a:alias/x",
            ]
            .map(String::from),
        );
        for raw in &raws {
            assert_eq!(super::kms_arn(raw), super::kms_arn_plain(raw), "{raw:?}");
        }
        assert!(!super::kms_arn("arn:aws:s3:::alias/x"));
    }
}
