//! Generated inventories for benchmarks and property tests: accounts with many roles and keys
//! whose policies are drawn from realistic statement shapes (root delegation, direct grants to
//! roles, `kms:ViaService` and `kms:CallerAccount` conditions, explicit denies).

use kmsguard_syntax::SourceFile;
use kmsguard_syntax::ast::PolicyKind;

use crate::model::{
    Doc, FileId, Identity, IdentityKind, Inventory, Key, KeyManager, Origin, State,
};

/// A small deterministic generator (xorshift), so that generated inventories are the same on
/// every run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % (n as u64)).unwrap_or(0)
    }
}

/// The accounts generated inventories use.
pub const ACCOUNTS: [&str; 2] = ["111111111111", "222222222222"];

const ACTIONS: [&str; 6] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "kms:ReEncrypt*",
    "kms:CreateGrant",
];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items
        .get(rng.below(items.len()))
        .copied()
        .unwrap_or_default()
}

/// The account of generated role `i`.
#[must_use]
pub fn account(i: usize) -> &'static str {
    ACCOUNTS.get(i % 2).copied().unwrap_or_default()
}

fn doc(text: &str, kind: PolicyKind, label: String) -> Option<Doc> {
    let node = kmsguard_syntax::json::parse(text, &Default::default()).ok()?;
    let mut diags = Vec::new();
    let policy = kmsguard_syntax::lower::policy(&node, kind, &mut diags)?;
    Some(Doc {
        policy,
        has_errors: diags
            .iter()
            .any(|d| d.severity == kmsguard_syntax::Severity::Error),
        origin: Origin {
            file: FileId(0),
            location: label.clone(),
            state: State::Current,
            ..Origin::default()
        },
        label,
    })
}

/// The ARN of generated key `i`.
#[must_use]
pub fn key_arn(i: usize) -> String {
    format!(
        "arn:aws:kms:eu-west-1:{}:key/{:08x}-0000-4000-8000-{:012x}",
        account(0),
        i,
        i
    )
}

/// The ARN of generated role `i`.
#[must_use]
pub fn role_arn(i: usize) -> String {
    format!("arn:aws:iam::{}:role/app-{i}", account(i))
}

fn key_policy(rng: &mut Rng, roles: usize) -> String {
    let mut statements = vec![format!(
        r#"{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"kms:*","Resource":"*"}}"#,
        account(0)
    )];
    for n in 0..rng.below(4) {
        let role = role_arn(rng.below(roles));
        let action = pick(rng, &ACTIONS);
        let condition = match rng.below(4) {
            0 => r#","Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}"#
                .to_owned(),
            1 => format!(
                r#","Condition":{{"StringEquals":{{"kms:CallerAccount":"{}"}}}}"#,
                pick(rng, &ACCOUNTS)
            ),
            _ => String::new(),
        };
        statements.push(format!(
            r#"{{"Sid":"Use{n}","Effect":"Allow","Principal":{{"AWS":"{role}"}},"Action":"{action}","Resource":"*"{condition}}}"#
        ));
    }
    if rng.below(5) == 0 {
        statements.push(format!(
            r#"{{"Sid":"DenyOne","Effect":"Deny","Principal":{{"AWS":"{}"}},"Action":"kms:Decrypt","Resource":"*"}}"#,
            role_arn(rng.below(roles))
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn identity_policy(rng: &mut Rng, keys: usize) -> String {
    let mut statements = Vec::new();
    for _ in 0..=rng.below(3) {
        let action = pick(rng, &ACTIONS);
        let resource = if rng.below(4) == 0 {
            "*".to_owned()
        } else {
            key_arn(rng.below(keys))
        };
        statements.push(format!(
            r#"{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}"#
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

/// An inventory of `roles` roles (alternating between the two [`ACCOUNTS`]) and `keys`
/// customer managed keys in the first account, each with a generated key policy and each role
/// with a generated inline policy.
#[must_use]
pub fn generate(roles: usize, keys: usize, seed: u64) -> Inventory {
    let mut rng = Rng::new(seed);
    let mut inv = Inventory::default();
    inv.add_file(SourceFile::new("generated", ""));
    for i in 0..keys {
        let arn = key_arn(i);
        let policy = doc(
            &key_policy(&mut rng, roles.max(1)),
            PolicyKind::Key,
            format!("key policy of key {i}"),
        );
        inv.keys.push(Key {
            id: arn.rsplit('/').next().unwrap_or_default().to_owned(),
            arn,
            account: account(0).to_owned(),
            region: "eu-west-1".to_owned(),
            spec: Some("SYMMETRIC_DEFAULT".to_owned()),
            usage: Some("ENCRYPT_DECRYPT".to_owned()),
            key_origin: Some("AWS_KMS".to_owned()),
            manager: Some(KeyManager::Customer),
            state: Some("Enabled".to_owned()),
            multi_region: Some(false),
            primary_arn: None,
            multi_region_set: Vec::new(),
            custom_key_store: None,
            rotation_enabled: None,
            rotation_origin: None,
            policy,
            grants: Vec::new(),
            origin: Origin::default(),
        });
    }
    for i in 0..roles {
        let arn = role_arn(i);
        let inline = doc(
            &identity_policy(&mut rng, keys.max(1)),
            PolicyKind::Identity,
            format!("role app-{i} inline policy"),
        );
        inv.identities.push(Identity {
            kind: IdentityKind::Role,
            name: format!("app-{i}"),
            account: account(i).to_owned(),
            arn,
            unique_id: None,
            inline_policies: inline.into_iter().collect(),
            attached_policies: Vec::new(),
            groups: Vec::new(),
            boundary: None,
            trust_policy: None,
            origin: Origin::default(),
        });
    }
    inv
}
