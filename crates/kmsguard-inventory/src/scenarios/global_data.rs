//! Client-side encryption of DynamoDB global tables and Aurora global databases with
//! multi-Region keys (scenarios.md §4, MRK-01/02/04/06).
//!
//! The manifest declares what AWS cannot show: which data set the application encrypts on the
//! client side, with which key, and which roles encrypt and decrypt. For every Region the data
//! lives in, the application needs a key of the same multi-Region set in that Region (it calls
//! the local key: same key id, Regional ARN), enabled, that its roles may use.

use kmsguard_eval::context::ContextValue;
use kmsguard_syntax::Diagnostic;

use super::{Finding, Need, ask_all, codes, finding, report_missing, span_in};
use crate::access::{Principal, World};
use crate::aws_cli::arn_parts;
use crate::model::{ClientSideEncryption, DataRegion, GlobalData, GlobalDataKind, Inventory, Key};

/// What the application calls on the key in every Region: writers generate data keys,
/// readers decrypt them, and the SDKs describe the key (scenarios.md §4.1).
const CRYPTO: &[&str] = &["kms:GenerateDataKey", "kms:Decrypt"];
const DESCRIBE: &[&str] = &["kms:DescribeKey"];

/// Key states in which cryptographic operations fail (kms.md §7). `Creating` and `Updating`
/// pass on their own.
const UNUSABLE: &[&str] = &[
    "Disabled",
    "PendingDeletion",
    "PendingReplicaDeletion",
    "PendingImport",
    "Unavailable",
];

pub(super) fn check(world: &mut World<'_>, out: &mut Vec<Finding>) {
    let inv = world.inventory();
    for cse in &inv.client_side_encryption {
        check_one(world, inv, cse, out);
    }
}

/// The declared key: account, Region (when the declaration gives an ARN) and key id.
struct KeyRef<'a> {
    account: Option<&'a str>,
    region: Option<&'a str>,
    id: &'a str,
}

fn key_ref(reference: &str) -> KeyRef<'_> {
    match arn_parts(reference) {
        Some(p) => KeyRef {
            account: Some(p.account),
            region: Some(p.region),
            id: p.resource.strip_prefix("key/").unwrap_or(p.resource),
        },
        None => KeyRef {
            account: None,
            region: None,
            id: reference,
        },
    }
}

/// The global data sets the declaration names: for DynamoDB every Region's description of
/// the table (same account and name), for Aurora the global cluster.
fn data_of<'i>(inv: &'i Inventory, declared: &str) -> Vec<&'i GlobalData> {
    let Some(p) = arn_parts(declared) else {
        return Vec::new();
    };
    inv.global_data
        .iter()
        .filter(|g| match g.kind {
            GlobalDataKind::DynamoDbGlobalTable => {
                p.service == "dynamodb"
                    && g.account.as_deref() == Some(p.account)
                    && p.resource.strip_prefix("table/") == Some(g.name.as_str())
            }
            GlobalDataKind::AuroraGlobalDatabase => g.arn == declared,
        })
        .collect()
}

/// Every live Region of the data, once, with the description that lists it.
fn live_regions<'i>(items: &[&'i GlobalData]) -> Vec<(&'i GlobalData, &'i DataRegion)> {
    let mut out: Vec<(&GlobalData, &DataRegion)> = Vec::new();
    for g in items {
        for r in g.regions.iter().filter(|r| r.is_live()) {
            if !out.iter().any(|(_, seen)| seen.region == r.region) {
                out.push((g, r));
            }
        }
    }
    out
}

fn check_one(
    world: &mut World<'_>,
    inv: &Inventory,
    cse: &ClientSideEncryption,
    out: &mut Vec<Finding>,
) {
    let items = data_of(inv, &cse.data);
    let Some(first) = items.first() else {
        // The data set was not collected: its Regions are unknown.
        return;
    };
    let data_account = first.account.clone();
    let what = format!("{} `{}`", first.kind.describe(), first.name);
    let regions = live_regions(&items);
    let r = key_ref(&cse.key);
    let account = r.account.or(data_account.as_deref());
    let members: Vec<&Key> = inv
        .keys
        .iter()
        .filter(|k| k.id == r.id && account.is_none_or(|a| k.account == a))
        .collect();

    // (a) MRK-04: only multi-Region keys (ids `mrk-…`) share key material across Regions.
    let single = !r.id.starts_with("mrk-") || members.iter().any(|k| k.multi_region == Some(false));
    if single {
        single_region_key(cse, &what, &r, &members, &regions, first, out);
        return;
    }

    // The Regions of the set, as any described key of it lists them.
    let set: Vec<&str> = members
        .iter()
        .flat_map(|k| k.multi_region_set.iter().map(String::as_str))
        .collect();
    let primary = members
        .iter()
        .find_map(|k| k.primary_arn.clone())
        .or_else(|| {
            members
                .iter()
                .find(|k| k.multi_region == Some(true) && !k.multi_region_set.is_empty())
                .map(|k| k.arn.clone())
        })
        .unwrap_or_else(|| cse.key.clone());
    for (g, dr) in &regions {
        let region = dr.region.as_str();
        let Some(key) = members.iter().find(|k| k.region == region) else {
            if !set.is_empty() && !set.contains(&region) {
                no_key_in_region(cse, &what, region, &primary, &set, g, dr, out);
            }
            // Otherwise the key there was not collected: nothing is known about it.
            continue;
        };
        if let Some(state) = key.state.as_deref().filter(|s| UNUSABLE.contains(s)) {
            unusable_key(cse, &what, region, key, state, out);
            continue;
        }
        if key.policy.is_none() {
            continue;
        }
        for role in cse.roles_in(region) {
            let Some(p) = Principal::from_arn(role) else {
                continue;
            };
            roles_can_use(world, cse, &what, region, key, &p, g, out);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn single_region_key(
    cse: &ClientSideEncryption,
    what: &str,
    r: &KeyRef<'_>,
    members: &[&Key],
    regions: &[(&GlobalData, &DataRegion)],
    first: &GlobalData,
    out: &mut Vec<Finding>,
) {
    let home = members
        .first()
        .map(|k| k.region.as_str())
        .or(r.region.filter(|s| !s.is_empty()));
    let others: Vec<&str> = regions
        .iter()
        .map(|(_, dr)| dr.region.as_str())
        .filter(|reg| Some(*reg) != home)
        .collect();
    if others.is_empty() {
        return;
    }
    let origin = members
        .first()
        .map_or_else(|| first.origin.clone(), |k| k.origin.clone());
    let home_text = home.map_or_else(String::new, |h| format!(" in `{h}`"));
    let primary_region = home.unwrap_or("REGION");
    let f = finding(
        codes::S303,
        &origin,
        "a single-Region key",
        format!(
            "{what} is encrypted on the client side with `{}`, a single-Region key{home_text}, but its data also lives in {}: no key there can decrypt it without a cross-Region call",
            cse.key,
            quoted(&others)
        ),
    );
    out.push(Finding {
        diagnostic: declared(f.diagnostic, cse).help(format!(
            "a single-Region key cannot become multi-Region: create a multi-Region key (`aws kms create-key --multi-region --region {primary_region}`), replicate it into {} (`aws kms replicate-key --key-id <new mrk ARN> --replica-region R --policy file://key-policy.json`), encrypt new data with the local key of each Region and re-encrypt the existing data",
            quoted(&others)
        )),
        ..f
    });
}

#[allow(clippy::too_many_arguments)]
fn no_key_in_region(
    cse: &ClientSideEncryption,
    what: &str,
    region: &str,
    primary: &str,
    set: &[&str],
    g: &GlobalData,
    dr: &DataRegion,
    out: &mut Vec<Finding>,
) {
    let mut have: Vec<&str> = set.to_vec();
    have.sort_unstable();
    have.dedup();
    let origin = span_in(&g.origin, dr.span);
    let f = finding(
        codes::S303,
        &origin,
        "no key of the multi-Region set in this Region",
        format!(
            "{what} keeps data in `{region}`, but multi-Region key `{}` has no key in `{region}` (its keys are in {}): the application there cannot encrypt or decrypt locally",
            cse.key,
            quoted(&have)
        ),
    );
    out.push(Finding {
        diagnostic: declared(f.diagnostic, cse)
            .help(format!(
                "replicate the key into `{region}` with the key policy the application roles there need (without `--policy` the replica gets the default key policy, not the primary's):\naws kms replicate-key --key-id {primary} --replica-region {region} --policy file://key-policy-{region}.json"
            )),
        ..f
    });
}

fn unusable_key(
    cse: &ClientSideEncryption,
    what: &str,
    region: &str,
    key: &Key,
    state: &str,
    out: &mut Vec<Finding>,
) {
    let command = match state {
        "Disabled" => format!("aws kms enable-key --key-id {}", key.arn),
        "PendingDeletion" | "PendingReplicaDeletion" => format!(
            "aws kms cancel-key-deletion --key-id {0}\naws kms enable-key --key-id {0}",
            key.arn
        ),
        _ => format!(
            "aws kms describe-key --key-id {} (and restore the key before the application needs it)",
            key.arn
        ),
    };
    let f = finding(
        codes::S303,
        &key.origin,
        "this key is not enabled",
        format!(
            "{what} keeps data in `{region}`, but the multi-Region key there, `{}`, is `{state}`: the application in `{region}` cannot encrypt or decrypt",
            key.arn
        ),
    );
    out.push(Finding {
        diagnostic: declared(f.diagnostic, cse)
            .help(format!("make the key usable again:\n{command}")),
        ..f
    });
}

#[allow(clippy::too_many_arguments)]
fn roles_can_use(
    world: &mut World<'_>,
    cse: &ClientSideEncryption,
    what: &str,
    region: &str,
    key: &Key,
    p: &Principal,
    g: &GlobalData,
    out: &mut Vec<Finding>,
) {
    let mut context: Vec<(String, ContextValue)> = cse
        .encryption_context
        .iter()
        .map(|(k, v)| {
            (
                format!("kms:EncryptionContext:{k}"),
                ContextValue::Single(v.clone()),
            )
        })
        .collect();
    if !cse.encryption_context.is_empty() {
        context.push((
            "kms:EncryptionContextKeys".to_owned(),
            ContextValue::Multi(
                cse.encryption_context
                    .iter()
                    .map(|(k, _)| k.clone())
                    .collect(),
            ),
        ));
    }
    let crypto = Need {
        principal: p,
        key,
        actions: CRYPTO,
        context,
        grant_context: false,
    };
    let mut missing = ask_all(world, &crypto);
    // DescribeKey takes no encryption context.
    let describe = Need {
        principal: p,
        key,
        actions: DESCRIBE,
        context: Vec::new(),
        grant_context: false,
    };
    let more = ask_all(world, &describe);
    missing.key_policy.extend(more.key_policy);
    missing.iam.extend(more.iam);
    missing.both.extend(more.both);
    missing.denied.extend(more.denied);
    missing.unknown.extend(more.unknown);
    let before = out.len();
    report_missing(
        world,
        &crypto,
        &missing,
        (codes::S304, codes::S304),
        &format!(
            "to encrypt and decrypt {what} on the client side in `{region}` (declared at {})",
            cse.declared_at
        ),
        "UseGlobalDataKeyInRegion",
        &g.origin,
        out,
    );
    if out.len() > before {
        merge_drift(world, key, &crypto, &describe, before, out);
    }
}

/// One finding per cause (MRK-01): when the role that cannot use this replica may use the
/// set's primary with the same requests, and the replica's key policy differs from the
/// primary's (S301), the drift is why; the S301 finding is folded into the new S304 ones.
fn merge_drift(
    world: &mut World<'_>,
    key: &Key,
    crypto: &Need<'_>,
    describe: &Need<'_>,
    from: usize,
    out: &mut Vec<Finding>,
) {
    let inv = world.inventory();
    let Some(primary) = key
        .primary_arn
        .as_deref()
        .and_then(|arn| inv.keys.iter().find(|k| k.arn == arn))
    else {
        return;
    };
    let allowed = |m: &super::Missing| {
        m.key_policy.is_empty()
            && m.iam.is_empty()
            && m.both.is_empty()
            && m.denied.is_empty()
            && m.unknown.is_empty()
    };
    fn on<'a>(need: &Need<'a>, key: &'a Key) -> Need<'a> {
        Need {
            principal: need.principal,
            key,
            actions: need.actions,
            context: need.context.clone(),
            grant_context: false,
        }
    }
    if !allowed(&ask_all(world, &on(crypto, primary)))
        || !allowed(&ask_all(world, &on(describe, primary)))
    {
        return;
    }
    let drift = out.iter().position(|f| {
        f.diagnostic.code == codes::S301
            && f.diagnostic.message.split('`').nth(1) == Some(key.arn.as_str())
    });
    let Some(at) = drift.filter(|at| *at < from) else {
        return;
    };
    let s301 = out.remove(at);
    for f in out.iter_mut().skip(from.saturating_sub(1)) {
        if f.diagnostic.code == codes::S304 {
            let note = f.diagnostic.note.take().unwrap_or_default();
            f.diagnostic.note = Some(format!(
                "{note}\nThe same requests are allowed on the primary `{}`: the cause is drift in the multi-Region set (S301): {}",
                primary.arn, s301.diagnostic.message
            ));
        }
    }
}

/// Adds where the client-side encryption is declared to the rule's note.
fn declared(d: Diagnostic, cse: &ClientSideEncryption) -> Diagnostic {
    let why = d.note.clone().unwrap_or_default();
    d.note(format!(
        "{why}\nThe client-side encryption is declared at {}.",
        cse.declared_at
    ))
}

fn quoted(regions: &[&str]) -> String {
    regions
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
