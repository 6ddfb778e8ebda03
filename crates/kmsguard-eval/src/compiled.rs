//! Compile-once policy sets: every policy of one authorization question (key or other
//! resource policy, identity policies, boundary, session policy, SCP levels, RCP levels, KMS
//! grants) compiled into matchers, then decided for any number of requests. Owned by the
//! decision layer.
//!
//! The algorithm is evaluation.md D14 (with D5, D9–D12) and kms.md §8.8, evaluated in
//! three-valued logic so that an unevaluable statement yields [`Decision::Indeterminate`] only
//! when it could change the outcome. [`PolicySet::decide`] allocates nothing unless a
//! condition cannot be evaluated; [`PolicySet::explain`] records the reasons.

use std::fmt;
use std::sync::Arc;

use kmsguard_syntax::ast::{ActionBlock, Effect, Grant, Policy, PolicyKind, ResourceBlock};
use kmsguard_syntax::{Diagnostic, Severity, Span};

use crate::arn::ArnMatcher;
use crate::condition::{CompiledCondition, Truth, eval_all};
use crate::decision::{
    Decision, Explanation, Failure, Layer, LayerReport, NearMiss, StatementRef, Tri, Verdict,
};
use crate::grant::{CompiledGrant, GranteeMatch};
use crate::kms;
use crate::pattern::ActionMatcher;
use crate::principal::{CompiledPrincipals, PrincipalMatch};
use crate::request::{CallerKind, Request};

/// A policy document ready to be compiled, with a label for explanations and whether reading
/// it produced error-level diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySource {
    /// A name for explanations (file name, policy name, `identity[0]`).
    pub label: String,
    /// The lowered policy.
    pub policy: Policy,
    /// Whether lowering reported an error. Such a policy never yields a confident Allow: AWS
    /// would have rejected it, so what it stands for is unknown.
    pub has_errors: bool,
}

/// Why a policy text could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The policy's label.
    pub label: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.message)
    }
}

impl std::error::Error for LoadError {}

impl PolicySource {
    /// Wraps an already lowered policy.
    #[must_use]
    pub fn new(label: impl Into<String>, policy: Policy, has_errors: bool) -> Self {
        Self {
            label: label.into(),
            policy,
            has_errors,
        }
    }

    /// Reads policy JSON `text` as a policy of `kind`, appending its diagnostics to `diags`.
    ///
    /// # Errors
    /// The text is not JSON, or not a JSON object.
    pub fn parse(
        label: impl Into<String>,
        text: &str,
        kind: PolicyKind,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Self, LoadError> {
        let label = label.into();
        let node =
            kmsguard_syntax::json::parse(text, &Default::default()).map_err(|e| LoadError {
                label: label.clone(),
                message: format!("{e:?}"),
            })?;
        let before = diags.len();
        let policy =
            kmsguard_syntax::lower::policy(&node, kind, diags).ok_or_else(|| LoadError {
                label: label.clone(),
                message: "a policy must be a JSON object".to_owned(),
            })?;
        let has_errors = diags
            .iter()
            .skip(before)
            .any(|d| d.severity == Severity::Error);
        Ok(Self {
            label,
            policy,
            has_errors,
        })
    }
}

/// Where a statement check stopped (allocation-free form of [`Failure`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Miss {
    Principal,
    Action,
    Resource,
    Condition(usize),
}

/// Result of matching one statement.
#[derive(Debug)]
enum Outcome {
    Applies(PrincipalMatch),
    Miss(Miss),
    /// Could not be decided; the principal matched as given.
    Unknown(PrincipalMatch, String),
}

#[derive(Clone, Debug)]
struct CompiledStatement {
    sid: Option<String>,
    index: usize,
    span: Span,
    effect: Effect,
    principal: Option<CompiledPrincipals>,
    /// `(is NotAction, patterns)`; `None`: no `Action` element (inert, kms.md §8.1).
    actions: Option<(bool, Vec<ActionMatcher>)>,
    /// Some action pattern holds a placeholder (unknown until deploy).
    action_unknown: bool,
    /// `(is NotResource, matchers)`; `None`: no `Resource` element.
    resources: Option<(bool, Vec<ArnMatcher>)>,
    conditions: Vec<CompiledCondition>,
}

impl CompiledStatement {
    fn matches_action(&self, action_lower: &str) -> bool {
        match &self.actions {
            None => false,
            Some((negated, pats)) => {
                let hit = pats.iter().any(|p| p.matches(action_lower));
                hit != *negated
            }
        }
    }

    /// Part C: principal, action, resource, conditions.
    fn eval(
        &self,
        req: &Request,
        with_principal: bool,
        missing_resource_matches: bool,
        has_boundary: bool,
    ) -> Outcome {
        // A placeholder (a value unknown until deploy, `kmsguard_syntax::unknown`) makes the
        // element it sits in undecidable: the statement may or may not apply.
        let mut unknown: Option<String> = None;
        if let Some((negated, _)) = &self.actions {
            let hit = self.matches_action(&req.action_lower);
            if self.action_unknown && (*negated || !hit) {
                unknown = Some(UNKNOWN_ACTION.to_owned());
            } else if !hit {
                return Outcome::Miss(Miss::Action);
            }
        } else {
            return Outcome::Miss(Miss::Action);
        }
        let m = if with_principal {
            match &self.principal {
                // Part C.1: a resource-policy statement without a principal matches nobody.
                None => return Outcome::Miss(Miss::Principal),
                Some(p) if p.is_not() => {
                    // A7.7: NotPrincipal + Deny always applies to a caller with a permissions
                    // boundary (FORMAT.md rule 1); NotPrincipal + Allow is unsupported by
                    // current AWS docs — safe reading: it never grants.
                    if self.effect == Effect::Allow {
                        return Outcome::Miss(Miss::Principal);
                    }
                    if has_boundary || p.not_principal_applies(&req.caller) {
                        if p.has_unknown() && !has_boundary {
                            // The unknown entry may list the caller, who would then escape.
                            unknown = Some(UNKNOWN_PRINCIPAL.to_owned());
                        }
                        PrincipalMatch::Star
                    } else {
                        return Outcome::Miss(Miss::Principal);
                    }
                }
                Some(p) => match p.best_match(&req.caller) {
                    Some(m) => m,
                    None if p.has_unknown() => {
                        // It may name the caller in any way; count it as the strongest match
                        // so that nothing is concluded from its absence.
                        unknown = Some(UNKNOWN_PRINCIPAL.to_owned());
                        PrincipalMatch::Direct
                    }
                    None => return Outcome::Miss(Miss::Principal),
                },
            }
        } else {
            // Identity, boundary, session and SCP statements apply to the principal they are
            // attached to (Part C.1).
            PrincipalMatch::Direct
        };
        match &self.resources {
            // Part C.3: in generic resource policies and trust policies a missing `Resource`
            // means the attached resource; key-policy statements without it never apply;
            // other kinds require the element (the lowering reports its absence).
            None if missing_resource_matches => {}
            None => return Outcome::Miss(Miss::Resource),
            Some((negated, ms)) => {
                let mut hit = Tri::No;
                for matcher in ms {
                    match matcher.matches(&req.resource, &req.context) {
                        Truth::True => {
                            hit = Tri::Yes;
                            break;
                        }
                        Truth::False => {}
                        Truth::Unknown(why) => {
                            hit = hit.or(Tri::Maybe);
                            unknown = Some(why);
                        }
                    }
                }
                let covered = if *negated {
                    match hit {
                        Tri::Yes => Tri::No,
                        Tri::No => Tri::Yes,
                        Tri::Maybe => Tri::Maybe,
                    }
                } else {
                    hit
                };
                if covered == Tri::No {
                    return Outcome::Miss(Miss::Resource);
                }
            }
        }
        match eval_all(&self.conditions, &req.context) {
            (Truth::True, _) => {}
            (Truth::False, i) => return Outcome::Miss(Miss::Condition(i.unwrap_or(0))),
            (Truth::Unknown(why), _) => return Outcome::Unknown(m, why),
        }
        match unknown {
            Some(why) => Outcome::Unknown(m, why),
            None => Outcome::Applies(m),
        }
    }
}

const UNKNOWN_ACTION: &str = "an action in this statement is unknown until deploy";
const UNKNOWN_PRINCIPAL: &str = "a principal in this statement is unknown until deploy";

/// One compiled policy. Compile it once with [`CompiledPolicy::new`] and share it between
/// policy sets with the `*_compiled` builder methods (who-can asks the same key policy about
/// thousands of principals).
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    label: String,
    kind: PolicyKind,
    has_errors: bool,
    statements: Vec<CompiledStatement>,
}

impl CompiledPolicy {
    /// Compiles a policy for sharing.
    #[must_use]
    pub fn new(src: &PolicySource) -> Arc<Self> {
        Arc::new(Self::compile(src))
    }

    /// Compiles a lowered policy for sharing, like [`CompiledPolicy::new`] without first
    /// copying it into a [`PolicySource`].
    #[must_use]
    pub fn of(label: &str, policy: &Policy, has_errors: bool) -> Arc<Self> {
        Arc::new(Self::compile_parts(label, policy, has_errors))
    }

    fn compile(src: &PolicySource) -> Self {
        Self::compile_parts(&src.label, &src.policy, src.has_errors)
    }

    fn compile_parts(label: &str, policy: &Policy, has_errors: bool) -> Self {
        let variables = policy.variables_enabled();
        let statements = policy
            .statements
            .iter()
            .map(|s| {
                let st = &s.node;
                CompiledStatement {
                    sid: st.sid.as_ref().map(|s| s.node.clone()),
                    index: st.index,
                    span: s.span,
                    effect: st.effect.node,
                    principal: st.principal.as_ref().map(CompiledPrincipals::compile),
                    action_unknown: st.action.as_ref().is_some_and(|a| {
                        a.patterns()
                            .node
                            .iter()
                            .any(|p| kmsguard_syntax::unknown::contains(p.node.text()))
                    }),
                    actions: st.action.as_ref().map(|a| {
                        (
                            matches!(a, ActionBlock::NotAction(_)),
                            a.patterns()
                                .node
                                .iter()
                                .map(|p| ActionMatcher::compile(&p.node))
                                .collect(),
                        )
                    }),
                    resources: st.resource.as_ref().map(|r| {
                        (
                            matches!(r, ResourceBlock::NotResource(_)),
                            r.patterns()
                                .node
                                .iter()
                                .map(|p| ArnMatcher::compile(&p.node, variables))
                                .collect(),
                        )
                    }),
                    conditions: st
                        .conditions
                        .iter()
                        .map(|c| CompiledCondition::compile(c, variables))
                        .collect(),
                }
            })
            .collect();
        Self {
            label: label.to_owned(),
            kind: policy.kind,
            has_errors,
            statements,
        }
    }

    fn with_principal(&self) -> bool {
        !self.kind.forbids_principal()
    }
}

/// What one policy (or layer of policies) says about a request, per way of naming the caller.
#[derive(Clone, Copy, Debug)]
struct Classes {
    deny: Tri,
    /// Allows naming the caller directly, or `"*"`.
    direct: Tri,
    /// Allows through the role ARN / parent user ARN (D5).
    via_entity: Tri,
    /// Allows through the caller's account (delegation, D5/kms.md §8.3).
    account: Tri,
    /// Allows naming the calling service principal.
    service: Tri,
    /// Allows through `"*"` (kept apart because services and anonymous callers treat it
    /// differently).
    star: Tri,
}

impl Classes {
    const NONE: Self = Self {
        deny: Tri::No,
        direct: Tri::No,
        via_entity: Tri::No,
        account: Tri::No,
        service: Tri::No,
        star: Tri::No,
    };

    fn add_allow(&mut self, m: PrincipalMatch, t: Tri) {
        let slot = match m {
            PrincipalMatch::Direct => &mut self.direct,
            PrincipalMatch::Star => &mut self.star,
            PrincipalMatch::ViaRole | PrincipalMatch::ViaParentUser => &mut self.via_entity,
            PrincipalMatch::Account => &mut self.account,
            PrincipalMatch::Service => &mut self.service,
        };
        *slot = slot.or(t);
    }

    /// Any allow (for policies without principals all allows are `direct`).
    fn any_allow(&self) -> Tri {
        self.direct
            .or(self.star)
            .or(self.via_entity)
            .or(self.account)
            .or(self.service)
    }

    fn merge(&mut self, o: &Self) {
        self.deny = self.deny.or(o.deny);
        self.direct = self.direct.or(o.direct);
        self.star = self.star.or(o.star);
        self.via_entity = self.via_entity.or(o.via_entity);
        self.account = self.account.or(o.account);
        self.service = self.service.or(o.service);
    }
}

fn statement_ref(layer: Layer, p: &CompiledPolicy, s: &CompiledStatement) -> StatementRef {
    StatementRef {
        layer,
        policy: p.label.clone(),
        sid: s.sid.clone(),
        index: s.index,
        span: s.span,
        effect: s.effect,
    }
}

fn eval_policy(
    p: &CompiledPolicy,
    layer: Layer,
    req: &Request,
    has_boundary: bool,
    mut report: Option<&mut LayerReport>,
) -> Classes {
    let mut c = Classes::NONE;
    let with_principal = p.with_principal();
    let missing_resource_matches = matches!(p.kind, PolicyKind::Resource | PolicyKind::Trust);
    for s in &p.statements {
        let outcome = s.eval(req, with_principal, missing_resource_matches, has_boundary);
        let (m, t) = match &outcome {
            Outcome::Applies(m) => (*m, Tri::Yes),
            Outcome::Unknown(m, _) => (*m, Tri::Maybe),
            Outcome::Miss(_) => (PrincipalMatch::Direct, Tri::No),
        };
        match s.effect {
            Effect::Deny => c.deny = c.deny.or(t),
            Effect::Allow => c.add_allow(m, t),
        }
        if let Some(rep) = report.as_deref_mut() {
            match outcome {
                Outcome::Applies(_) => rep.decisive.push(statement_ref(layer, p, s)),
                Outcome::Miss(Miss::Action) => {}
                Outcome::Miss(miss) => rep.near_misses.push(NearMiss {
                    statement: statement_ref(layer, p, s),
                    failed: match miss {
                        Miss::Principal => Failure::Principal,
                        Miss::Resource => Failure::Resource,
                        Miss::Action => Failure::Action,
                        Miss::Condition(i) => Failure::Condition {
                            index: i,
                            key: s
                                .conditions
                                .get(i)
                                .map(|c| c.key().to_owned())
                                .unwrap_or_default(),
                        },
                    },
                }),
                Outcome::Unknown(_, why) => rep.near_misses.push(NearMiss {
                    statement: statement_ref(layer, p, s),
                    failed: Failure::Unknown(why),
                }),
            }
        }
    }
    c
}

/// Options for facts the policies alone do not carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The caller's account is the organization's management account: SCPs do not apply
    /// (D3).
    pub principal_in_management_account: bool,
    /// The resource's account is the management account, or the key is an AWS managed key:
    /// RCPs do not apply (D4, D11.10).
    pub rcps_exempt: bool,
    /// Enforce kms.md §8.7: key actions outside the documented cross-account list are
    /// ineffective for principals of another account.
    pub enforce_cross_account_actions: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            principal_in_management_account: false,
            rcps_exempt: false,
            enforce_cross_account_actions: true,
        }
    }
}

/// Builds a [`PolicySet`].
#[derive(Debug, Default)]
pub struct PolicySetBuilder {
    resource: Option<Arc<CompiledPolicy>>,
    vpc_endpoint: Option<Arc<CompiledPolicy>>,
    identity: Vec<Arc<CompiledPolicy>>,
    boundary: Option<Arc<CompiledPolicy>>,
    session: Option<Arc<CompiledPolicy>>,
    scps: Vec<Arc<[CompiledPolicy]>>,
    rcps: Vec<Arc<[CompiledPolicy]>>,
    grants: Vec<CompiledGrant>,
    shared_grants: Option<Arc<[CompiledGrant]>>,
    options: Options,
}

impl PolicySetBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource policy: a KMS key policy (kind `Key`), a role trust policy (`Trust`) or
    /// another service's resource policy (`Resource`).
    #[must_use]
    pub fn resource_policy(mut self, p: &PolicySource) -> Self {
        self.resource = Some(CompiledPolicy::new(p));
        self
    }

    /// The policy of the VPC endpoint the request goes through (D13). Leave it out for requests
    /// that do not use an endpoint, or whose endpoint has the default (allow-all) policy.
    #[must_use]
    pub fn vpc_endpoint_policy(mut self, p: &PolicySource) -> Self {
        self.vpc_endpoint = Some(CompiledPolicy::new(p));
        self
    }

    /// Adds one identity-based policy of the caller.
    #[must_use]
    pub fn identity_policy(mut self, p: &PolicySource) -> Self {
        self.identity.push(CompiledPolicy::new(p));
        self
    }

    /// Sets the caller's permissions boundary.
    #[must_use]
    pub fn boundary(mut self, p: &PolicySource) -> Self {
        self.boundary = Some(CompiledPolicy::new(p));
        self
    }

    /// Sets the session policy.
    #[must_use]
    pub fn session_policy(mut self, p: &PolicySource) -> Self {
        self.session = Some(CompiledPolicy::new(p));
        self
    }

    /// Adds one SCP level (root first): every SCP attached at that level.
    #[must_use]
    pub fn scp_level(mut self, level: &[PolicySource]) -> Self {
        self.scps.push(
            level
                .iter()
                .map(CompiledPolicy::compile)
                .collect::<Vec<_>>()
                .into(),
        );
        self
    }

    /// Adds one RCP level (root first): the custom RCPs attached there (`RCPFullAWSAccess` is
    /// implicit at every level, FORMAT.md).
    #[must_use]
    pub fn rcp_level(mut self, level: &[PolicySource]) -> Self {
        self.rcps.push(
            level
                .iter()
                .map(CompiledPolicy::compile)
                .collect::<Vec<_>>()
                .into(),
        );
        self
    }

    /// Adds a KMS grant on the key.
    #[must_use]
    pub fn grant(mut self, g: &Grant) -> Self {
        let n = self.grants.len();
        self.grants.push(CompiledGrant::compile(g, n));
        self
    }

    /// Sets the key policy from an already compiled one (see [`CompiledPolicy::new`]).
    #[must_use]
    pub fn resource_compiled(mut self, p: Arc<CompiledPolicy>) -> Self {
        self.resource = Some(p);
        self
    }

    /// Adds an already compiled identity-based policy of the caller.
    #[must_use]
    pub fn identity_compiled(mut self, p: Arc<CompiledPolicy>) -> Self {
        self.identity.push(p);
        self
    }

    /// Sets an already compiled permissions boundary.
    #[must_use]
    pub fn boundary_compiled(mut self, p: Arc<CompiledPolicy>) -> Self {
        self.boundary = Some(p);
        self
    }

    /// Uses the grants of another policy set (the same key), replacing any added with
    /// [`PolicySetBuilder::grant`].
    #[must_use]
    pub fn grants_of(mut self, other: &PolicySet) -> Self {
        self.shared_grants = Some(Arc::clone(&other.grants));
        self
    }

    /// Sets the options.
    #[must_use]
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Finishes.
    #[must_use]
    pub fn build(self) -> PolicySet {
        let all = self
            .resource
            .iter()
            .chain(&self.identity)
            .chain(&self.boundary)
            .chain(&self.session)
            .chain(&self.vpc_endpoint)
            .map(|p| &**p)
            .chain(self.scps.iter().flat_map(|l| l.iter()))
            .chain(self.rcps.iter().flat_map(|l| l.iter()));
        let invalid = all
            .filter(|p| p.has_errors)
            .map(|p| p.label.clone())
            .collect();
        PolicySet {
            resource: self.resource,
            vpc_endpoint: self.vpc_endpoint,
            identity: self.identity,
            boundary: self.boundary,
            session: self.session,
            scps: self.scps,
            rcps: self.rcps,
            grants: self.shared_grants.unwrap_or_else(|| self.grants.into()),
            options: self.options,
            invalid,
        }
    }
}

/// Every policy of one authorization question, compiled once (see module docs).
#[derive(Debug)]
pub struct PolicySet {
    resource: Option<Arc<CompiledPolicy>>,
    vpc_endpoint: Option<Arc<CompiledPolicy>>,
    identity: Vec<Arc<CompiledPolicy>>,
    boundary: Option<Arc<CompiledPolicy>>,
    session: Option<Arc<CompiledPolicy>>,
    scps: Vec<Arc<[CompiledPolicy]>>,
    rcps: Vec<Arc<[CompiledPolicy]>>,
    grants: Arc<[CompiledGrant]>,
    options: Options,
    invalid: Vec<String>,
}

/// The name the rest of the tool uses for a compiled policy set.
pub type Authorizer = PolicySet;

/// Collects reports when explaining; does nothing when deciding.
struct Trace<'a> {
    ex: Option<&'a mut Explanation>,
}

impl Trace<'_> {
    fn report(&mut self, layer: Layer) -> Option<&mut LayerReport> {
        let ex = self.ex.as_deref_mut()?;
        ex.layers.push(LayerReport {
            layer,
            verdict: Verdict::NoMatch,
            decisive: Vec::new(),
            near_misses: Vec::new(),
        });
        ex.layers.last_mut()
    }

    fn set_verdict(&mut self, layer: Layer, c: &Classes, counts: Tri) {
        if let Some(ex) = self.ex.as_deref_mut() {
            if let Some(rep) = ex.layers.iter_mut().rev().find(|r| r.layer == layer) {
                rep.verdict = match (c.deny, counts) {
                    (Tri::Yes, _) => Verdict::Deny,
                    (Tri::Maybe, _) | (_, Tri::Maybe) => Verdict::Unknown,
                    (Tri::No, Tri::Yes) => Verdict::Allow,
                    (Tri::No, Tri::No) => Verdict::NoMatch,
                };
                // Keep only the statements that carry the verdict.
                let want = if rep.verdict == Verdict::Deny {
                    Effect::Deny
                } else {
                    Effect::Allow
                };
                rep.decisive.retain(|s| s.effect == want);
            }
        }
    }

    fn not_applicable(&mut self, layer: Layer) {
        if let Some(rep) = self.report(layer) {
            rep.verdict = Verdict::NotApplicable;
        }
    }

    fn note(&mut self, f: impl FnOnce() -> String) {
        if let Some(ex) = self.ex.as_deref_mut() {
            ex.notes.push(f());
        }
    }
}

impl PolicySet {
    /// A builder.
    #[must_use]
    pub fn builder() -> PolicySetBuilder {
        PolicySetBuilder::new()
    }

    /// Labels of the policies that had error-level diagnostics.
    #[must_use]
    pub fn invalid_policies(&self) -> &[String] {
        &self.invalid
    }

    /// Decides `req`.
    #[must_use]
    pub fn decide(&self, req: &Request) -> Decision {
        self.run(req, &mut Trace { ex: None })
    }

    /// Decides `req` and says why.
    #[must_use]
    pub fn explain(&self, req: &Request) -> Explanation {
        let mut ex = Explanation {
            decision: Decision::Indeterminate,
            layers: Vec::new(),
            notes: Vec::new(),
        };
        let d = self.run(req, &mut Trace { ex: Some(&mut ex) });
        ex.decision = d;
        ex
    }

    fn layer(
        p: &CompiledPolicy,
        layer: Layer,
        req: &Request,
        has_boundary: bool,
        trace: &mut Trace<'_>,
    ) -> Classes {
        eval_policy(p, layer, req, has_boundary, trace.report(layer))
    }

    /// A layer that is present only for some callers (a boundary for IAM users and roles, a
    /// session policy for sessions): its classes when it `applies`, else marked not applicable.
    fn optional_layer(
        p: Option<&CompiledPolicy>,
        applies: bool,
        layer: Layer,
        req: &Request,
        has_boundary: bool,
        trace: &mut Trace<'_>,
    ) -> Option<Classes> {
        let p = p?;
        if !applies {
            trace.not_applicable(layer);
            return None;
        }
        let c = Self::layer(p, layer, req, has_boundary, trace);
        trace.set_verdict(layer, &c, c.any_allow());
        Some(c)
    }

    /// One SCP or RCP level: the classes of all its policies merged.
    fn level(
        level: &[CompiledPolicy],
        layer: Layer,
        req: &Request,
        has_boundary: bool,
        trace: &mut Trace<'_>,
    ) -> Classes {
        let mut lc = Classes::NONE;
        let mut rep = trace.report(layer);
        for p in level {
            lc.merge(&eval_policy(
                p,
                layer,
                req,
                has_boundary,
                rep.as_deref_mut(),
            ));
        }
        lc
    }

    #[allow(clippy::too_many_lines)]
    fn run(&self, req: &Request, trace: &mut Trace<'_>) -> Decision {
        let caller = &req.caller;
        let kind = caller.kind;
        let iam = kind.is_iam();
        // Boundaries are set on IAM users and roles (D7).
        let has_boundary = self.boundary.is_some()
            && matches!(
                kind,
                CallerKind::User | CallerKind::RoleSession | CallerKind::FederatedUser
            );
        let resource_kind = self.resource.as_ref().map(|p| p.kind);
        let is_key = req.has_resource()
            && kms::is_kms_action(&req.action_lower)
            && !kms::is_keyless_action(&req.action_lower);

        // Step 1: explicit deny anywhere that applies (D2.1, D14).
        let mut deny = Tri::No;
        let rp = match &self.resource {
            Some(p) => {
                let c = Self::layer(p, Layer::KeyPolicy, req, has_boundary, trace);
                deny = deny.or(c.deny);
                c
            }
            None => Classes::NONE,
        };
        let mut identity = Classes::NONE;
        if iam {
            let mut rep = trace.report(Layer::Identity);
            for p in &self.identity {
                identity.merge(&eval_policy(
                    p,
                    Layer::Identity,
                    req,
                    has_boundary,
                    rep.as_deref_mut(),
                ));
            }
            trace.set_verdict(Layer::Identity, &identity, identity.any_allow());
        } else if !self.identity.is_empty() {
            trace.not_applicable(Layer::Identity);
        }
        deny = deny.or(identity.deny);
        let boundary = Self::optional_layer(
            self.boundary.as_deref(),
            has_boundary,
            Layer::Boundary,
            req,
            has_boundary,
            trace,
        );
        deny = deny.or(boundary.map_or(Tri::No, |c| c.deny));
        let session = Self::optional_layer(
            self.session.as_deref(),
            kind.is_session(),
            Layer::Session,
            req,
            has_boundary,
            trace,
        );
        deny = deny.or(session.map_or(Tri::No, |c| c.deny));
        // D13: the endpoint policy is a gate; its Deny is explicit and it must allow, but it
        // never grants by itself.
        let endpoint_ok = match &self.vpc_endpoint {
            Some(p) => {
                let c = Self::layer(p, Layer::VpcEndpoint, req, has_boundary, trace);
                trace.set_verdict(Layer::VpcEndpoint, &c, c.any_allow());
                deny = deny.or(c.deny);
                c.any_allow()
            }
            None => Tri::Yes,
        };

        // SCPs govern IAM principals of member accounts; not service principals, anonymous
        // callers or the management account (D3).
        let scp_governs =
            iam && !self.scps.is_empty() && !self.options.principal_in_management_account;
        let mut scp_ok = Tri::Yes;
        for (i, level) in self.scps.iter().enumerate() {
            if !scp_governs {
                trace.not_applicable(Layer::Scp(i));
                continue;
            }
            let lc = Self::level(level, Layer::Scp(i), req, has_boundary, trace);
            trace.set_verdict(Layer::Scp(i), &lc, lc.any_allow());
            deny = deny.or(lc.deny);
            scp_ok = scp_ok.and(lc.any_allow());
        }
        // RCPs govern the resource's account whoever calls (D4), with `RCPFullAWSAccess`
        // implicit at every level so each level always has an Allow. For resource-less
        // requests (`kms:CreateKey`) AWS does not say; safe reading: their Deny statements
        // still apply.
        let rcp_governs = !self.rcps.is_empty() && !self.options.rcps_exempt;
        for (i, level) in self.rcps.iter().enumerate() {
            if !rcp_governs {
                trace.not_applicable(Layer::Rcp(i));
                continue;
            }
            let lc = Self::level(level, Layer::Rcp(i), req, has_boundary, trace);
            trace.set_verdict(Layer::Rcp(i), &lc, Tri::Yes);
            deny = deny.or(lc.deny);
        }
        if self.resource.is_some() {
            let counts = rp.any_allow();
            trace.set_verdict(Layer::KeyPolicy, &rp, counts);
        }

        match deny {
            Tri::Yes => {
                trace.note(|| "an applicable Deny statement decides (D2 step 1)".to_owned());
                return Decision::ExplicitDeny;
            }
            Tri::Maybe => {
                trace.note(|| "a Deny statement could not be evaluated and might apply".to_owned());
                return Decision::Indeterminate;
            }
            Tri::No => {}
        }

        // Steps 2–3: guardrails (D2). RCP levels always hold an Allow (implicit
        // RCPFullAWSAccess), so only SCP levels can fail here.
        if scp_ok == Tri::No {
            trace.note(|| "an SCP level has no applicable Allow (D3)".to_owned());
        }

        // The caller-side gates (D5, D7, D8).
        let id_ok = if kind == CallerKind::Root {
            // D12: the root user has implicit full access on its own account's side (the
            // key-policy branch below still requires the key policy to name its account).
            Tri::Yes
        } else if iam {
            identity.any_allow()
        } else {
            Tri::No
        };
        let pb_ok = boundary.map_or(Tri::Yes, |c| c.any_allow());
        let sp_ok = match kind {
            CallerKind::RoleSession => session.map_or(Tri::Yes, |c| c.any_allow()),
            // D2 step 7: federated-user sessions only have what their session policy allows.
            CallerKind::FederatedUser => session.map_or(Tri::No, |c| c.any_allow()),
            _ => Tri::Yes,
        };
        let caps = pb_ok.and(sp_ok);
        let same = req.same_account() || !req.has_resource();

        let grant_ok = if is_key {
            self.grants_allow(req, id_ok, caps, trace)
        } else {
            Tri::No
        };

        let allow = match kind {
            CallerKind::Anonymous => {
                if is_key {
                    // KMS accepts only signed requests: an anonymous caller is never
                    // allowed (D12; safe reading).
                    Tri::No
                } else {
                    rp.direct.or(rp.star)
                }
            }
            CallerKind::Service => {
                if is_key {
                    // FORMAT.md rule 3 / D11: a service principal needs a key-policy
                    // statement naming the service; `"*"` is not read as naming it (safe).
                    rp.service.or(grant_ok)
                } else {
                    rp.service.or(rp.star)
                }
            }
            _ if !req.has_resource() => {
                // Actions without a resource (`kms:CreateKey`, `kms:ListKeys`) are decided by
                // IAM alone (kms.md §8.7).
                id_ok.and(caps)
            }
            _ => {
                let must_grant =
                    is_key || matches!(resource_kind, Some(PolicyKind::Key | PolicyKind::Trust));
                let trust = resource_kind == Some(PolicyKind::Trust);
                let direct = rp.direct.or(rp.star);
                let any_rp = direct.or(rp.via_entity).or(rp.account);
                let policy_allow = if trust && kind == CallerKind::Root {
                    // D10: the root user cannot assume roles.
                    Tri::No
                } else if must_grant {
                    if is_key {
                        trace.note(|| {
                            key_path_note(&KeyPath {
                                same,
                                direct,
                                via_entity: rp.via_entity,
                                account: rp.account,
                                id_ok,
                                caps,
                                caller_account: req.caller.account.as_deref().unwrap_or("?"),
                            })
                        });
                    }
                    // D10/D11: the resource policy itself must allow.
                    let base = if same {
                        direct
                            .or(rp.via_entity.and(caps))
                            .or(rp.account.and(id_ok).and(caps))
                    } else {
                        let crossable = !is_key
                            || !self.options.enforce_cross_account_actions
                            || kms::works_cross_account(&req.action_lower);
                        if !crossable {
                            trace.note(|| {
                                format!(
                                    "{} cannot be used across accounts (kms.md §8.7)",
                                    req.action
                                )
                            });
                        }
                        any_rp.and(id_ok).and(caps).and(Tri::from_bool(crossable))
                    };
                    // D7 recommendation: for role trust policies the boundary always applies.
                    if trust { base.and(pb_ok) } else { base }
                } else if self.resource.is_some() {
                    if same {
                        direct.or(id_ok.or(rp.via_entity).and(caps))
                    } else {
                        any_rp.and(id_ok).and(caps)
                    }
                } else if same {
                    id_ok.and(caps)
                } else {
                    // D9: the resource side has no policy that could allow.
                    Tri::No
                };
                policy_allow.or(grant_ok)
            }
        };

        if endpoint_ok == Tri::No {
            trace.note(|| "the VPC endpoint policy does not allow the request (D13)".to_owned());
        }
        let result = scp_ok.and(endpoint_ok).and(allow);
        match result {
            Tri::Yes if !self.invalid.is_empty() => {
                trace.note(|| {
                    format!(
                        "would allow, but {} had errors and AWS would reject it",
                        self.invalid.join(", ")
                    )
                });
                Decision::Indeterminate
            }
            Tri::Yes => Decision::Allow,
            Tri::No => Decision::ImplicitDeny,
            Tri::Maybe => {
                trace.note(|| "an Allow statement could not be evaluated".to_owned());
                Decision::Indeterminate
            }
        }
    }

    /// Whether a grant allows the request (D11.5, grants.md §5). Grants only allow; they are
    /// consulted after the deny step. Boundaries and session policies cap grant-based calls
    /// (grants.md §5 item 6: undocumented, safe reading). An account grantee needs an IAM
    /// Allow (grants.md §5 item 4, conservative model).
    fn grants_allow(&self, req: &Request, id_ok: Tri, caps: Tri, trace: &mut Trace<'_>) -> Tri {
        if self.grants.is_empty() {
            return Tri::No;
        }
        let mut rep = trace.report(Layer::Grants);
        let Some(op) = kms::grant_operation(&req.action) else {
            if let Some(r) = rep.as_deref_mut() {
                r.verdict = Verdict::NoMatch;
            }
            return Tri::No;
        };
        let mut ok = Tri::No;
        for g in self.grants.iter() {
            if !grant_is_for(g, &req.resource) {
                continue;
            }
            let Some(m) = g.grantee_match(&req.caller) else {
                continue;
            };
            let sref = || StatementRef {
                layer: Layer::Grants,
                policy: g.label.clone(),
                sid: None,
                index: 0,
                span: Span::default(),
                effect: Effect::Allow,
            };
            if !g.allows_operation(op) {
                if let Some(r) = rep.as_deref_mut() {
                    r.near_misses.push(NearMiss {
                        statement: sref(),
                        failed: Failure::Action,
                    });
                }
                continue;
            }
            if !g.constraints_hold(op, &req.context) {
                if let Some(r) = rep.as_deref_mut() {
                    r.near_misses.push(NearMiss {
                        statement: sref(),
                        failed: Failure::NotSufficient(
                            "the request does not satisfy the grant's constraints".to_owned(),
                        ),
                    });
                }
                continue;
            }
            let t = match m {
                GranteeMatch::Direct | GranteeMatch::ViaRole => caps,
                GranteeMatch::Account => id_ok.and(caps),
            };
            if let Some(r) = rep.as_deref_mut() {
                if t == Tri::Yes {
                    r.decisive.push(sref());
                }
            }
            ok = ok.or(t);
        }
        if let Some(r) = rep {
            r.verdict = match ok {
                Tri::Yes => Verdict::Allow,
                Tri::No => Verdict::NoMatch,
                Tri::Maybe => Verdict::Unknown,
            };
        }
        ok
    }
}

/// Whether a grant is for the key `resource` (a grant's `KeyId` is a key ARN or key id).
fn grant_is_for(g: &CompiledGrant, resource: &str) -> bool {
    match g.key_id.as_deref() {
        None => true,
        Some(k) if k.starts_with("arn:") => k == resource,
        Some(k) => resource.rsplit_once('/').is_some_and(|(_, id)| id == k),
    }
}

/// What the key-policy branch saw, for the explanation of which path to the key was used or is
/// missing (D11).
struct KeyPath<'a> {
    same: bool,
    direct: Tri,
    via_entity: Tri,
    account: Tri,
    id_ok: Tri,
    caps: Tri,
    caller_account: &'a str,
}

fn key_path_note(k: &KeyPath<'_>) -> String {
    let caps = if k.caps == Tri::Yes {
        ""
    } else {
        "; the caller's permissions boundary or session policy does not allow it (D5, D7, D8)"
    };
    let iam = if k.id_ok == Tri::Yes {
        "the caller's identity policies allow it"
    } else {
        "none of the caller's identity policies allows it"
    };
    if k.same {
        if k.direct == Tri::Yes {
            "path: the key policy names the caller (or `*`) directly, so no IAM policy is needed (D5, D11)".to_owned()
        } else if k.via_entity == Tri::Yes {
            format!("path: the key policy names the caller's role or user{caps}")
        } else if k.account == Tri::Yes {
            format!(
                "path: the key policy delegates to account {} (its `root` principal), so an IAM policy must allow: {iam}{caps}",
                k.caller_account
            )
        } else {
            format!(
                "path missing: the key policy has no statement for the caller or for account {}, so IAM policies cannot grant access to this key (D11)",
                k.caller_account
            )
        }
    } else if k.direct.or(k.via_entity).or(k.account) == Tri::Yes {
        format!(
            "path: cross-account; the key policy admits the caller or account {}, and the caller's side must allow too: {iam}{caps} (D9)",
            k.caller_account
        )
    } else {
        format!(
            "path missing: cross-account requests need the key policy to admit the caller or account {} and an IAM policy in that account to allow; the key policy does not (D9)",
            k.caller_account
        )
    }
}
