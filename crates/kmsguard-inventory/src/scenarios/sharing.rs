//! Sharing encrypted AMIs and EBS snapshots with other accounts (scenarios.md §2).

use std::collections::BTreeSet;

use kmsguard_eval::context::ContextValue;
use kmsguard_syntax::ast::{PrincipalEntry, PrincipalForm, Principals};

use super::{Finding, Need, ask_all, codes, finding, place, report_missing};
use crate::access::{Ask, Principal, World};
use crate::model::{IdentityKind, Inventory, Key, KeyManager, Origin, Sharing};

/// What a consumer account needs on the key of a shared image (scenarios.md §2.1): the four
/// reported as errors, asked through EC2.
const USE: &[&str] = &["kms:DescribeKey", "kms:Decrypt", "kms:ReEncryptFrom"];
const GRANT: &[&str] = &["kms:CreateGrant"];
const GENERATE: &[&str] = &["kms:GenerateDataKeyWithoutPlaintext"];

struct Shared<'a> {
    what: String,
    owner: Option<&'a str>,
    origin: &'a Origin,
    sharing: &'a Sharing,
    public: bool,
    /// `(key reference, encrypted)` per snapshot.
    keys: Vec<Option<String>>,
}

pub(super) fn check(world: &mut World<'_>, out: &mut Vec<Finding>) {
    let inv = world.inventory();
    let mut items = Vec::new();
    for image in &inv.images {
        let keys = image
            .snapshots
            .iter()
            .filter(|s| s.encrypted)
            .map(|s| {
                s.kms_key.clone().or_else(|| {
                    inv.snapshots
                        .iter()
                        .find(|x| x.id == s.snapshot_id)
                        .and_then(|x| x.kms_key.as_ref().map(|k| k.node.clone()))
                })
            })
            .collect();
        items.push(Shared {
            what: format!("image `{}`", image.id),
            owner: image.account.as_deref(),
            origin: &image.origin,
            sharing: &image.launch_permissions,
            public: image.public,
            keys,
        });
    }
    for snap in &inv.snapshots {
        if !snap.encrypted {
            continue;
        }
        items.push(Shared {
            what: format!("snapshot `{}`", snap.id),
            owner: snap.account.as_deref(),
            origin: &snap.origin,
            sharing: &snap.volume_permissions,
            public: false,
            keys: vec![snap.kms_key.as_ref().map(|k| k.node.clone())],
        });
    }
    let mut checked = BTreeSet::new();
    for item in &items {
        check_item(world, inv, item, &mut checked, out);
    }
}

fn check_item(
    world: &mut World<'_>,
    inv: &Inventory,
    item: &Shared<'_>,
    checked: &mut BTreeSet<(String, String)>,
    out: &mut Vec<Finding>,
) {
    let public = item.public || item.sharing.public.is_some();
    if item.keys.is_empty() {
        return;
    }
    if public {
        let span = item.sharing.public.unwrap_or(item.origin.span);
        out.push(Finding {
            diagnostic: finding(
                codes::S204,
                &super::span_in(item.origin, span),
                "public",
                format!("{} has encrypted snapshots and is public", item.what),
            )
            .diagnostic
            .help("remove the `Group: all` launch permission and share with accounts, an organization or OUs"),
            file: item.origin.file,
            fixes: Vec::new(),
            scope: kmsguard_syntax::Span::default(),
        });
    }
    let targets: Vec<&str> = item
        .sharing
        .accounts
        .iter()
        .map(|a| a.node.as_str())
        .filter(|a| Some(*a) != item.owner)
        .collect();
    if targets.is_empty() {
        return;
    }
    for key_ref in item.keys.iter().flatten() {
        if kmsguard_syntax::unknown::contains(key_ref) {
            continue;
        }
        let aws_alias = key_ref.ends_with("alias/aws/ebs");
        let key = inv.find_key(key_ref);
        if aws_alias || key.is_some_and(|k| k.manager == Some(KeyManager::Aws)) {
            out.push(Finding {
                diagnostic: finding(
                    codes::S201,
                    item.origin,
                    "encrypted with an AWS managed key",
                    format!(
                        "{} is shared with {} but is encrypted with the AWS managed key `{key_ref}`, which no other account can use",
                        item.what,
                        targets.join(", ")
                    ),
                )
                .diagnostic
                .help("copy the image (or snapshot) with `--kms-key-id` set to a customer managed key whose policy admits the target accounts, and share the copy"),
                file: item.origin.file,
                fixes: Vec::new(),
                scope: kmsguard_syntax::Span::default(),
            });
            continue;
        }
        let Some(key) = key else {
            continue;
        };
        for t in &targets {
            if checked.insert((key.arn.clone(), (*t).to_owned())) {
                check_consumer(world, inv, item, key, t, out);
            }
        }
    }
}

/// The users and roles of `account` that the key policy names (not the account itself).
fn named_in(key: &Key, account: &str) -> Vec<Principal> {
    let Some(doc) = &key.policy else {
        return Vec::new();
    };
    let mut out: Vec<Principal> = Vec::new();
    for s in &doc.policy.statements {
        let Some(block) = &s.node.principal else {
            continue;
        };
        let Principals::Map(entries) = &block.principals().node else {
            continue;
        };
        for e in entries {
            let PrincipalEntry::Aws(list) = e else {
                continue;
            };
            for p in &list.node {
                let is_entity = matches!(
                    p.node.form,
                    PrincipalForm::Role { .. } | PrincipalForm::User { .. }
                );
                if is_entity && p.node.form.account() == Some(account) {
                    if let Some(pr) = Principal::from_arn(&p.node.text) {
                        if !out.contains(&pr) {
                            out.push(pr);
                        }
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out
}

fn via(key: &Key) -> Vec<(String, ContextValue)> {
    vec![(
        "kms:ViaService".to_owned(),
        ContextValue::Single(format!("ec2.{}.amazonaws.com", key.region)),
    )]
}

fn check_consumer(
    world: &mut World<'_>,
    inv: &Inventory,
    item: &Shared<'_>,
    key: &Key,
    account: &str,
    out: &mut Vec<Finding>,
) {
    let purpose = format!(
        "to launch or copy the shared {} ({})",
        item.what,
        place(inv, item.origin)
    );
    let known: Vec<Principal> = inv
        .identities
        .iter()
        .filter(|i| i.account == account && i.kind != IdentityKind::Group)
        .filter_map(|i| Principal::from_arn(&i.arn))
        .collect();
    // Users and roles of the account that the key policy names.
    let named = named_in(key, account);
    let from_iam: Vec<Principal> = if named.is_empty() {
        // Delegation to the account (or `*` with conditions): the consumers are the
        // principals whose IAM policies allow some use of the key.
        known
            .iter()
            .filter(|p| {
                USE.iter().chain(GRANT).any(|a| {
                    world.iam_side_allows(&Ask {
                        principal: p,
                        action: a,
                        key,
                        context: via(key),
                    })
                })
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut consumers: Vec<Principal> = named.into_iter().chain(from_iam).collect();
    if consumers.is_empty() {
        match known.iter().min_by(|a, b| a.arn.cmp(&b.arn)) {
            // Nobody in the account can use the key: propose the IAM statement for the first
            // principal (in ARN order).
            Some(first) => consumers.push(first.clone()),
            // The account's IAM side is not in the inventory: a stand-in principal of the
            // account shows whether the key policy admits the account; its IAM side is
            // unknown, so only the key policy side can be reported.
            None => consumers.extend(Principal::any_of(account)),
        }
    }
    for p in &consumers {
        let mut found = Vec::new();
        report_need(world, item, key, p, USE, &purpose, &mut found);
        report_need(world, item, key, p, GRANT, &purpose, &mut found);
        let need = Need {
            principal: p,
            key,
            actions: GENERATE,
            context: via(key),
            grant_context: false,
        };
        let missing = ask_all(world, &need);
        if missing.denied.is_empty() {
            report_missing(
                world,
                &need,
                &missing,
                (codes::S205, codes::S205),
                &purpose,
                "SharedImageNewVolumes",
                item.origin,
                &mut found,
            );
        }
        out.extend(merge(found));
    }
}

/// One finding per principal, side and place: the use actions, `kms:CreateGrant` (asked
/// apart because its statement carries its own condition) and the warning-level
/// `kms:GenerateDataKeyWithoutPlaintext` missing on the same side become one finding listing
/// every missing action, with one fix per statement to add.
fn merge(found: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    // Errors first, so that a warning joins the error at the same place.
    let (errors, warnings): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|f| f.diagnostic.code != codes::S205);
    for f in errors.into_iter().chain(warnings) {
        let place = (f.file, f.diagnostic.primary_span());
        let same = out.iter_mut().find(|g| {
            (g.file, g.diagnostic.primary_span()) == place
                && !g.fixes.is_empty()
                && !f.fixes.is_empty()
                && g.fixes.first().map(|x| &x.target) == f.fixes.first().map(|x| &x.target)
        });
        match same {
            Some(g) => {
                g.diagnostic.message = join_actions(&g.diagnostic.message, &f.diagnostic.message);
                let help = g.diagnostic.help.take().unwrap_or_default();
                let more = f
                    .fixes
                    .iter()
                    .map(|x| x.statement.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                g.diagnostic.help = Some(format!("{help}\nand this one:\n{more}"));
                g.fixes.extend(f.fixes);
            }
            None => out.push(f),
        }
    }
    out
}

/// `"`P` cannot call `A` on key …"` + `"`P` cannot call `B` on key …"` →
/// `"`P` cannot call `A`, `B` on key …"`.
fn join_actions(a: &str, b: &str) -> String {
    let list = |m: &str| -> Option<(String, String, String)> {
        let (head, rest) = m.split_once(" cannot call ")?;
        let (actions, tail) = rest.split_once(" on key ")?;
        Some((head.to_owned(), actions.to_owned(), tail.to_owned()))
    };
    match (list(a), list(b)) {
        (Some((head, x, tail)), Some((_, y, _))) => {
            format!("{head} cannot call {x}, {y} on key {tail}")
        }
        _ => a.to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn report_need(
    world: &mut World<'_>,
    item: &Shared<'_>,
    key: &Key,
    p: &Principal,
    actions: &[&str],
    purpose: &str,
    out: &mut Vec<Finding>,
) {
    let need = Need {
        principal: p,
        key,
        actions,
        context: via(key),
        grant_context: true,
    };
    let missing = ask_all(world, &need);
    let hint = if actions == GRANT {
        "SharedImageCreateGrant"
    } else {
        "SharedImageUseKey"
    };
    report_missing(
        world,
        &need,
        &missing,
        (codes::S202, codes::S203),
        purpose,
        hint,
        item.origin,
        out,
    );
}
