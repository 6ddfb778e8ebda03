//! Questions the linter asks the evaluator about a key policy on its own: "could a stranger
//! (a principal of an unrelated account, with every IAM permission in its own account) or an
//! anonymous caller do this?" Answered by the real decision procedure, so conditions such as
//! `kms:CallerAccount`, `aws:PrincipalOrgID` or `aws:SourceArn` restrict exactly as AWS would.

use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::decision::{Layer, StatementRef};
use kmsguard_eval::pattern::action_matches;
use kmsguard_eval::{
    Caller, Decision, Options, PolicySet, PolicySource, Request, derive_caller_keys,
};
use kmsguard_syntax::Span;
use kmsguard_syntax::ast::{
    ActionBlock, AwsPrincipal, Effect, GrantOperation, Policy, PolicyKind, PrincipalBlock,
    PrincipalEntry, PrincipalForm, Principals, Statement,
};
use kmsguard_syntax::source::Spanned;

/// A principal of an account no real policy names.
const STRANGER: &str = "arn:aws:sts::999988887777:assumed-role/Stranger/probe";

/// The account that owns the key: the account of the root delegation statement (an `Allow`
/// to an account principal that covers `kms:PutKeyPolicy`, kms.md §8.3), else of the policy's
/// first account principal, else of its first principal that names an account, else a
/// placeholder.
pub(crate) fn owner_account(policy: &Policy) -> String {
    root_delegation_account(policy)
        .or_else(|| first_account_principal(policy))
        .or_else(|| {
            aws_principals(policy).find_map(|(_, p)| p.node.form.account().map(str::to_owned))
        })
        .unwrap_or_else(|| "111111111111".to_owned())
}

/// The owner's account as [`owner_account`] finds it, or `None` when the policy names the
/// owner only through a placeholder (`arn:aws:iam::⟪Ref AWS::AccountId⟫:root`, unknown until
/// deploy): an `Allow` of `kms:PutKeyPolicy` to a principal that holds one, and no root
/// delegation to a known account. Which named principals belong to the owner is then unknown
/// too, so rules do not call any of them cross-account (or local).
pub(crate) fn known_owner_account(policy: &Policy) -> Option<String> {
    let unknown_owner = root_delegation_account(policy).is_none()
        && aws_principals(policy).any(|(st, p)| {
            p.node.form == PrincipalForm::Unknown && covers(&st.node, "kms:putkeypolicy")
        });
    (!unknown_owner).then(|| owner_account(policy))
}

/// The account of the first root delegation statement.
fn root_delegation_account(policy: &Policy) -> Option<String> {
    aws_principals(policy).find_map(|(st, p)| match &p.node.form {
        PrincipalForm::Account { account, .. } if covers(&st.node, "kms:putkeypolicy") => {
            Some(account.clone())
        }
        _ => None,
    })
}

fn first_account_principal(policy: &Policy) -> Option<String> {
    policy
        .statements
        .iter()
        .filter_map(|s| s.node.principal.as_ref())
        .filter_map(|p| match &p.principals().node {
            Principals::Map(entries) => Some(entries),
            Principals::Any => None,
        })
        .flatten()
        .find_map(|e| match e {
            PrincipalEntry::Aws(list) => list.node.iter().find_map(|p| match &p.node.form {
                PrincipalForm::Account { account, .. } => Some(account.clone()),
                _ => None,
            }),
            _ => None,
        })
}

/// The outcome of asking as a stranger and as an anonymous caller.
pub(crate) struct Exposure {
    /// Actions a stranger (or anonymous caller) is allowed.
    pub(crate) actions: Vec<&'static str>,
    /// Key-policy statements that allowed them.
    pub(crate) statements: Vec<StatementRef>,
}

/// Asks whether principals outside the owner's account can perform `actions` on the key.
pub(crate) fn outsider_access(policy: &Policy, actions: &[&'static str]) -> Exposure {
    let owner = owner_account(policy);
    let key = format!("arn:aws:kms:us-east-1:{owner}:key/00000000-0000-0000-0000-000000000000");
    let source = PolicySource::new("key policy", policy.clone(), false);
    // The stranger controls its own account, so its IAM side allows everything.
    let mut diags = Vec::new();
    let own = PolicySource::parse(
        "stranger identity",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        PolicyKind::Identity,
        &mut diags,
    );
    let mut builder = PolicySet::builder().resource_policy(&source);
    if let Ok(own) = &own {
        builder = builder.identity_policy(own);
    }
    let set = builder.build();
    let mut exposure = Exposure {
        actions: Vec::new(),
        statements: Vec::new(),
    };
    for &action in actions {
        for principal in [STRANGER, "anonymous"] {
            let mut ctx = RequestContext::new();
            if let Ok(caller) = Caller::parse(principal, &ctx) {
                derive_caller_keys(&caller, &mut ctx);
            }
            let Ok(req) = Request::new(principal, action, &key, Some(&owner), ctx) else {
                continue;
            };
            let ex = set.explain(&req);
            if ex.decision == Decision::Allow {
                if !exposure.actions.contains(&action) {
                    exposure.actions.push(action);
                }
                if let Some(l) = ex.layer(Layer::KeyPolicy) {
                    for s in &l.decisive {
                        if !exposure.statements.iter().any(|x| x.index == s.index) {
                            exposure.statements.push(s.clone());
                        }
                    }
                }
            }
        }
    }
    exposure
}

/// Cryptographic actions: what a key user calls (kms.md §8.5 "Allow use of the key").
pub(crate) const CRYPTO_ACTIONS: &[&str] = &[
    "kms:decrypt",
    "kms:encrypt",
    "kms:generatedatakey",
    "kms:generatedatakeywithoutplaintext",
    "kms:generatedatakeypair",
    "kms:reencryptfrom",
    "kms:reencryptto",
    "kms:sign",
    "kms:verify",
    "kms:generatemac",
    "kms:verifymac",
    "kms:derivesharedsecret",
];

/// The actions probed for "can use the key" (one per key type is enough).
pub(crate) const USE_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:Sign",
    "kms:GenerateMac",
];

/// Key-management actions (kms.md §8.5 administrator list) that change who can use the key or
/// whether it works; probed by the management rules.
pub(crate) const MANAGEMENT_ACTIONS: &[&str] = &[
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:UpdateKeyDescription",
    "kms:TagResource",
    "kms:UntagResource",
];

/// A principal of an account no real policy names, used as the grantee of probed grants.
const STRANGER_GRANTEE: &str = "arn:aws:iam::999988887777:role/Stranger";

/// Whether statement `st` has an `Action` (not `NotAction`) pattern covering `action_lower`.
pub(crate) fn covers(st: &Statement, action_lower: &str) -> bool {
    match &st.action {
        Some(ActionBlock::Action(list)) => list
            .node
            .iter()
            .any(|a| action_matches(&a.node, action_lower)),
        Some(ActionBlock::NotAction(list)) => !list
            .node
            .iter()
            .any(|a| action_matches(&a.node, action_lower)),
        None => false,
    }
}

/// The span of the action pattern in `st` that covers `action_lower` (the `NotAction` element
/// when the statement uses one).
pub(crate) fn action_span(st: &Statement, action_lower: &str) -> Option<Span> {
    match &st.action {
        Some(ActionBlock::Action(list)) => list
            .node
            .iter()
            .find(|a| action_matches(&a.node, action_lower))
            .map(|a| a.span),
        Some(ActionBlock::NotAction(list)) => Some(list.span),
        None => None,
    }
}

/// Every `"AWS"` principal value of every `Allow` statement's `Principal` element (not
/// `NotPrincipal`), with its statement.
pub(crate) fn aws_principals(
    policy: &Policy,
) -> impl Iterator<Item = (&Spanned<Statement>, &Spanned<AwsPrincipal>)> {
    policy
        .statements
        .iter()
        .filter(|s| s.node.effect.node == Effect::Allow)
        .filter_map(|s| match &s.node.principal {
            Some(PrincipalBlock::Principal(p)) => match &p.node {
                Principals::Map(entries) => Some((s, entries)),
                Principals::Any => None,
            },
            _ => None,
        })
        .flat_map(|(s, entries)| {
            entries.iter().flat_map(move |e| match e {
                PrincipalEntry::Aws(list) => list.node.iter().map(move |p| (s, p)).collect(),
                _ => Vec::new(),
            })
        })
}

/// Whether `st` is a key-administrator statement: an `Allow` whose `Action` list covers a
/// management action and no cryptographic action (the console's "Allow access for Key
/// Administrators", kms.md §8.5).
pub(crate) fn is_admin_statement(st: &Statement) -> bool {
    st.effect.node == Effect::Allow
        && matches!(st.action, Some(ActionBlock::Action(_)))
        && MANAGEMENT_ACTIONS
            .iter()
            .any(|a| covers(st, &a.to_ascii_lowercase()))
        && !CRYPTO_ACTIONS.iter().any(|a| covers(st, a))
}

/// The span of the principal value `text` in `st`'s principal element, else the element.
pub(crate) fn principal_span(st: &Statement, text: &str) -> Option<Span> {
    let p = st.principal.as_ref()?.principals();
    let found = match &p.node {
        Principals::Any => None,
        Principals::Map(entries) => entries.iter().find_map(|e| match e {
            PrincipalEntry::Aws(list) => list
                .node
                .iter()
                .find(|a| a.node.text == text)
                .map(|a| a.span),
            PrincipalEntry::Service(list) => {
                list.node.iter().find(|a| a.node == text).map(|a| a.span)
            }
            _ => None,
        }),
    };
    Some(found.unwrap_or(p.span))
}

/// A caller the rules ask about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subject {
    /// The caller ARN (or service name).
    caller: String,
    /// `aws:PrincipalArn` for role sessions (keeps the role's path).
    principal_arn: Option<String>,
    /// How the policy names it (for messages and labels).
    pub(crate) text: String,
}

impl Subject {
    /// The root user of `account`.
    pub(crate) fn root(account: &str) -> Self {
        let arn = format!("arn:aws:iam::{account}:root");
        Self {
            caller: arn.clone(),
            principal_arn: None,
            text: arn,
        }
    }

    /// An unnamed role session of `account` (stands for "any principal of the account").
    pub(crate) fn member(account: &str) -> Self {
        Self {
            caller: format!("arn:aws:sts::{account}:assumed-role/KmsguardProbe/probe"),
            principal_arn: None,
            text: "*".to_owned(),
        }
    }

    /// An AWS service principal.
    pub(crate) fn service(name: &str) -> Self {
        Self {
            caller: name.to_owned(),
            principal_arn: None,
            text: name.to_owned(),
        }
    }

    /// A caller that the principal value `p` covers: a session of a named role, the named
    /// user or session, or an unnamed role session of a named account. `None` for wildcards,
    /// unique ids and invalid values.
    pub(crate) fn named(p: &AwsPrincipal) -> Option<Self> {
        let (caller, principal_arn) = match &p.form {
            PrincipalForm::Account { account, .. } => (
                format!("arn:aws:sts::{account}:assumed-role/KmsguardProbe/probe"),
                None,
            ),
            PrincipalForm::Role {
                partition,
                account,
                name,
                ..
            } => (
                format!("arn:{partition}:sts::{account}:assumed-role/{name}/kmsguard-probe"),
                Some(p.text.clone()),
            ),
            PrincipalForm::User { .. }
            | PrincipalForm::AssumedRole { .. }
            | PrincipalForm::FederatedUser { .. } => (p.text.clone(), None),
            _ => return None,
        };
        Some(Self {
            caller,
            principal_arn,
            text: p.text.clone(),
        })
    }
}

/// What the probed callers have on their own (IAM) side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IamSide {
    /// No identity policy: only the key policy can allow ("the key policy alone").
    None,
    /// An identity policy allowing everything: the caller's account grants whatever the key
    /// policy delegates (a stranger controls its own account; an owner's admin can grant it).
    AllowAll,
}

/// Whether probes honour kms.md §8.7 (admin actions do not work across accounts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CrossAccount {
    /// As AWS does.
    Enforced,
    /// Report what the key policy grants even where AWS would not honour it.
    Ignored,
}

/// Extra request context for a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ask<'a> {
    /// A direct call with no optional keys (no `kms:ViaService`, no encryption context).
    Plain,
    /// `CreateGrant` for every grant operation, to a stranger, made directly (not for an AWS
    /// resource): allowed only when nothing limits grant creation (grants.md §6).
    UnlimitedGrant,
    /// A call by a service principal on behalf of a stranger's resource (confused deputy,
    /// scenarios.md §6): `aws:SourceAccount`/`aws:SourceArn`/`aws:SourceOrgID` name a stranger.
    ForStranger(&'a str),
}

/// The key policy compiled once, with the owner account and a key ARN, for repeated questions.
pub(crate) struct KeyProbe {
    owner: String,
    key: String,
    set: PolicySet,
    statements: Vec<Spanned<Statement>>,
}

impl KeyProbe {
    /// Compiles `policy` for probing.
    pub(crate) fn new(policy: &Policy, iam: IamSide, cross: CrossAccount) -> Self {
        let owner = owner_account(policy);
        let key = format!("arn:aws:kms:us-east-1:{owner}:key/00000000-0000-0000-0000-000000000000");
        let source = PolicySource::new("key policy", policy.clone(), false);
        let mut builder = PolicySet::builder()
            .resource_policy(&source)
            .options(Options {
                enforce_cross_account_actions: cross == CrossAccount::Enforced,
                ..Options::default()
            });
        if iam == IamSide::AllowAll {
            let mut diags = Vec::new();
            if let Ok(own) = PolicySource::parse(
                "caller identity",
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
                PolicyKind::Identity,
                &mut diags,
            ) {
                builder = builder.identity_policy(&own);
            }
        }
        Self {
            owner,
            key,
            set: builder.build(),
            statements: policy.statements.clone(),
        }
    }

    /// The key owner's account.
    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    fn request(&self, who: &Subject, action: &str, ask: Ask<'_>) -> Option<Request> {
        let mut ctx = RequestContext::new();
        if let Some(arn) = &who.principal_arn {
            ctx.insert("aws:PrincipalArn", ContextValue::Single(arn.clone()));
        }
        match ask {
            Ask::Plain => {}
            Ask::UnlimitedGrant => {
                ctx.insert(
                    "kms:GrantOperations",
                    ContextValue::Multi(
                        GrantOperation::ALL
                            .iter()
                            .map(|o| o.name().to_owned())
                            .collect(),
                    ),
                );
                ctx.insert(
                    "kms:GranteePrincipal",
                    ContextValue::Single(STRANGER_GRANTEE.to_owned()),
                );
            }
            Ask::ForStranger(service) => {
                let svc = service.split('.').next().unwrap_or(service);
                for (k, v) in [
                    ("aws:SourceAccount", "999988887777".to_owned()),
                    (
                        "aws:SourceArn",
                        format!("arn:aws:{svc}:us-east-1:999988887777:kmsguard-probe"),
                    ),
                    ("aws:SourceOrgID", "o-kmsguardprobe".to_owned()),
                ] {
                    ctx.insert(k, ContextValue::Single(v));
                }
                ctx.insert(
                    "aws:SourceOrgPaths",
                    ContextValue::Multi(vec!["o-kmsguardprobe/r-prob/ou-prob-probe/".to_owned()]),
                );
            }
        }
        let mut req = Request::new(&who.caller, action, &self.key, Some(&self.owner), ctx).ok()?;
        derive_caller_keys(&req.caller.clone(), &mut req.context);
        Some(req)
    }

    /// The decision for `who` calling `action` on the key.
    pub(crate) fn decide(&self, who: &Subject, action: &str, ask: Ask<'_>) -> Decision {
        self.request(who, action, ask)
            .map_or(Decision::Indeterminate, |r| self.set.decide(&r))
    }

    /// Whether `who` is allowed `action`.
    pub(crate) fn allowed(&self, who: &Subject, action: &str, ask: Ask<'_>) -> bool {
        self.decide(who, action, ask) == Decision::Allow
    }

    /// The indices of the key-policy statements that allow `who` to call `action` (empty when
    /// the request is not allowed).
    pub(crate) fn allowing(&self, who: &Subject, action: &str, ask: Ask<'_>) -> Vec<usize> {
        let Some(req) = self.request(who, action, ask) else {
            return Vec::new();
        };
        let ex = self.set.explain(&req);
        if ex.decision != Decision::Allow {
            return Vec::new();
        }
        // The root delegation statement also matches a named role of the account (it is
        // reported as applicable), but it only delegates to IAM: keep the statements that name
        // the subject itself.
        ex.layer(Layer::KeyPolicy)
            .map(|l| {
                l.decisive
                    .iter()
                    .filter(|s| {
                        policy_statement(&self.statements, s.index)
                            .is_none_or(|st| names(st, &who.text))
                    })
                    .map(|s| s.index)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn policy_statement(statements: &[Spanned<Statement>], index: usize) -> Option<&Statement> {
    statements
        .iter()
        .find(|s| s.node.index == index)
        .map(|s| &s.node)
}

/// Whether `st`'s principal element names `text` itself, or everyone (`"*"`, `NotPrincipal`).
fn names(st: &Statement, text: &str) -> bool {
    let Some(block) = &st.principal else {
        return false;
    };
    if block.is_not() {
        return true;
    }
    match &block.principals().node {
        Principals::Any => true,
        Principals::Map(entries) => entries.iter().any(|e| match e {
            PrincipalEntry::Aws(list) => list
                .node
                .iter()
                .any(|a| a.node.text == text || a.node.form == PrincipalForm::Any),
            PrincipalEntry::Service(list) => list.node.iter().any(|a| a.node == text),
            _ => false,
        }),
    }
}

/// The distinct principals (by text) that `Allow` statements name, in order, with the
/// statements naming each.
pub(crate) fn distinct_named(policy: &Policy) -> Vec<(&AwsPrincipal, Vec<&Spanned<Statement>>)> {
    let mut out: Vec<(&AwsPrincipal, Vec<&Spanned<Statement>>)> = Vec::new();
    for (st, p) in aws_principals(policy) {
        if let Some((_, sts)) = out.iter_mut().find(|(q, _)| q.text == p.node.text) {
            if !sts.iter().any(|s| s.node.index == st.node.index) {
                sts.push(st);
            }
        } else {
            out.push((&p.node, vec![st]));
        }
    }
    out
}

/// Joins items as `` `a`, `b` ``.
pub(crate) fn ticked<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|a| format!("`{}`", a.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement with index `index`.
pub(crate) fn statement(policy: &Policy, index: usize) -> Option<&Spanned<Statement>> {
    policy.statements.iter().find(|s| s.node.index == index)
}

/// A one-character span at the start of `st` (when nothing smaller fits).
pub(crate) fn statement_start(st: &Spanned<Statement>) -> Span {
    let at = st.span.start as usize;
    Span::new(at, at.saturating_add(1))
}

/// Whether an `Allow` statement names every principal (`"*"` or `{"AWS": "*"}`), so that an
/// unnamed member of the owner's account is worth asking about.
fn has_wildcard_allow(policy: &Policy) -> bool {
    policy.statements.iter().any(|s| {
        s.node.effect.node == Effect::Allow
            && match &s.node.principal {
                Some(PrincipalBlock::Principal(p)) => match &p.node {
                    Principals::Any => true,
                    Principals::Map(entries) => entries.iter().any(|e| match e {
                        PrincipalEntry::Aws(list) => {
                            list.node.iter().any(|a| a.node.form == PrincipalForm::Any)
                        }
                        _ => false,
                    }),
                },
                _ => false,
            }
    })
}

/// The callers of the owner's account that the policy names other than the account itself:
/// named users, roles and sessions, plus an unnamed member when a wildcard principal admits
/// the whole world (and conditions may pin it to the account). When the owner's account is
/// unknown until deploy ([`known_owner_account`]), no named principal is known to be local.
pub(crate) fn local_subjects(policy: &Policy) -> Vec<Subject> {
    let owner = known_owner_account(policy);
    let mut out: Vec<Subject> = distinct_named(policy)
        .into_iter()
        .filter(|(p, _)| {
            owner.is_some()
                && p.form.account() == owner.as_deref()
                && !matches!(p.form, PrincipalForm::Account { .. })
        })
        .filter_map(|(p, _)| Subject::named(p))
        .collect();
    if has_wildcard_allow(policy) {
        out.push(Subject::member(
            &owner.unwrap_or_else(|| owner_account(policy)),
        ));
    }
    out
}

/// Literal principal ARNs that conditions on `aws:PrincipalArn` name (often the only place an
/// exempted administrator appears, in a `Deny` with `ArnNotEquals`).
pub(crate) fn condition_principals(policy: &Policy) -> Vec<AwsPrincipal> {
    let mut out: Vec<AwsPrincipal> = Vec::new();
    for st in &policy.statements {
        for c in &st.node.conditions {
            if c.key.node.lower() != "aws:principalarn" {
                continue;
            }
            for v in &c.values.node {
                let mut parts = v.node.template.parts();
                if let (1, Some(kmsguard_syntax::ast::TemplatePart::Literal(text))) =
                    (parts.len(), parts.next())
                {
                    let p = AwsPrincipal::parse(text);
                    if !out.iter().any(|q| q.text == p.text) {
                        out.push(p);
                    }
                }
            }
        }
    }
    out
}
