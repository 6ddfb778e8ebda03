//! `kmsguard can`: decide one authorization question, or a batch of cases, and explain why.

use std::path::{Path, PathBuf};

use kmsguard_eval::case::{context_value, parse_case};
use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::{
    Caller, Decision, Options, PolicySet, PolicySource, Request, derive_caller_keys,
};
use kmsguard_syntax::ast::{Grant, Policy, PolicyKind};
use kmsguard_syntax::formats::Content;
use kmsguard_syntax::json::Limits;
use kmsguard_syntax::render::{RenderOptions, render};
use kmsguard_syntax::{ParseOptions, Severity, SourceFile, parse_bytes};
use rayon::prelude::*;

use crate::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, files, output};

/// Output formats of `kmsguard can`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExplainFormat {
    /// The decision, each layer's verdict, and source snippets.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// Exit status: the engine could not decide.
pub(crate) const EXIT_INDETERMINATE: u8 = 3;

/// Arguments of `kmsguard can`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["principal", "cases"])))]
pub(crate) struct CanArgs {
    /// The caller: an IAM user ARN, an assumed-role session ARN
    /// (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`), an account root ARN, or a service
    /// principal (`cloudtrail.amazonaws.com`).
    #[arg(long, requires_all = ["action", "resource"])]
    principal: Option<String>,
    /// The action, for example `kms:Decrypt`.
    #[arg(long)]
    action: Option<String>,
    /// The resource ARN (the key ARN), or `*` for actions without a resource (`kms:CreateKey`).
    #[arg(long)]
    resource: Option<String>,
    /// The account that owns the resource (default: the ARN's account).
    #[arg(long)]
    resource_account: Option<String>,
    /// The key policy (a policy document or `aws kms get-key-policy` output).
    #[arg(long, value_name = "FILE")]
    key_policy: Option<PathBuf>,
    /// An identity-based policy of the caller (repeatable; `get-account-authorization-details`
    /// output adds every policy it holds).
    #[arg(long = "identity-policy", value_name = "FILE")]
    identity_policies: Vec<PathBuf>,
    /// The caller's permissions boundary.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// The session policy of the caller's role session.
    #[arg(long, value_name = "FILE")]
    session_policy: Option<PathBuf>,
    /// The policy of the VPC endpoint the request goes through (a gate; it never grants).
    #[arg(long, value_name = "FILE")]
    vpc_endpoint_policy: Option<PathBuf>,
    /// The SCPs of one organization level, root first (repeatable, one flag per level;
    /// several policies of a level separated by commas).
    #[arg(long = "scp", value_name = "FILE[,FILE...]")]
    scps: Vec<String>,
    /// The custom RCPs of one organization level, like `--scp` (`RCPFullAWSAccess` is implied).
    #[arg(long = "rcp", value_name = "FILE[,FILE...]")]
    rcps: Vec<String>,
    /// KMS grants on the key (`aws kms list-grants` output or one grant; repeatable).
    #[arg(long = "grants", value_name = "FILE")]
    grants: Vec<PathBuf>,
    /// A request context key (repeatable): `KEY=VALUE`, or `KEY=["a","b"]` for a multivalued
    /// key. Caller keys AWS derives (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
    /// aws:userid, aws:username, kms:CallerAccount) are filled in when not given.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Decide every case of a JSON Lines file in the oracle case format (`-` for standard
    /// input) and print one JSON line per case, in input order.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["principal", "key_policy", "identity_policies", "boundary", "session_policy", "vpc_endpoint_policy", "scps", "rcps", "grants", "context"])]
    cases: Option<PathBuf>,
    /// Take the key, its policy and grants, the caller's IAM policies and the organization's
    /// SCPs and RCPs from an inventory (`kmsguard scan` input): `--resource` may then be a key
    /// id or alias, and `--principal` a role or user ARN.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["key_policy", "identity_policies", "boundary", "scps", "rcps", "grants", "cases"])]
    inventory: Vec<PathBuf>,
    /// Let a key policy grant any action to another account. By default kmsguard follows the
    /// KMS guide: only cryptographic operations and a few others work across accounts.
    #[arg(long)]
    allow_any_cross_account_action: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ExplainFormat,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t)]
    color: ColorChoice,
}

/// A policy file as loaded: its source (for snippets) and its policies.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) source: SourceFile,
    pub(crate) policies: Vec<PolicySource>,
    pub(crate) grants: Vec<Grant>,
}

pub(crate) fn run(args: &CanArgs) -> u8 {
    let options = Options {
        enforce_cross_account_actions: !args.allow_any_cross_account_action,
        ..Options::default()
    };
    if let Some(path) = &args.cases {
        return batch(path, options);
    }
    match single(args, options) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_USAGE
        }
    }
}

fn single(args: &CanArgs, options: Options) -> Result<u8, String> {
    let (Some(principal), Some(action), Some(resource)) =
        (&args.principal, &args.action, &args.resource)
    else {
        return Err("`--principal`, `--action` and `--resource` are required".to_owned());
    };
    if !args.inventory.is_empty() {
        let mut context = Vec::new();
        for kv in &args.context {
            context.push(parse_context(kv)?);
        }
        return crate::inventory_cmd::can(&crate::inventory_cmd::CanQuery {
            inventory: &args.inventory,
            principal,
            action,
            resource,
            context,
            format: args.format,
            color: args.color,
        });
    }
    let color = crate::use_color(args.color);
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut b = PolicySet::builder().options(options);
    if let Some(p) = &args.key_policy {
        let l = load(p, PolicyKind::Key, color)?;
        b = b.resource_policy(one(&l, p)?);
        loaded.push(l);
    }
    for p in &args.identity_policies {
        let l = load(p, PolicyKind::Identity, color)?;
        for s in &l.policies {
            b = b.identity_policy(s);
        }
        loaded.push(l);
    }
    if let Some(p) = &args.boundary {
        let l = load(p, PolicyKind::Boundary, color)?;
        b = b.boundary(one(&l, p)?);
        loaded.push(l);
    }
    if let Some(p) = &args.session_policy {
        let l = load(p, PolicyKind::Session, color)?;
        b = b.session_policy(one(&l, p)?);
        loaded.push(l);
    }
    if let Some(p) = &args.vpc_endpoint_policy {
        let l = load(p, PolicyKind::VpcEndpoint, color)?;
        b = b.vpc_endpoint_policy(one(&l, p)?);
        loaded.push(l);
    }
    for (levels, kind) in [(&args.scps, PolicyKind::Scp), (&args.rcps, PolicyKind::Rcp)] {
        for level in levels {
            let mut sources = Vec::new();
            for p in level.split(',').filter(|p| !p.is_empty()) {
                let l = load(Path::new(p), kind, color)?;
                sources.extend(l.policies.iter().cloned());
                loaded.push(l);
            }
            b = if kind == PolicyKind::Scp {
                b.scp_level(&sources)
            } else {
                b.rcp_level(&sources)
            };
        }
    }
    for p in &args.grants {
        let l = load(p, PolicyKind::Key, color)?;
        if l.grants.is_empty() {
            return Err(format!("`{}` holds no grant", p.display()));
        }
        for g in &l.grants {
            b = b.grant(g);
        }
        loaded.push(l);
    }
    let mut ctx = RequestContext::new();
    for kv in &args.context {
        let (k, v) = parse_context(kv)?;
        ctx.insert(&k, v);
    }
    let caller = Caller::parse(principal, &ctx).map_err(|e| e.to_string())?;
    derive_caller_keys(&caller, &mut ctx);
    let request = Request::new(
        principal,
        action,
        resource,
        args.resource_account.as_deref(),
        ctx,
    )
    .map_err(|e| e.to_string())?;
    let set = b.build();
    let explanation = set.explain(&request);
    let written = match args.format {
        ExplainFormat::Human => output::explain::human(
            &request,
            &explanation,
            &loaded,
            RenderOptions { color, width: 100 },
        ),
        ExplainFormat::Json => output::explain::json(&request, &explanation, &loaded),
    };
    written.map_err(|e| format!("cannot write output: {e}"))?;
    Ok(match explanation.decision {
        Decision::Allow => EXIT_OK,
        Decision::ExplicitDeny | Decision::ImplicitDeny => EXIT_FINDINGS,
        _ => EXIT_INDETERMINATE,
    })
}

/// Reads a policy or grant file, printing its diagnostics to standard error. Policies with
/// errors are kept (the engine will not trust them); unreadable files are an error.
fn load(path: &Path, kind: PolicyKind, color: bool) -> Result<Loaded, String> {
    let name = path.display().to_string();
    let limits = Limits::default();
    let bytes = match files::read_bounded(path, limits.max_bytes) {
        Ok(Ok(b)) => b,
        Ok(Err(size)) => {
            return Err(format!(
                "`{name}` is {size} bytes, larger than the {}-byte limit",
                limits.max_bytes
            ));
        }
        Err(e) => return Err(format!("cannot read `{name}`: {e}")),
    };
    let parsed = parse_bytes(
        &bytes,
        &ParseOptions {
            kind: Some(kind),
            ..ParseOptions::default()
        },
    );
    let source = SourceFile::new(name.clone(), String::from_utf8_lossy(&bytes).into_owned());
    for d in &parsed.diagnostics {
        eprint!(
            "{}",
            render(d, &source, RenderOptions { color, width: 100 })
        );
    }
    let has_errors = parsed
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    if parsed.documents.is_empty() {
        return Err(format!(
            "`{name}` holds no policy or grant kmsguard can read"
        ));
    }
    let multiple = parsed.documents.len() > 1;
    let mut policies = Vec::new();
    let mut grants = Vec::new();
    for doc in parsed.documents {
        match doc.content {
            Content::Policy(p) => {
                let label = match (&doc.name, multiple) {
                    (Some(n), _) => format!("{name} ({n})"),
                    (None, true) => format!("{name} ({})", doc.location),
                    (None, false) => name.clone(),
                };
                policies.push(PolicySource::new(
                    label,
                    policy_with_kind(p, kind),
                    has_errors,
                ));
            }
            Content::Grant(g) => grants.push(g),
            _ => {}
        }
    }
    Ok(Loaded {
        source,
        policies,
        grants,
    })
}

/// Documents inside CLI outputs carry the kind their format implies (a trust policy inside
/// authorization details); the flag the file was given with decides how it is evaluated.
fn policy_with_kind(mut p: Policy, kind: PolicyKind) -> Policy {
    if kind != PolicyKind::Identity || p.kind != PolicyKind::Trust {
        p.kind = kind;
    }
    p
}

fn one<'l>(l: &'l Loaded, path: &Path) -> Result<&'l PolicySource, String> {
    match l.policies.as_slice() {
        [p] => Ok(p),
        [] => Err(format!("`{}` holds no policy", path.display())),
        _ => Err(format!(
            "`{}` holds {} policies; pass a file with one",
            path.display(),
            l.policies.len()
        )),
    }
}

pub(crate) fn parse_context(kv: &str) -> Result<(String, ContextValue), String> {
    let (k, v) = kv
        .split_once('=')
        .ok_or_else(|| format!("`--context {kv}`: expected KEY=VALUE"))?;
    if k.is_empty() {
        return Err(format!("`--context {kv}`: the key is empty"));
    }
    if v.trim_start().starts_with('[') {
        let node = kmsguard_syntax::json::parse(v, &Limits::default()).map_err(|e| {
            format!("`--context {kv}`: a list value must be a JSON array of strings ({e})")
        })?;
        return Ok((k.to_owned(), context_value(&node)));
    }
    Ok((k.to_owned(), ContextValue::Single(v.to_owned())))
}

/// Batch mode: one JSON line per case, in input order, decided in parallel.
fn batch(path: &Path, options: Options) -> u8 {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => {
                eprintln!("error: cannot read standard input: {e}");
                return EXIT_USAGE;
            }
        }
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let results: Vec<(String, bool)> = lines
        .par_iter()
        .map(|&(n, line)| decide_line(n, line, options))
        .collect();
    let mut failed = false;
    let mut out = String::with_capacity(results.len().saturating_mul(64));
    for (json, ok) in results {
        out.push_str(&json);
        out.push('\n');
        failed |= !ok;
    }
    if let Err(e) = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
        }
        return EXIT_USAGE;
    }
    if failed { EXIT_USAGE } else { EXIT_OK }
}

/// One line of batch output.
#[derive(serde::Serialize)]
struct CaseOut<'a> {
    id: Option<&'a str>,
    decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agrees: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Decides one case line: `(JSON line, whether it could be read)`. An unreadable case is
/// answered `Indeterminate` with an `error`, so the output keeps one line per input line.
fn decide_line(line_no: usize, line: &str, options: Options) -> (String, bool) {
    let (out, ok) = match parse_case(line, options) {
        Ok(case) => {
            let decision = case.policies.decide(&case.request).name();
            let out = CaseOut {
                id: Some(&case.id),
                decision,
                expected: case.expected.as_deref(),
                agrees: case.expected.as_deref().map(|e| e == decision),
                error: None,
            };
            (serde_json::to_string(&out), true)
        }
        Err(e) => {
            let out = CaseOut {
                id: e.id.as_deref(),
                decision: Decision::Indeterminate.name(),
                expected: None,
                agrees: None,
                error: Some(format!("line {}: {}", line_no.saturating_add(1), e.message)),
            };
            (serde_json::to_string(&out), false)
        }
    };
    // Serializing these plain structs cannot fail; keep a well-formed line if it ever did.
    (
        out.unwrap_or_else(|e| {
            format!("{{\"id\":null,\"decision\":\"Indeterminate\",\"error\":\"{e}\"}}")
        }),
        ok,
    )
}
