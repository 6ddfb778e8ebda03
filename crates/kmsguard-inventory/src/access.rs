//! Asking the evaluator about an inventory: who is the caller, which policies apply, and
//! which side is missing when a request is denied.
//!
//! A [`World`] compiles every key policy, identity policy, boundary and organization policy of
//! an inventory once, and answers "can this role (or user) call this action on this key, with
//! this request context?" with every layer AWS evaluates (evaluation.md Part D, kms.md §8):
//! the key policy and grants, the caller's identity policies and boundary, and the SCPs and
//! RCPs on the path from the organization root to the caller's and the key's accounts.
//!
//! What the inventory does not hold is *unknown*, not absent: a principal of an account whose
//! IAM policies were not collected gets an identity layer that may allow anything
//! (a placeholder action), so the answer is Indeterminate where that side matters — never a
//! confident "missing permission" for policies we have not seen.

use std::collections::HashMap as StdHashMap;
use std::sync::Arc;

use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::decision::{Explanation, Layer, Verdict};
use kmsguard_eval::{
    Caller, CompiledPolicy, Decision, PolicySet, PolicySource, Request, derive_caller_keys,
};
use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::model::{Doc, Identity, IdentityKind, Inventory, Key, ManagedPolicy, OrgPolicyKind};

/// The world's maps are looked up once or more per principal and never iterated: `foldhash`
/// rather than SipHash.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

/// The session name given to role callers.
pub const SESSION: &str = "kmsguard";

/// Who makes a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The role or user ARN as policies name it (`arn:aws:iam::A:role/R`).
    pub arn: String,
    /// The account.
    pub account: String,
    /// The caller ARN the request carries (an assumed-role session for roles).
    pub caller: String,
}

/// The role name of the stand-in for "some principal of an account whose IAM side is not in
/// the inventory".
const STAND_IN: &str = "any-principal-of-";

impl Principal {
    /// A stand-in for the principals of `account` when the inventory does not describe them.
    #[must_use]
    pub fn any_of(account: &str) -> Option<Self> {
        Self::from_arn(&format!("arn:aws:iam::{account}:role/{STAND_IN}{account}"))
    }

    /// Whether this is the stand-in of [`Principal::any_of`].
    #[must_use]
    pub fn is_stand_in(&self) -> bool {
        self.arn.contains(&format!(":role/{STAND_IN}"))
    }

    /// How findings name it: the ARN in backticks, or "principals of account `A`".
    #[must_use]
    pub fn describe(&self) -> String {
        if self.is_stand_in() {
            format!("principals of account `{}`", self.account)
        } else {
            format!("`{}`", self.arn)
        }
    }

    /// The ARN a fix names: the account root for the stand-in (delegating to the account's
    /// IAM policies), else the role or user.
    #[must_use]
    pub fn policy_arn(&self) -> String {
        if self.is_stand_in() {
            format!("arn:aws:iam::{}:root", self.account)
        } else {
            self.arn.clone()
        }
    }

    /// The principal for an IAM role or user ARN. `None` for other text.
    #[must_use]
    pub fn from_arn(arn: &str) -> Option<Self> {
        let rest = arn.strip_prefix("arn:")?;
        let mut parts = rest.splitn(5, ':');
        let partition = parts.next()?;
        let service = parts.next()?;
        let _region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if service != "iam" || account.len() != 12 {
            return None;
        }
        let caller = if let Some(path_name) = resource.strip_prefix("role/") {
            // Sessions drop the role's path (A7.4).
            let name = path_name.rsplit('/').next()?;
            format!("arn:{partition}:sts::{account}:assumed-role/{name}/{SESSION}")
        } else if resource.starts_with("user/") || resource == "root" {
            arn.to_owned()
        } else {
            return None;
        };
        Some(Self {
            arn: arn.to_owned(),
            account: account.to_owned(),
            caller,
        })
    }
}

impl Principal {
    /// The principal a policy names for `text`: a role or user ARN as is; an assumed-role
    /// session ARN as the role of that name in the inventory (roles have paths that session
    /// ARNs drop).
    #[must_use]
    pub fn resolve(inv: &Inventory, text: &str) -> Option<Self> {
        if let Some(rest) = text.strip_prefix("arn:aws:sts::") {
            let (account, res) = rest.split_once(':')?;
            let mut it = res.strip_prefix("assumed-role/")?.split('/');
            let role = it.next()?;
            let arn = inv
                .identities
                .iter()
                .find(|i| i.kind == IdentityKind::Role && i.account == account && i.name == role)
                .map_or_else(
                    || format!("arn:aws:iam::{account}:role/{role}"),
                    |i| i.arn.clone(),
                );
            return Self::from_arn(&arn);
        }
        Self::from_arn(text)
    }
}

/// One question.
#[derive(Clone, Debug)]
pub struct Ask<'a> {
    /// The caller.
    pub principal: &'a Principal,
    /// `kms:Decrypt`, …
    pub action: &'a str,
    /// The key.
    pub key: &'a Key,
    /// Context keys AWS adds for this scenario (`kms:ViaService`, encryption context, …);
    /// the caller keys (`aws:PrincipalArn`, `kms:CallerAccount`, …) are added for you.
    pub context: Vec<(String, ContextValue)>,
}

/// The part of the configuration that lacks a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// Allowed.
    None,
    /// The key policy (and grants) do not allow the caller.
    KeyPolicy,
    /// The key policy admits the caller (or its account) but the caller's IAM side (identity
    /// policies, boundary, SCPs) does not allow the request.
    Iam,
    /// Each side allows on its own terms but not together (for example a cross-account
    /// caller that the key policy names only through a condition the IAM side defeats).
    Both,
    /// An explicit deny in `layer`, at `where_` (`policy label` + `Sid`).
    Denied {
        /// The layer.
        layer: Layer,
        /// The denying statement, as `label` (`Sid`).
        statement: String,
    },
    /// The answer depends on something the inventory does not know.
    Unknown(String),
}

/// The answer to one question, with the side that is missing.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The decision.
    pub decision: Decision,
    /// Which side is missing or blocking.
    pub side: Side,
    /// The full explanation.
    pub explanation: Explanation,
}

/// An inventory with its policies compiled.
#[derive(Debug)]
pub struct World<'i> {
    inv: &'i Inventory,
    /// Key policies, compiled on first use (a query usually concerns a few keys).
    key_policies: HashMap<&'i str, (&'i Doc, std::sync::OnceLock<Arc<CompiledPolicy>>)>,
    identities: HashMap<&'i str, &'i Identity>,
    identity: HashMap<&'i str, Vec<Arc<CompiledPolicy>>>,
    boundaries: HashMap<&'i str, Arc<CompiledPolicy>>,
    /// For an account: the SCPs at each level from the root to the account.
    scps: HashMap<String, Vec<Vec<PolicySource>>>,
    rcps: HashMap<String, Vec<Vec<PolicySource>>>,
    management: Vec<String>,
    unknown_identity: Arc<CompiledPolicy>,
    delegate_all: HashMap<String, Arc<CompiledPolicy>>,
    allow_all_identity: Arc<CompiledPolicy>,
}

/// Compiles a document's policy (without copying it first).
fn compile(doc: &Doc) -> Arc<CompiledPolicy> {
    CompiledPolicy::of(&doc.label, &doc.policy, doc.has_errors)
}

fn source(doc: &Doc) -> PolicySource {
    PolicySource::new(doc.label.clone(), doc.policy.clone(), doc.has_errors)
}

fn synthetic(label: &str, text: &str, kind: PolicyKind) -> Arc<CompiledPolicy> {
    let mut diags = Vec::new();
    let src = PolicySource::parse(label, text, kind, &mut diags).unwrap_or_else(|_| {
        PolicySource::new(
            label,
            // Our own text always parses; were it not to, an invalid empty policy never
            // allows anything.
            Policy {
                kind,
                version: None,
                id: None,
                statements: Vec::new(),
            },
            true,
        )
    });
    CompiledPolicy::new(&src)
}

impl<'i> World<'i> {
    /// Compiles the inventory's policies.
    #[must_use]
    pub fn new(inv: &'i Inventory) -> Self {
        use rayon::prelude::*;
        let key_policies = inv
            .keys
            .iter()
            .filter_map(|k| {
                Some((
                    k.arn.as_str(),
                    (k.policy.as_ref()?, std::sync::OnceLock::new()),
                ))
            })
            .collect();
        let identities = inv.identities.iter().map(|i| (i.arn.as_str(), i)).collect();
        // Compiling thousands of identity policies is the bulk of the set-up: both cores
        // share it.
        let lookup = Lookup::new(inv);
        let identity: HashMap<&str, Vec<Arc<CompiledPolicy>>> = inv
            .identities
            .par_iter()
            .map(|i| (i.arn.as_str(), compile_identity(&lookup, i)))
            .collect();
        let mut boundaries = HashMap::default();
        for i in &inv.identities {
            if let Some(b) = &i.boundary {
                if let Some(mp) = lookup.managed(&b.node) {
                    boundaries.insert(i.arn.as_str(), compile(&mp.doc));
                }
            }
        }
        let (scps, rcps) = org_levels(inv);
        let management = inv
            .org_accounts
            .iter()
            .filter(|a| a.management)
            .map(|a| a.account.clone())
            .collect();
        let unknown_identity = synthetic(
            "identity policies not in the inventory",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{}","Resource":"*"}}]}}"#,
                kmsguard_syntax::unknown::placeholder("identity policies not in the inventory")
            ),
            PolicyKind::Identity,
        );
        let allow_all_identity = synthetic(
            "any identity policy",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        );
        Self {
            inv,
            key_policies,
            identities,
            identity,
            boundaries,
            scps,
            rcps,
            management,
            unknown_identity,
            delegate_all: HashMap::default(),
            allow_all_identity,
        }
    }

    /// The inventory.
    #[must_use]
    pub fn inventory(&self) -> &'i Inventory {
        self.inv
    }

    /// Whether the inventory holds the IAM policies of `principal` (a role or user it
    /// describes).
    #[must_use]
    pub fn knows_identity(&self, principal: &Principal) -> bool {
        self.identity.contains_key(principal.arn.as_str())
    }

    fn key_policy_of(&self, key: &Key) -> Option<Arc<CompiledPolicy>> {
        let (doc, compiled) = self.key_policies.get(key.arn.as_str())?;
        Some(Arc::clone(compiled.get_or_init(|| compile(doc))))
    }

    /// Builds the policy set for `principal` on `key`. `key_policy` / `identity` override the
    /// real ones (counterfactual questions).
    fn set(
        &self,
        principal: &Principal,
        key: &Key,
        key_policy: Option<Arc<CompiledPolicy>>,
        identity: Option<Arc<CompiledPolicy>>,
    ) -> PolicySet {
        let mut b = PolicySet::builder();
        if let Some(p) = key_policy.or_else(|| self.key_policy_of(key)) {
            b = b.resource_compiled(p);
        }
        match identity {
            Some(p) => b = b.identity_compiled(p),
            None => match self.identity.get(principal.arn.as_str()) {
                Some(ps) => {
                    for p in ps {
                        b = b.identity_compiled(Arc::clone(p));
                    }
                }
                None => b = b.identity_compiled(Arc::clone(&self.unknown_identity)),
            },
        }
        if let Some(p) = self.boundaries.get(principal.arn.as_str()) {
            b = b.boundary_compiled(Arc::clone(p));
        }
        if let Some(levels) = self.scps.get(&principal.account) {
            for l in levels {
                b = b.scp_level(l);
            }
        }
        if let Some(levels) = self.rcps.get(&key.account) {
            for l in levels {
                b = b.rcp_level(l);
            }
        }
        for g in &key.grants {
            b = b.grant(&g.grant);
        }
        let aws_managed = key.manager == Some(crate::model::KeyManager::Aws);
        b.options(kmsguard_eval::Options {
            principal_in_management_account: self.management.contains(&principal.account),
            rcps_exempt: aws_managed || self.management.contains(&key.account),
            ..kmsguard_eval::Options::default()
        })
        .build()
    }

    /// The request AWS evaluates for `ask` (caller keys filled in).
    #[must_use]
    pub fn request(&self, ask: &Ask<'_>) -> Option<Request> {
        let mut ctx = RequestContext::new();
        for (k, v) in &ask.context {
            ctx.insert(k, v.clone());
        }
        let caller = Caller::parse(&ask.principal.caller, &ctx).ok()?;
        derive_caller_keys(&caller, &mut ctx);
        if let Some(i) = self.identities.get(ask.principal.arn.as_str()) {
            if let Some(id) = &i.unique_id {
                if ctx.get_lower("aws:userid").is_some() && i.kind == IdentityKind::Role {
                    ctx.insert(
                        "aws:userid",
                        ContextValue::Single(format!("{id}:{SESSION}")),
                    );
                }
            }
        }
        // The caller keys added since parsing change only what the caller reads from the
        // context: read that again, not the ARN.
        let caller = caller.reread(&ask.principal.caller, &ctx).ok()?;
        Request::with_caller(
            caller,
            ask.action,
            &ask.key.arn,
            Some(&ask.key.account),
            ctx,
        )
        .ok()
    }

    /// The decision with its explanation.
    #[must_use]
    pub fn explain(&self, ask: &Ask<'_>) -> Option<Explanation> {
        let req = self.request(ask)?;
        Some(self.set(ask.principal, ask.key, None, None).explain(&req))
    }

    /// The explanation, only when the decision is one `wanted` accepts: deciding alone is
    /// much cheaper than explaining, and a query over every principal drops most of them.
    #[must_use]
    pub fn explain_if(
        &self,
        ask: &Ask<'_>,
        wanted: impl Fn(Decision) -> bool,
    ) -> Option<Explanation> {
        let req = self.request(ask)?;
        let set = self.set(ask.principal, ask.key, None, None);
        // The decision does not depend on whether it is explained.
        wanted(set.decide(&req)).then(|| set.explain(&req))
    }

    /// The decision alone.
    #[must_use]
    pub fn decide(&self, ask: &Ask<'_>) -> Decision {
        match self.request(ask) {
            Some(req) => self.set(ask.principal, ask.key, None, None).decide(&req),
            None => Decision::Indeterminate,
        }
    }

    /// The decision, the missing side and the explanation.
    #[must_use]
    pub fn answer(&mut self, ask: &Ask<'_>) -> Answer {
        let Some(req) = self.request(ask) else {
            return Answer {
                decision: Decision::Indeterminate,
                side: Side::Unknown(format!("`{}` is not a caller", ask.principal.caller)),
                explanation: Explanation {
                    decision: Decision::Indeterminate,
                    layers: Vec::new(),
                    notes: Vec::new(),
                },
            };
        };
        let set = self.set(ask.principal, ask.key, None, None);
        let explanation = set.explain(&req);
        let side = match explanation.decision {
            Decision::Allow => Side::None,
            Decision::ExplicitDeny => denied_by(&explanation),
            Decision::Indeterminate => Side::Unknown(unknown_reason(&explanation)),
            Decision::ImplicitDeny => {
                // Counterfactuals: the key side with an IAM side that allows everything, and
                // the IAM side with a key policy that delegates everything to the caller's
                // account and names the caller.
                let key_ok = self
                    .set(
                        ask.principal,
                        ask.key,
                        None,
                        Some(Arc::clone(&self.allow_all_identity)),
                    )
                    .decide(&req)
                    .is_allowed();
                let delegate = self.delegate_all_for(ask.principal);
                let iam_ok = self
                    .set(ask.principal, ask.key, Some(delegate), None)
                    .decide(&req);
                match (key_ok, iam_ok) {
                    (false, Decision::Allow) => Side::KeyPolicy,
                    (true, Decision::Indeterminate) => {
                        Side::Unknown("the caller's IAM policies are not in the inventory".into())
                    }
                    (true, _) => Side::Iam,
                    (false, Decision::Indeterminate) => Side::KeyPolicy,
                    (false, _) => Side::Both,
                }
            }
        };
        Answer {
            decision: explanation.decision,
            side,
            explanation,
        }
    }

    /// Whether the caller's IAM side (identity policies, boundary, SCPs) would allow the
    /// request if the key policy admitted the caller.
    pub fn iam_side_allows(&mut self, ask: &Ask<'_>) -> bool {
        let Some(req) = self.request(ask) else {
            return false;
        };
        let delegate = self.delegate_all_for(ask.principal);
        self.set(ask.principal, ask.key, Some(delegate), None)
            .decide(&req)
            .is_allowed()
    }

    fn delegate_all_for(&mut self, principal: &Principal) -> Arc<CompiledPolicy> {
        let account = principal.account.clone();
        let arn = principal.arn.clone();
        Arc::clone(self.delegate_all.entry(arn.clone()).or_insert_with(|| {
            synthetic(
                "a key policy that admits the caller",
                &format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{account}:root","{arn}"]}},"Action":"kms:*","Resource":"*"}}]}}"#
                ),
                PolicyKind::Key,
            )
        }))
    }
}

fn denied_by(ex: &Explanation) -> Side {
    for l in &ex.layers {
        if l.verdict == Verdict::Deny {
            let statement = l.decisive.first().map_or_else(
                || l.layer.to_string(),
                |s| match &s.sid {
                    Some(sid) => format!("{} (`{sid}`)", s.policy),
                    None => format!("{} (statement #{})", s.policy, s.index),
                },
            );
            return Side::Denied {
                layer: l.layer,
                statement,
            };
        }
    }
    Side::Unknown("an explicit deny".into())
}

/// Why an Indeterminate explanation could not decide.
#[must_use]
pub fn unknown_reason(ex: &Explanation) -> String {
    ex.layers
        .iter()
        .flat_map(|l| &l.near_misses)
        .find_map(|n| match &n.failed {
            kmsguard_eval::decision::Failure::Unknown(why) => Some(why.clone()),
            _ => None,
        })
        .or_else(|| ex.notes.first().cloned())
        .unwrap_or_else(|| "part of the configuration is unknown".into())
}

/// Managed policies by ARN and groups by (account, name): the first of each, as a scan of
/// the model finds it.
struct Lookup<'i> {
    managed: HashMap<&'i str, &'i ManagedPolicy>,
    groups: HashMap<(&'i str, &'i str), &'i Identity>,
}

impl<'i> Lookup<'i> {
    fn new(inv: &'i Inventory) -> Self {
        let mut managed = HashMap::default();
        for p in &inv.managed_policies {
            managed.entry(p.arn.as_str()).or_insert(p);
        }
        let mut groups = HashMap::default();
        for g in inv
            .identities
            .iter()
            .filter(|x| x.kind == IdentityKind::Group)
        {
            groups
                .entry((g.account.as_str(), g.name.as_str()))
                .or_insert(g);
        }
        Self { managed, groups }
    }

    fn managed(&self, arn: &str) -> Option<&'i ManagedPolicy> {
        self.managed.get(arn).copied()
    }
}

/// The identity-based policies of a role or user: inline, attached managed, and (users)
/// their groups' policies.
fn compile_identity(lookup: &Lookup<'_>, i: &Identity) -> Vec<Arc<CompiledPolicy>> {
    let mut docs: Vec<&Doc> = i.inline_policies.iter().collect();
    for a in &i.attached_policies {
        if let Some(mp) = lookup.managed(&a.node) {
            docs.push(&mp.doc);
        }
    }
    if i.kind == IdentityKind::User {
        for g in &i.groups {
            if let Some(group) = lookup.groups.get(&(i.account.as_str(), g.as_str())) {
                docs.extend(group.inline_policies.iter());
                for a in &group.attached_policies {
                    if let Some(mp) = lookup.managed(&a.node) {
                        docs.push(&mp.doc);
                    }
                }
            }
        }
    }
    docs.into_iter().map(compile).collect()
}

type Levels = HashMap<String, Vec<Vec<PolicySource>>>;

/// SCP and RCP levels per account, from the organization structure: one level per node on the
/// path root → OUs → account, each holding the policies attached there.
fn org_levels(inv: &Inventory) -> (Levels, Levels) {
    let mut scps = HashMap::default();
    let mut rcps = HashMap::default();
    for a in &inv.org_accounts {
        let nodes = a.path.iter().chain(std::iter::once(&a.account));
        let mut s_levels = Vec::new();
        let mut r_levels = Vec::new();
        for node in nodes {
            let at = |kind| {
                inv.org_policies
                    .iter()
                    .filter(|p| p.kind == kind && p.targets.iter().any(|t| t == node))
                    .map(|p| source(&p.doc))
                    .collect::<Vec<_>>()
            };
            // AWS keeps at least one SCP on every node (`FullAWSAccess` unless replaced), so a
            // node with none listed is one whose policies were not collected: it is assumed
            // to allow, and only the listed levels are evaluated. RCPs: `RCPFullAWSAccess` is
            // implicit at every level.
            let s = at(OrgPolicyKind::Scp);
            if !s.is_empty() {
                s_levels.push(s);
            }
            let r = at(OrgPolicyKind::Rcp);
            if !r.is_empty() {
                r_levels.push(r);
            }
        }
        if !s_levels.is_empty() {
            scps.insert(a.account.clone(), s_levels);
        }
        if !r_levels.is_empty() {
            rcps.insert(a.account.clone(), r_levels);
        }
    }
    (scps, rcps)
}
