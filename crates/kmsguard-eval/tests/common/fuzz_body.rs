//! The body of the `decide` fuzz target, shared by `fuzz/fuzz_targets/decide.rs` (libFuzzer,
//! nightly) and `tests/properties.rs` (proptest, stable), which both include this file as a
//! module.
use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::{Decision, Options, PolicySet, PolicySource, Request};
use kmsguard_syntax::ast::PolicyKind;

pub const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/engineering/carol",
    "arn:aws:sts::111122223333:assumed-role/ReplicationRole/s3-replication",
    "arn:aws:iam::444455556666:user/engineering/carol",
    "arn:aws:sts::444455556666:assumed-role/ReplicationRole/s3-replication",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:iam::111122223333:user/mallory",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:root",
    "arn:aws:sts::444455556666:federated-user/bob",
    "cloudtrail.amazonaws.com",
    "",
    "*",
    "anonymous",
    "not a principal",
    "arn:aws:sts::1:assumed-role/R/s",
    "arn:aws-cn:sts::111122223333:assumed-role/Admin/s1",
];
pub const ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:CreateKey",
    "kms:ListKeys",
    "kms:reencryptfrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "s3:GetObject",
    "sts:AssumeRole",
    "kms",
    "kms:a:b",
];
pub const RESOURCES: &[&str] = &[
    "arn:aws:kms:us-east-1:111122223333:key/a957ae7f-00b4-3288-255d-04f7423d5a44",
    "arn:aws:kms:eu-west-1:111122223333:key/49852ca9-66cc-5936-2f10-33e9792f9cee",
    "arn:aws:kms:us-west-2:111122223333:key/8c366b23-fb57-8ae8-6b8a-dcc8e713a4e3",
    "arn:aws:kms:us-east-1:111122223333:key/11b08b57-e2fc-55fe-efed-70bc1c7494c8",
    "*",
    "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:s3:::bucket/obj",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:kms:us-east-1:111122223333:alias/a",
    "not-an-arn",
    "",
];
/// Inserted with `insert_checked`: two entries of one key (in any case) with different
/// values make the key ambiguous.
pub const CONTEXT: &[(&str, &str)] = &[
    ("aws:SecureTransport", "true"),
    (
        "aws:PrincipalArn",
        "arn:aws:iam::111122223333:role/service-role/ReplicationRole",
    ),
    (
        "aws:PrincipalArn",
        "arn:aws:iam::111122223333:user/engineering/carol",
    ),
    ("aws:PrincipalAccount", "111122223333"),
    ("kms:CallerAccount", "111122223333"),
    ("aws:PrincipalOrgID", "o-a1b2c3d4e5"),
    ("aws:SourceIp", "10.1.2.3"),
    ("aws:CurrentTime", "2025-06-15T12:00:00Z"),
    ("aws:EpochTime", "1749988800"),
    ("kms:EncryptionContext:tenant", "t-1001"),
    ("kms:ViaService", "ec2.us-east-1.amazonaws.com"),
    ("AWS:SECURETRANSPORT", "maybe"),
    ("aws:SourceIp", "not-an-ip"),
    ("aws:CurrentTime", "yesterday"),
    ("aws:userid", "AROAEXAMPLE:s3-replication"),
    ("aws:PrincipalTag/team", ""),
];
const MULTI: &[(&str, &[&str])] = &[
    ("kms:GrantOperations", &["Decrypt", "Encrypt"]),
    (
        "aws:PrincipalOrgPaths",
        &["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"],
    ),
    ("kms:EncryptionContextKeys", &[]),
    ("aws:TagKeys", &["a", "A"]),
];

fn pick<'a>(list: &[&'a str], b: u8) -> &'a str {
    list.get(usize::from(b) % list.len()).copied().unwrap_or("")
}

/// Input layout: 8 header bytes (principal, action, resource, context mask ×2, multi-value
/// mask, options, ambiguous key), then up to 8 chunks separated by NUL bytes; each chunk's
/// first byte picks its role by its value modulo 8 (0: resource policy, its kind by the byte
/// divided by 8 modulo 3 — key, resource, trust —, so 24 is a key policy; 1: identity; 2:
/// boundary; 3: session; 4: SCP starting a new level; 5: SCP in the current level; 6: RCP,
/// closing its level when the high bit is set; 7: grant) and the rest is the JSON text.
pub fn run(data: &[u8]) -> Option<Decision> {
    let header = |i: usize| data.get(i).copied().unwrap_or(0);
    let body = data.get(8..).unwrap_or(&[]);
    let opts = header(6);
    let mut b = PolicySet::builder().options(Options {
        principal_in_management_account: opts & 1 != 0,
        rcps_exempt: opts & 2 != 0,
        enforce_cross_account_actions: opts & 4 == 0,
    });
    let (mut scp_level, mut rcp_level) = (Vec::new(), Vec::new());
    let mut diags = Vec::new();
    for chunk in body.split(|&x| x == 0).take(8) {
        let Some((&role, text)) = chunk.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(text);
        if role % 8 == 7 {
            let grant = kmsguard_syntax::json::parse(&text, &Default::default())
                .ok()
                .and_then(|node| kmsguard_syntax::lower::grant(&node, &mut diags));
            if let Some(g) = grant {
                b = b.grant(&g);
            }
            continue;
        }
        let kind = match role % 8 {
            0 => [PolicyKind::Key, PolicyKind::Resource, PolicyKind::Trust]
                .get(usize::from(role / 8 % 3))
                .copied()
                .unwrap_or(PolicyKind::Key),
            1 => PolicyKind::Identity,
            2 => PolicyKind::Boundary,
            3 => PolicyKind::Session,
            4 | 5 => PolicyKind::Scp,
            _ => PolicyKind::Rcp,
        };
        let Ok(p) = PolicySource::parse("fuzz", &text, kind, &mut diags) else {
            continue;
        };
        b = match role % 8 {
            0 => b.resource_policy(&p),
            1 => b.identity_policy(&p),
            2 => b.boundary(&p),
            3 => b.session_policy(&p),
            4 => {
                if !scp_level.is_empty() {
                    b = b.scp_level(&std::mem::take(&mut scp_level));
                }
                scp_level.push(p);
                b
            }
            5 => {
                scp_level.push(p);
                b
            }
            _ => {
                rcp_level.push(p);
                if role & 0x80 != 0 {
                    b = b.rcp_level(&std::mem::take(&mut rcp_level));
                }
                b
            }
        };
    }
    if !scp_level.is_empty() {
        b = b.scp_level(&scp_level);
    }
    if !rcp_level.is_empty() {
        b = b.rcp_level(&rcp_level);
    }
    let set = b.build();

    let mask = u16::from_le_bytes([header(3), header(4)]);
    let mut ctx = RequestContext::new();
    for (i, (k, v)) in CONTEXT.iter().enumerate() {
        if mask & (1 << i) != 0 {
            // `insert_checked`: differently-cased duplicates become ambiguous keys.
            ctx.insert_checked(k, ContextValue::Single((*v).to_owned()));
        }
    }
    for (i, (k, vs)) in MULTI.iter().enumerate() {
        if header(5) & (1 << i) != 0 {
            ctx.insert(
                k,
                ContextValue::Multi(vs.iter().map(|s| (*s).to_owned()).collect()),
            );
        }
    }
    let ambiguous = CONTEXT
        .get(usize::from(header(7) & 0x0f))
        .filter(|_| header(7) & 0x80 != 0);
    if let Some((k, _)) = ambiguous {
        ctx.mark_ambiguous(k);
    }
    let resource = pick(RESOURCES, header(2));
    let resource_account = (header(5) & 0x80 != 0).then_some("444455556666");
    let Ok(req) = Request::new(
        pick(PRINCIPALS, header(0)),
        pick(ACTIONS, header(1)),
        resource,
        resource_account,
        ctx,
    ) else {
        return None;
    };
    let d = set.decide(&req);
    let ex = set.explain(&req);
    assert_eq!(d, ex.decision, "decide and explain disagree");
    let _ = kmsguard_eval::explain::render(&ex);
    let _ = set.invalid_policies();
    Some(d)
}
