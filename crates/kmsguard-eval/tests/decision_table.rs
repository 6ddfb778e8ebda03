//! One test per row of evaluation.md Part E (the decision table). Accounts: A = 111111111111
//! (the principal's account), B = 222222222222.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::{Decision, Options, PolicySet, PolicySource, Request};
use kmsguard_syntax::ast::PolicyKind;

const A: &str = "111111111111";
const B: &str = "222222222222";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const ROLE_R: &str = "arn:aws:iam::111111111111:role/R";
const S1: &str = "arn:aws:sts::111111111111:assumed-role/R/s1";
const OBJ: &str = "arn:aws:s3:::bkt/obj";
const KEY: &str = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn src(label: &str, kind: PolicyKind, json: &str) -> PolicySource {
    let mut diags = Vec::new();
    let p = PolicySource::parse(label, json, kind, &mut diags).unwrap();
    assert!(!p.has_errors, "{label}: {diags:?}");
    p
}

/// Identity-style policy: one statement.
fn stmt(effect: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

/// Resource-policy statement naming `principal` (a JSON value).
fn rstmt(effect: &str, principal: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

#[derive(Default)]
struct Case {
    rp: Option<(PolicyKind, String)>,
    id: Vec<String>,
    pb: Option<String>,
    sp: Option<String>,
    scps: Vec<Vec<String>>,
    rcps: Vec<Vec<String>>,
    grants: Vec<String>,
    options: Options,
    principal: String,
    role_arn: Option<String>,
    parent_user: Option<String>,
    action: String,
    resource: String,
    resource_account: Option<String>,
    ctx: Vec<(String, String)>,
}

impl Case {
    fn new(principal: &str, action: &str, resource: &str, resource_account: &str) -> Self {
        Self {
            principal: principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account: Some(resource_account.to_owned()),
            ..Self::default()
        }
    }
    fn rp(mut self, kind: PolicyKind, json: String) -> Self {
        self.rp = Some((kind, json));
        self
    }
    fn id(mut self, json: String) -> Self {
        self.id.push(json);
        self
    }
    fn pb(mut self, json: String) -> Self {
        self.pb = Some(json);
        self
    }
    fn sp(mut self, json: String) -> Self {
        self.sp = Some(json);
        self
    }
    fn role(mut self, role_arn: &str) -> Self {
        self.role_arn = Some(role_arn.to_owned());
        self
    }
    fn ctx(mut self, k: &str, v: &str) -> Self {
        self.ctx.push((k.to_owned(), v.to_owned()));
        self
    }
    fn grant(mut self, json: &str) -> Self {
        self.grants.push(json.to_owned());
        self
    }

    fn decide(&self) -> Decision {
        let mut b = PolicySet::builder().options(self.options);
        if let Some((kind, json)) = &self.rp {
            b = b.resource_policy(&src("resource policy", *kind, json));
        }
        for (i, p) in self.id.iter().enumerate() {
            b = b.identity_policy(&src(&format!("id{i}"), PolicyKind::Identity, p));
        }
        if let Some(p) = &self.pb {
            b = b.boundary(&src("pb", PolicyKind::Boundary, p));
        }
        if let Some(p) = &self.sp {
            b = b.session_policy(&src("sp", PolicyKind::Session, p));
        }
        for level in &self.scps {
            let ps: Vec<_> = level
                .iter()
                .map(|p| src("scp", PolicyKind::Scp, p))
                .collect();
            b = b.scp_level(&ps);
        }
        for level in &self.rcps {
            let ps: Vec<_> = level
                .iter()
                .map(|p| src("rcp", PolicyKind::Rcp, p))
                .collect();
            b = b.rcp_level(&ps);
        }
        for g in &self.grants {
            let node = kmsguard_syntax::json::parse(g, &Default::default()).unwrap();
            let mut diags = Vec::new();
            let grant = kmsguard_syntax::lower::grant(&node, &mut diags).unwrap();
            b = b.grant(&grant);
        }
        let mut ctx = RequestContext::new();
        if let Some(r) = &self.role_arn {
            ctx.insert("aws:PrincipalArn", ContextValue::Single(r.clone()));
        }
        for (k, v) in &self.ctx {
            ctx.insert(k, ContextValue::Single(v.clone()));
        }
        let mut req = Request::new(
            &self.principal,
            &self.action,
            &self.resource,
            self.resource_account.as_deref(),
            ctx,
        )
        .unwrap();
        if let Some(p) = &self.parent_user {
            req.caller.parent_user_arn = Some(p.clone());
        }
        let set = b.build();
        let d = set.decide(&req);
        assert_eq!(d, set.explain(&req).decision);
        d
    }
}

fn full_access() -> String {
    r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#.to_owned()
}

fn alice_get() -> Case {
    Case::new(ALICE, "s3:GetObject", OBJ, A)
}

fn s1_get() -> Case {
    Case::new(S1, "s3:GetObject", OBJ, A).role(ROLE_R)
}

fn aws(p: &str) -> String {
    format!(r#"{{"AWS":"{p}"}}"#)
}

use Decision::{Allow, ExplicitDeny, ImplicitDeny};
use PolicyKind::{Key, Resource, Trust};

#[test]
fn row01_identity_allow_same_account() {
    assert_eq!(
        alice_get().id(stmt("Allow", "s3:GetObject", OBJ)).decide(),
        Allow
    );
}

#[test]
fn row02_rbp_names_user() {
    let c = alice_get().rp(Resource, rstmt("Allow", &aws(ALICE), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row03_rbp_names_account_only() {
    let c = alice_get().rp(Resource, rstmt("Allow", &aws(A), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row04_rbp_deny_user() {
    let c = alice_get()
        .id(stmt("Allow", "s3:GetObject", OBJ))
        .rp(Resource, rstmt("Deny", &aws(ALICE), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ExplicitDeny);
}

#[test]
fn row05_identity_deny_beats_rbp_allow() {
    let c = alice_get()
        .id(stmt("Deny", "s3:*", "*"))
        .rp(Resource, rstmt("Allow", &aws(ALICE), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ExplicitDeny);
}

#[test]
fn row06_rbp_account_deny() {
    let c = alice_get()
        .id(stmt("Allow", "s3:GetObject", OBJ))
        .rp(Resource, rstmt("Deny", &aws(A), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ExplicitDeny);
}

fn row07() -> Case {
    let mut c = alice_get().id(stmt("Allow", "s3:GetObject", OBJ));
    c.scps = vec![vec![full_access()], vec![stmt("Allow", "ec2:*", "*")]];
    c
}

#[test]
fn row07_scp_level_without_allow() {
    assert_eq!(row07().decide(), ImplicitDeny);
}

#[test]
fn row08_management_account_not_governed_by_scps() {
    let mut c = row07();
    c.options.principal_in_management_account = true;
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row09_rbp_role_arn_covers_session() {
    let c = s1_get().rp(Resource, rstmt("Allow", &aws(ROLE_R), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row10_role_arn_grant_capped_by_boundary() {
    let c = s1_get()
        .rp(Resource, rstmt("Allow", &aws(ROLE_R), "s3:GetObject", OBJ))
        .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row11_session_arn_grant_bypasses_boundary() {
    let c = s1_get()
        .rp(Resource, rstmt("Allow", &aws(S1), "s3:GetObject", OBJ))
        .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row12_session_arn_is_exact() {
    let c = Case::new(
        "arn:aws:sts::111111111111:assumed-role/R/s2",
        "s3:GetObject",
        OBJ,
        A,
    )
    .role(ROLE_R)
    .rp(Resource, rstmt("Allow", &aws(S1), "s3:GetObject", OBJ))
    .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row13_user_arn_grant_bypasses_boundary() {
    let c = alice_get()
        .rp(Resource, rstmt("Allow", &aws(ALICE), "s3:GetObject", OBJ))
        .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), Allow);
}

fn row14() -> Case {
    s1_get()
        .sp(stmt("Allow", "ec2:*", "*"))
        .id(stmt("Allow", "s3:*", "*"))
}

#[test]
fn row14_session_policy_caps_identity() {
    assert_eq!(row14().decide(), ImplicitDeny);
}

#[test]
fn row15_session_policy_caps_role_arn_grant() {
    let c = row14().rp(Resource, rstmt("Allow", &aws(ROLE_R), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row16_session_arn_grant_not_capped_by_session_policy() {
    let c = row14().rp(Resource, rstmt("Allow", &aws(S1), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), Allow);
}

fn fed() -> Case {
    let mut c = Case::new(
        "arn:aws:sts::111111111111:federated-user/alice",
        "s3:GetObject",
        OBJ,
        A,
    );
    c.parent_user = Some(ALICE.to_owned());
    c
}

#[test]
fn row17_federated_user_identity_and_session_policy() {
    let c = fed()
        .sp(stmt("Allow", "s3:GetObject", OBJ))
        .id(stmt("Allow", "s3:GetObject", OBJ));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row18_parent_user_grant_capped_by_session_policy() {
    let c = fed()
        .sp(stmt("Allow", "ec2:*", "*"))
        .rp(Resource, rstmt("Allow", &aws(ALICE), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row19_federated_user_without_session_policy() {
    assert_eq!(
        fed().id(stmt("Allow", "s3:GetObject", OBJ)).decide(),
        ImplicitDeny
    );
}

#[test]
fn row20_role_session_all_gates_pass() {
    let c = s1_get()
        .id(stmt("Allow", "s3:GetObject", OBJ))
        .pb(stmt("Allow", "s3:*", "*"));
    assert_eq!(c.decide(), Allow);
}

fn row21() -> Case {
    Case::new(ALICE, "s3:GetObject", OBJ, B)
        .id(stmt("Allow", "s3:GetObject", "arn:aws:s3:::bkt/*"))
        .rp(Resource, rstmt("Allow", &aws(A), "s3:GetObject", OBJ))
}

#[test]
fn row21_cross_account_both_sides_allow() {
    assert_eq!(row21().decide(), Allow);
}

#[test]
fn row22_cross_account_without_identity_allow() {
    let mut c = row21();
    c.id.clear();
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row23_cross_account_rbp_names_user_no_identity() {
    let c = Case::new(ALICE, "s3:GetObject", OBJ, B)
        .rp(Resource, rstmt("Allow", &aws(ALICE), "s3:GetObject", OBJ));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row24_cross_account_without_resource_policy() {
    let c = Case::new(ALICE, "s3:GetObject", OBJ, B).id(stmt("Allow", "s3:GetObject", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row25_cross_account_boundary_never_bypassed() {
    let c = Case::new(S1, "s3:GetObject", OBJ, B)
        .role(ROLE_R)
        .id(stmt("Allow", "s3:GetObject", "*"))
        .rp(Resource, rstmt("Allow", &aws(S1), "s3:GetObject", OBJ))
        .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

fn row26() -> Case {
    Case::new("anonymous", "s3:GetObject", OBJ, A)
        .rp(Resource, rstmt("Allow", "\"*\"", "s3:GetObject", OBJ))
}

#[test]
fn row26_anonymous_public_grant() {
    assert_eq!(row26().decide(), Allow);
}

#[test]
fn row27_rcp_applies_to_anonymous() {
    let mut c = row26();
    c.rcps = vec![vec![
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-mine"}}}]}"#.to_owned(),
    ]];
    assert_eq!(c.decide(), ExplicitDeny);
}

#[test]
fn row27b_rcp_perimeter_form_does_not_hit_anonymous() {
    let mut c = row26();
    c.rcps = vec![vec![
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]}"#.to_owned(),
    ]];
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row28_scps_do_not_govern_anonymous() {
    let mut c = row26();
    c.scps = vec![vec![full_access(), stmt("Deny", "s3:*", "*")]];
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row29_service_principal_decided_by_rbp() {
    let trail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/t";
    let c = Case::new("cloudtrail.amazonaws.com", "s3:PutObject", OBJ, A)
        .rp(
            Resource,
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceArn":"{trail}"}}}}}}]}}"#
            ),
        )
        .ctx("aws:SourceArn", trail);
    assert_eq!(c.decide(), Allow);
}

fn default_key_policy(account: &str) -> String {
    rstmt(
        "Allow",
        &aws(&format!("arn:aws:iam::{account}:root")),
        "kms:*",
        "*",
    )
}

#[test]
fn row30_kms_delegation_plus_iam() {
    let c = Case::new(S1, "kms:Decrypt", KEY, A)
        .role(ROLE_R)
        .rp(Key, default_key_policy(A))
        .id(stmt("Allow", "kms:Decrypt", KEY));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row31_kms_iam_ineffective_without_delegation() {
    let c = Case::new(ALICE, "kms:Decrypt", KEY, A)
        .rp(
            Key,
            rstmt(
                "Allow",
                &aws("arn:aws:iam::111111111111:role/Admin"),
                "kms:*",
                "*",
            ),
        )
        .id(stmt("Allow", "kms:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row32_kms_key_policy_alone_for_role() {
    let app = "arn:aws:iam::111111111111:role/App";
    let c = Case::new(
        "arn:aws:sts::111111111111:assumed-role/App/x",
        "kms:Decrypt",
        KEY,
        A,
    )
    .role(app)
    .rp(Key, rstmt("Allow", &aws(app), "kms:Decrypt", "*"));
    assert_eq!(c.decide(), Allow);
}

fn row33() -> Case {
    Case::new(ALICE, "kms:Decrypt", KEY, A)
        .rp(
            Key,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111111111111","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}"#.to_owned(),
        )
        .ctx("kms:CallerAccount", A)
}

#[test]
fn row33_via_service_absent() {
    assert_eq!(row33().decide(), ImplicitDeny);
}

#[test]
fn row34_via_service_present() {
    let c = row33().ctx("kms:ViaService", "ec2.us-east-1.amazonaws.com");
    assert_eq!(c.decide(), Allow);
}

fn row35() -> Case {
    Case::new(
        "arn:aws:sts::222222222222:assumed-role/App/x",
        "kms:Decrypt",
        KEY,
        A,
    )
    .role("arn:aws:iam::222222222222:role/App")
    .rp(Key, rstmt("Allow", &aws(B), "kms:Decrypt", "*"))
    .id(stmt("Allow", "kms:Decrypt", "*"))
}

#[test]
fn row35_cross_account_key_trusts_account() {
    assert_eq!(row35().decide(), Allow);
}

#[test]
fn row36_cross_account_key_names_other_role() {
    let mut c = row35();
    c.rp = Some((
        Key,
        rstmt(
            "Allow",
            &aws("arn:aws:iam::222222222222:role/Other"),
            "kms:Decrypt",
            "*",
        ),
    ));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row37_cross_account_without_iam() {
    let mut c = row35();
    c.id.clear();
    assert_eq!(c.decide(), ImplicitDeny);
}

const APP: &str = "arn:aws:iam::111111111111:role/App";
const APP_S: &str = "arn:aws:sts::111111111111:assumed-role/App/x";

fn app_grant(constraints: &str) -> String {
    format!(
        r#"{{"KeyId":"{KEY}","GrantId":"g1","GranteePrincipal":"{APP}","Operations":["Decrypt"]{constraints}}}"#
    )
}

#[test]
fn row38_key_policy_deny_beats_grant() {
    let c = Case::new(APP_S, "kms:Decrypt", KEY, A)
        .role(APP)
        .rp(
            Key,
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":{{"AWS":"{APP}"}},"Action":"kms:*","Resource":"*","Condition":{{"StringNotEquals":{{"kms:EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}}}}}}]}}"#
            ),
        )
        .grant(&app_grant(""))
        .ctx("kms:EncryptionAlgorithm", "RSAES_OAEP_SHA_1");
    assert_eq!(c.decide(), ExplicitDeny);
}

fn row39(constraint: &str) -> Case {
    Case::new(APP_S, "kms:Decrypt", KEY, A)
        .role(APP)
        .rp(
            Key,
            rstmt(
                "Allow",
                &aws("arn:aws:iam::111111111111:role/Admin"),
                "kms:*",
                "*",
            ),
        )
        .grant(&app_grant(&format!(
            r#","Constraints":{{"{constraint}":{{"Dept":"IT"}}}}"#
        )))
        .ctx("kms:EncryptionContext:Dept", "IT")
        .ctx("kms:EncryptionContext:Env", "x")
}

#[test]
fn row39_grant_subset_constraint() {
    assert_eq!(row39("EncryptionContextSubset").decide(), Allow);
}

#[test]
fn row40_grant_equals_constraint() {
    assert_eq!(row39("EncryptionContextEquals").decide(), ImplicitDeny);
}

#[test]
fn row41_root_without_key_policy_allow() {
    let c = Case::new(
        "arn:aws:iam::111111111111:root",
        "kms:ScheduleKeyDeletion",
        KEY,
        A,
    )
    .rp(
        Key,
        rstmt(
            "Allow",
            &aws("arn:aws:iam::111111111111:role/Admin"),
            "kms:*",
            "*",
        ),
    );
    assert_eq!(c.decide(), ImplicitDeny);
}

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
    )
}

#[test]
fn row42_trust_account_needs_identity() {
    let c = Case::new(ALICE, "sts:AssumeRole", ROLE_R, A).rp(Trust, trust(&aws(A)));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row43_trust_names_user() {
    let c = Case::new(ALICE, "sts:AssumeRole", ROLE_R, A).rp(Trust, trust(&aws(ALICE)));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row44_trust_names_user_cross_account_needs_iam() {
    let bob = "arn:aws:iam::222222222222:user/alice";
    let c = Case::new(bob, "sts:AssumeRole", ROLE_R, A).rp(Trust, trust(&aws(bob)));
    assert_eq!(c.decide(), ImplicitDeny);
}

#[test]
fn row45_no_implicit_self_trust() {
    let c = Case::new(S1, "sts:AssumeRole", ROLE_R, A)
        .role(ROLE_R)
        .rp(Trust, trust(&aws(ALICE)))
        .id(stmt("Allow", "sts:AssumeRole", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

fn not_principal(list: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","NotPrincipal":{{"AWS":{list}}},"Action":"s3:*","Resource":"{OBJ}"}}]}}"#
    )
}

#[test]
fn row46_not_principal_strict_model() {
    let c = alice_get()
        .id(stmt("Allow", "s3:GetObject", OBJ))
        .rp(Resource, not_principal(&format!(r#"["{ALICE}"]"#)));
    assert_eq!(c.decide(), ExplicitDeny);
    // Listing the account too lets alice escape.
    let c = alice_get().id(stmt("Allow", "s3:GetObject", OBJ)).rp(
        Resource,
        not_principal(&format!(r#"["{ALICE}","arn:aws:iam::111111111111:root"]"#)),
    );
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row47_not_principal_deny_hits_boundary_holders() {
    let c = alice_get()
        .id(stmt("Allow", "s3:GetObject", OBJ))
        .pb(stmt("Allow", "s3:*", "*"))
        .rp(
            Resource,
            not_principal(&format!(r#"["{ALICE}","arn:aws:iam::111111111111:root"]"#)),
        );
    assert_eq!(c.decide(), ExplicitDeny);
}

#[test]
fn row48_star_with_principal_arn_not_capped() {
    let c = s1_get()
        .rp(
            Resource,
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ArnEquals":{{"aws:PrincipalArn":"{ROLE_R}"}}}}}}]}}"#
            ),
        )
        .pb(stmt("Allow", "ec2:*", "*"));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row49_action_case_insensitive() {
    let c = Case::new(ALICE, "kms:Decrypt", KEY, A)
        .rp(Key, default_key_policy(A))
        .id(stmt("Allow", "kms:decrypt", KEY));
    assert_eq!(c.decide(), Allow);
}

#[test]
fn row50_version_2008_variables_literal() {
    let c = Case::new(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/x", A)
        .id(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#.to_owned())
        .ctx("aws:username", "alice");
    assert_eq!(c.decide(), ImplicitDeny);
    // Under 2012-10-17 the same policy allows.
    let c = Case::new(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/x", A)
        .id(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#.to_owned())
        .ctx("aws:username", "alice");
    assert_eq!(c.decide(), Allow);
}

// ---------------------------------------------------------------------------------------------
// Undocumented corners: the engine takes the safe reading (deny / Indeterminate). Each test
// names the reference section that records the choice.
// ---------------------------------------------------------------------------------------------

/// A policy with error-level diagnostics never yields a confident Allow.
#[test]
fn corner_invalid_policy_is_indeterminate_not_allow() {
    let mut diags = Vec::new();
    // `Principal` is prohibited in identity policies (A7.1): an error.
    let bad = PolicySource::parse(
        "bad",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        PolicyKind::Identity,
        &mut diags,
    )
    .unwrap();
    assert!(bad.has_errors);
    let set = PolicySet::builder().identity_policy(&bad).build();
    let req = Request::new(ALICE, "s3:GetObject", OBJ, Some(A), RequestContext::new()).unwrap();
    assert_eq!(set.decide(&req), Decision::Indeterminate);
    assert_eq!(set.invalid_policies(), ["bad".to_owned()]);
}

/// A7.7: `NotPrincipal` with `Allow` is unsupported; it never grants.
#[test]
fn corner_not_principal_allow_never_grants() {
    let c = Case::new(ALICE, "kms:Decrypt", KEY, A).rp(
        Key,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"kms:*","Resource":"*"}]}"#.to_owned(),
    );
    assert_ne!(c.decide(), Allow);
}

/// FORMAT.md rule 3 / D11: a service principal needs a key-policy statement naming the
/// service; `"*"` is not read as naming it.
#[test]
fn corner_service_principal_not_granted_by_star_key_policy() {
    let c = Case::new("cloudtrail.amazonaws.com", "kms:GenerateDataKey", KEY, A)
        .rp(Key, rstmt("Allow", "\"*\"", "kms:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
    let c = Case::new("cloudtrail.amazonaws.com", "kms:GenerateDataKey", KEY, A).rp(
        Key,
        rstmt(
            "Allow",
            r#"{"Service":"cloudtrail.amazonaws.com"}"#,
            "kms:*",
            "*",
        ),
    );
    assert_eq!(c.decide(), Allow);
    // But a `"*"` Deny does hit services (A7.6).
    let c = Case::new("cloudtrail.amazonaws.com", "kms:GenerateDataKey", KEY, A).rp(
        Key,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}"#.to_owned(),
    );
    assert_eq!(c.decide(), ExplicitDeny);
}

/// D12: KMS accepts only signed requests; anonymous callers are never allowed.
#[test]
fn corner_anonymous_never_allowed_on_kms_keys() {
    let c = Case::new("anonymous", "kms:Decrypt", KEY, A)
        .rp(Key, rstmt("Allow", "\"*\"", "kms:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

/// kms.md §8.7: management actions are ineffective for external principals; the option
/// restores the oracle's reading.
#[test]
fn corner_cross_account_management_action() {
    let mut c = Case::new(
        "arn:aws:sts::222222222222:assumed-role/App/x",
        "kms:ScheduleKeyDeletion",
        KEY,
        A,
    )
    .role("arn:aws:iam::222222222222:role/App")
    .rp(Key, rstmt("Allow", &aws(B), "kms:*", "*"))
    .id(stmt("Allow", "kms:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
    c.options.enforce_cross_account_actions = false;
    assert_eq!(c.decide(), Allow);
}

/// grants.md §5 item 3: a grant suffices cross-account without an IAM Allow.
#[test]
fn corner_cross_account_grant_without_iam() {
    let ext = "arn:aws:iam::222222222222:role/Ext";
    let c = Case::new(
        "arn:aws:sts::222222222222:assumed-role/Ext/x",
        "kms:Decrypt",
        KEY,
        A,
    )
    .role(ext)
    .rp(Key, default_key_policy(A))
    .grant(&format!(
        r#"{{"KeyId":"{KEY}","GranteePrincipal":"{ext}","Operations":["Decrypt"]}}"#
    ));
    assert_eq!(c.decide(), Allow);
}

/// grants.md §5 item 6 (undocumented): boundaries cap grant-based calls — safe reading.
#[test]
fn corner_boundary_caps_grants() {
    let c = Case::new(APP_S, "kms:Decrypt", KEY, A)
        .role(APP)
        .grant(&app_grant(""))
        .pb(stmt("Allow", "s3:*", "*"));
    assert_eq!(c.decide(), ImplicitDeny);
}

/// grants.md §5 item 4 (undocumented): an account grantee works like key-policy delegation —
/// the caller also needs an IAM Allow.
#[test]
fn corner_account_grantee_needs_iam() {
    let g = format!(
        r#"{{"KeyId":"{KEY}","GranteePrincipal":"arn:aws:iam::111111111111:root","Operations":["Decrypt"]}}"#
    );
    let c = Case::new(APP_S, "kms:Decrypt", KEY, A).role(APP).grant(&g);
    assert_eq!(c.decide(), ImplicitDeny);
    let c = Case::new(APP_S, "kms:Decrypt", KEY, A)
        .role(APP)
        .grant(&g)
        .id(stmt("Allow", "kms:Decrypt", "*"));
    assert_eq!(c.decide(), Allow);
}

/// grants.md §5.1: encryption-context constraints are ignored for `DescribeKey`.
#[test]
fn corner_grant_constraints_ignored_for_describe_key() {
    let g = format!(
        r#"{{"KeyId":"{KEY}","GranteePrincipal":"{APP}","Operations":["DescribeKey"],"Constraints":{{"EncryptionContextEquals":{{"Dept":"IT"}}}}}}"#
    );
    let c = Case::new(APP_S, "kms:DescribeKey", KEY, A)
        .role(APP)
        .grant(&g);
    assert_eq!(c.decide(), Allow);
}

/// D4 (undocumented for resource-less requests): an RCP Deny still applies to
/// `kms:CreateKey` — safe reading.
#[test]
fn corner_rcp_deny_applies_to_keyless_action() {
    let mut c = Case::new(ALICE, "kms:CreateKey", "*", A).id(stmt("Allow", "kms:*", "*"));
    assert_eq!(c.decide(), Allow);
    c.rcps = vec![vec![
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}"#.to_owned(),
    ]];
    assert_eq!(c.decide(), ExplicitDeny);
}

/// A7.7 strict model for role sessions: account, role ARN and session ARN must all be listed.
#[test]
fn corner_not_principal_strict_for_sessions() {
    let np = |list: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","NotPrincipal":{{"AWS":{list}}},"Action":"s3:*","Resource":"{OBJ}"}}]}}"#
        )
    };
    let c = s1_get().id(stmt("Allow", "s3:GetObject", OBJ)).rp(
        Resource,
        np(&format!(r#"["arn:aws:iam::111111111111:root","{ROLE_R}"]"#)),
    );
    assert_eq!(c.decide(), ExplicitDeny);
    let c = s1_get().id(stmt("Allow", "s3:GetObject", OBJ)).rp(
        Resource,
        np(&format!(
            r#"["arn:aws:iam::111111111111:root","{ROLE_R}","{S1}"]"#
        )),
    );
    assert_eq!(c.decide(), Allow);
}

/// `explain` names the decisive statement and the near misses.
#[test]
fn explain_reports_layers() {
    let set = PolicySet::builder()
        .resource_policy(&src("kp", Key, &default_key_policy(A)))
        .identity_policy(&src(
            "id",
            PolicyKind::Identity,
            &stmt("Allow", "kms:Encrypt", KEY),
        ))
        .build();
    let req = Request::new(ALICE, "kms:Decrypt", KEY, Some(A), RequestContext::new()).unwrap();
    let ex = set.explain(&req);
    assert_eq!(ex.decision, ImplicitDeny);
    let kp = ex.layer(kmsguard_eval::decision::Layer::KeyPolicy).unwrap();
    assert_eq!(kp.decisive.len(), 1);
    let text = kmsguard_eval::explain::render(&ex);
    assert!(text.contains("decision: ImplicitDeny"), "{text}");
}
