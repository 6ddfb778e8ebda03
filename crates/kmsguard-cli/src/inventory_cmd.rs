//! Queries over an inventory: `kmsguard who-can`, `kmsguard access`, and
//! `kmsguard can --inventory`.

use std::io::Write;
use std::path::PathBuf;

use kmsguard_eval::context::ContextValue;
use kmsguard_eval::{Decision, PolicySource};
use kmsguard_inventory::access::{Ask, Principal, World};
use kmsguard_inventory::model::{Doc, Inventory, Key};
use kmsguard_inventory::query::{self, Path as AccessPath};
use kmsguard_inventory::{LoadOptions, load_paths};
use kmsguard_syntax::render::RenderOptions;

use crate::can::{ExplainFormat, Loaded};
use crate::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, output};

/// Arguments of `kmsguard who-can`.
#[derive(Debug, clap::Args)]
pub(crate) struct WhoCanArgs {
    /// A request context key (repeatable): `KEY=VALUE`, or `KEY=["a","b"]` for a multivalued
    /// key, for example `kms:ViaService=s3.eu-west-1.amazonaws.com`. Caller keys are filled in.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// The action, for example `kms:Decrypt`.
    #[arg(long)]
    action: String,
    /// The key: its ARN, its id, or an alias the inventory resolves.
    #[arg(long)]
    resource: String,
    /// The inventory directories and files.
    #[arg(long, value_name = "DIR", required = true)]
    inventory: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ExplainFormat,
}

/// Arguments of `kmsguard access`.
#[derive(Debug, clap::Args)]
pub(crate) struct AccessArgs {
    /// A request context key (repeatable): `KEY=VALUE`, or `KEY=["a","b"]` for a multivalued
    /// key, for example `kms:ViaService=s3.eu-west-1.amazonaws.com`. Caller keys are filled in.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// The principal: a role or user ARN, or an assumed-role session ARN.
    #[arg(long)]
    principal: String,
    /// The inventory directories and files.
    #[arg(long, value_name = "DIR", required = true)]
    inventory: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ExplainFormat,
}

fn context(pairs: &[String]) -> Result<Vec<(String, ContextValue)>, String> {
    pairs
        .iter()
        .map(|kv| crate::can::parse_context(kv))
        .collect()
}

fn load(paths: &[PathBuf]) -> Result<Inventory, String> {
    load_paths(paths, &LoadOptions::default())
}

fn find_key<'i>(inv: &'i Inventory, reference: &str) -> Result<&'i Key, String> {
    inv.find_key(reference).ok_or_else(|| {
        format!(
            "no key `{reference}` in the inventory ({} keys; give a key ARN, id or alias)",
            inv.keys.len()
        )
    })
}

fn path_json(p: &AccessPath) -> serde_json::Value {
    match p {
        AccessPath::KeyPolicy(s) => serde_json::json!({"via": "key-policy", "statements": s}),
        AccessPath::Delegation { key_policy, iam } => {
            serde_json::json!({"via": "key-policy-and-iam", "key_policy": key_policy, "iam": iam})
        }
        AccessPath::Grant(g) => serde_json::json!({"via": "grant", "grants": g}),
        AccessPath::Unknown(why) => serde_json::json!({"via": "unknown", "why": why}),
    }
}

fn path_text(p: &AccessPath) -> String {
    match p {
        AccessPath::KeyPolicy(s) => format!("key policy: {}", s.join(", ")),
        AccessPath::Delegation { key_policy, iam } => format!(
            "key policy: {}; and IAM: {}",
            if key_policy.is_empty() {
                "(no statement)".to_owned()
            } else {
                key_policy.join(", ")
            },
            iam.join(", ")
        ),
        AccessPath::Grant(g) => format!("grant: {}", g.join(", ")),
        AccessPath::Unknown(why) => format!("undetermined: {why}"),
    }
}

pub(crate) fn who_can(args: &WhoCanArgs) -> u8 {
    let run = || -> Result<u8, String> {
        let inv = load(&args.inventory)?;
        let key = find_key(&inv, &args.resource)?;
        let world = World::new(&inv);
        let found = query::who_can(&world, &args.action, key, &context(&args.context)?);
        let mut out = std::io::stdout().lock();
        let written = match args.format {
            ExplainFormat::Json => {
                let list: Vec<_> = found
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "principal": a.principal,
                            "decision": a.decision.name(),
                            "path": path_json(&a.path),
                        })
                    })
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"action": args.action, "key": key.arn, "principals": list})
                )
            }
            ExplainFormat::Human => {
                let mut text = format!(
                    "{} principal(s) of {} can call `{}` on `{}`\n",
                    found
                        .iter()
                        .filter(|a| a.decision == Decision::Allow)
                        .count(),
                    inv.identities.len(),
                    args.action,
                    key.arn
                );
                for a in &found {
                    let mark = if a.decision == Decision::Allow {
                        "allow"
                    } else {
                        "maybe"
                    };
                    text.push_str(&format!(
                        "  {mark:<5} {}\n        {}\n",
                        a.principal,
                        path_text(&a.path)
                    ));
                }
                out.write_all(text.as_bytes())
            }
        };
        written.map_err(|e| format!("cannot write output: {e}"))?;
        crate::skip_drop((found, world));
        crate::skip_drop(inv);
        Ok(EXIT_OK)
    };
    run().unwrap_or_else(|message| {
        eprintln!("error: {message}");
        EXIT_USAGE
    })
}

pub(crate) fn access(args: &AccessArgs) -> u8 {
    let run = || -> Result<u8, String> {
        let inv = load(&args.inventory)?;
        let principal = Principal::resolve(&inv, &args.principal).ok_or_else(|| {
            format!(
                "`{}` is not a role, user or assumed-role session ARN",
                args.principal
            )
        })?;
        let world = World::new(&inv);
        let found = query::access(&world, &principal, &context(&args.context)?);
        let mut out = std::io::stdout().lock();
        let written = match args.format {
            ExplainFormat::Json => {
                let keys: Vec<_> = found
                    .iter()
                    .map(|k| serde_json::json!({"key": k.key, "allowed": k.allowed, "maybe": k.maybe}))
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"principal": principal.arn, "keys": keys})
                )
            }
            ExplainFormat::Human => {
                let mut text = format!(
                    "`{}` can use {} of {} key(s)\n",
                    principal.arn,
                    found.len(),
                    inv.keys.len()
                );
                for k in &found {
                    text.push_str(&format!(
                        "  {}\n    allowed: {}\n",
                        k.key,
                        k.allowed.join(", ")
                    ));
                    if !k.maybe.is_empty() {
                        text.push_str(&format!("    undetermined: {}\n", k.maybe.join(", ")));
                    }
                }
                out.write_all(text.as_bytes())
            }
        };
        written.map_err(|e| format!("cannot write output: {e}"))?;
        crate::skip_drop((found, world));
        crate::skip_drop(inv);
        Ok(EXIT_OK)
    };
    run().unwrap_or_else(|message| {
        eprintln!("error: {message}");
        EXIT_USAGE
    })
}

fn loaded_of(inv: &Inventory, doc: &Doc) -> Option<Loaded> {
    let source = inv.file(doc.origin.file)?.clone();
    Some(Loaded {
        source,
        policies: vec![PolicySource::new(
            doc.label.clone(),
            doc.policy.clone(),
            doc.has_errors,
        )],
        grants: Vec::new(),
    })
}

/// `kmsguard can --inventory`: the policies, grants and organization policies come from the
/// inventory.
pub(crate) struct CanQuery<'a> {
    pub(crate) inventory: &'a [PathBuf],
    pub(crate) principal: &'a str,
    pub(crate) action: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) context: Vec<(String, ContextValue)>,
    pub(crate) format: ExplainFormat,
    pub(crate) color: ColorChoice,
}

pub(crate) fn can(q: &CanQuery<'_>) -> Result<u8, String> {
    let inv = load(q.inventory)?;
    let key = find_key(&inv, q.resource)?;
    let principal = Principal::resolve(&inv, q.principal).ok_or_else(|| {
        format!(
            "`{}` is not a role, user or assumed-role session ARN",
            q.principal
        )
    })?;
    let mut world = World::new(&inv);
    let ask = Ask {
        principal: &principal,
        action: q.action,
        key,
        context: q.context.clone(),
    };
    let request = world
        .request(&ask)
        .ok_or_else(|| format!("cannot build a request for `{}`", principal.caller))?;
    let answer = world.answer(&ask);
    let mut loaded = Vec::new();
    if let Some(l) = key.policy.as_ref().and_then(|d| loaded_of(&inv, d)) {
        loaded.push(l);
    }
    if let Some(i) = inv.find_identity(&principal.arn) {
        for d in &i.inline_policies {
            loaded.extend(loaded_of(&inv, d));
        }
        for a in &i.attached_policies {
            if let Some(mp) = inv.find_managed_policy(&a.node) {
                loaded.extend(loaded_of(&inv, &mp.doc));
            }
        }
    }
    let color = crate::use_color(q.color);
    let written = match q.format {
        ExplainFormat::Human => output::explain::human(
            &request,
            &answer.explanation,
            &loaded,
            RenderOptions { color, width: 100 },
        ),
        ExplainFormat::Json => output::explain::json(&request, &answer.explanation, &loaded),
    };
    written.map_err(|e| format!("cannot write output: {e}"))?;
    let code = match answer.decision {
        Decision::Allow => EXIT_OK,
        Decision::ExplicitDeny | Decision::ImplicitDeny => EXIT_FINDINGS,
        _ => crate::can::EXIT_INDETERMINATE,
    };
    crate::skip_drop((loaded, answer, world));
    crate::skip_drop(inv);
    Ok(code)
}
