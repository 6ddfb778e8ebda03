//! Matching `Principal` / `NotPrincipal` entries against the caller (evaluation.md A7.3–A7.7,
//! Part C step 1). Owned by the decision layer.
//!
//! Matching records *how* an entry matched ([`PrincipalMatch`]) because a same-account
//! resource-policy grant bypasses different checks depending on it (D5).

use kmsguard_syntax::ast::{
    AwsPrincipal, PrincipalBlock, PrincipalEntry, PrincipalForm, Principals, UniqueIdKind,
};

use crate::request::{Caller, CallerKind};

/// How a principal entry matched the caller (Part C step 1). Ordered from the weakest to the
/// strongest grant: a stronger match bypasses more checks (D5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// The caller's account (`ACCT` / `arn:…:iam::ACCT:root`): delegation to IAM in that
    /// account (D5, kms.md §8.3). For the root user itself this is [`Self::Direct`].
    Account,
    /// The parent IAM user ARN of a federated-user session (D5).
    ViaParentUser,
    /// The role ARN of a role session (A7.4).
    ViaRole,
    /// A service principal named under `Service` (D12).
    Service,
    /// `"*"` or `{"AWS": "*"}` (A7.6); treated like a direct match (D5).
    Star,
    /// The exact caller: user ARN, session ARN, federated-user ARN, unique id, or the root user
    /// matched by its account.
    Direct,
}

impl PrincipalMatch {
    /// Whether the match names the caller itself (D5 "direct" or `"*"`), which bypasses
    /// identity, boundary and session-policy implicit denies in the same account.
    #[must_use]
    pub fn is_direct(self) -> bool {
        matches!(self, Self::Direct | Self::Star)
    }
}

/// One compiled principal value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    /// `"*"`.
    Any,
    /// An account, with its partition when written as an ARN.
    Account {
        partition: Option<String>,
        account: String,
    },
    /// A user ARN (exact text, user name case-sensitive, A7.2).
    User(String),
    /// A role ARN (exact text including path, A7.4).
    Role(String),
    /// An assumed-role session ARN (exact text).
    Session(String),
    /// A federated-user session ARN.
    FederatedUser(String),
    /// A unique id of a user (`AIDA…`).
    UserId(String),
    /// A unique id of a role (`AROA…`).
    RoleId(String),
    /// A service principal name (exact, A7.3: canonical names are lower case).
    Service(String),
    /// Federated providers, canonical users, placeholders and invalid values: never match a
    /// KMS caller (A7.2, A7.3).
    Never,
    /// A value unknown until deploy (`kmsguard_syntax::unknown`): it may name the caller.
    Unknown,
}

impl Entry {
    fn from_aws(p: &AwsPrincipal) -> Self {
        match &p.form {
            PrincipalForm::Any => Self::Any,
            PrincipalForm::Account { partition, account } => Self::Account {
                partition: partition.clone(),
                account: account.clone(),
            },
            PrincipalForm::User { .. } => Self::User(p.text.clone()),
            PrincipalForm::Role { .. } => Self::Role(p.text.clone()),
            PrincipalForm::AssumedRole { .. } => Self::Session(p.text.clone()),
            PrincipalForm::FederatedUser { .. } => Self::FederatedUser(p.text.clone()),
            PrincipalForm::UniqueId(UniqueIdKind::User) => Self::UserId(p.text.clone()),
            PrincipalForm::UniqueId(UniqueIdKind::Role) => Self::RoleId(p.text.clone()),
            PrincipalForm::Unknown => Self::Unknown,
            _ => Self::Never,
        }
    }

    /// How this entry matches `caller` (A7.3), if it does.
    fn matches(&self, c: &Caller) -> Option<PrincipalMatch> {
        let same_partition = |p: &Option<String>| p.as_deref().is_none_or(|p| p == c.partition);
        match self {
            // A7.6: `"*"` matches every caller, service principals included (conservative).
            Self::Any => Some(PrincipalMatch::Star),
            Self::Account { partition, account } => {
                if c.kind.is_iam()
                    && c.account.as_deref() == Some(account.as_str())
                    && same_partition(partition)
                {
                    // FORMAT.md rule 3 / D12: the root user is allowed by a statement naming
                    // its account; for everyone else the account entry only delegates.
                    Some(if c.kind == CallerKind::Root {
                        PrincipalMatch::Direct
                    } else {
                        PrincipalMatch::Account
                    })
                } else {
                    None
                }
            }
            Self::User(arn) => match c.kind {
                CallerKind::User if c.arn == *arn => Some(PrincipalMatch::Direct),
                CallerKind::FederatedUser if c.parent_user_arn.as_deref() == Some(arn) => {
                    Some(PrincipalMatch::ViaParentUser)
                }
                _ => None,
            },
            Self::Role(arn) => (c.kind == CallerKind::RoleSession
                && c.role_arn.as_deref() == Some(arn))
            .then_some(PrincipalMatch::ViaRole),
            Self::Session(arn) => (c.kind == CallerKind::RoleSession && c.arn == *arn)
                .then_some(PrincipalMatch::Direct),
            Self::FederatedUser(arn) => (c.kind == CallerKind::FederatedUser && c.arn == *arn)
                .then_some(PrincipalMatch::Direct),
            Self::UserId(id) => (c.kind == CallerKind::User && c.unique_id.as_deref() == Some(id))
                .then_some(PrincipalMatch::Direct),
            // A7.3: an `AROA…` id stands for the role, so it covers the role's sessions like
            // the role ARN does.
            Self::RoleId(id) => {
                (c.role_unique_id() == Some(id.as_str())).then_some(PrincipalMatch::ViaRole)
            }
            Self::Service(name) => {
                (c.kind == CallerKind::Service && c.arn == *name).then_some(PrincipalMatch::Service)
            }
            Self::Never | Self::Unknown => None,
        }
    }
}

/// A compiled `Principal` / `NotPrincipal` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledPrincipals {
    negated: bool,
    entries: Vec<Entry>,
}

impl CompiledPrincipals {
    /// Compiles a principal block.
    #[must_use]
    pub fn compile(block: &PrincipalBlock) -> Self {
        let entries = match &block.principals().node {
            Principals::Any => vec![Entry::Any],
            Principals::Map(map) => {
                let mut out = Vec::new();
                for e in map {
                    match e {
                        PrincipalEntry::Aws(list) => {
                            out.extend(list.node.iter().map(|p| Entry::from_aws(&p.node)));
                        }
                        PrincipalEntry::Service(list) => {
                            out.extend(list.node.iter().map(|s| {
                                if kmsguard_syntax::unknown::contains(&s.node) {
                                    Entry::Unknown
                                } else {
                                    Entry::Service(s.node.clone())
                                }
                            }));
                        }
                        PrincipalEntry::Federated(_) | PrincipalEntry::CanonicalUser(_) => {
                            out.push(Entry::Never);
                        }
                    }
                }
                out
            }
        };
        Self {
            negated: block.is_not(),
            entries,
        }
    }

    /// Whether some entry is unknown until deploy (it may name any caller).
    #[must_use]
    pub fn has_unknown(&self) -> bool {
        self.entries.contains(&Entry::Unknown)
    }

    /// Whether this is a `NotPrincipal` element.
    #[must_use]
    pub fn is_not(&self) -> bool {
        self.negated
    }

    /// The strongest way a `Principal` entry matches `caller` (A7.3). For `NotPrincipal`
    /// use [`CompiledPrincipals::not_principal_applies`].
    #[must_use]
    pub fn best_match(&self, caller: &Caller) -> Option<PrincipalMatch> {
        self.entries.iter().filter_map(|e| e.matches(caller)).max()
    }

    /// Whether a `NotPrincipal` element covers `caller` (the statement applies to it).
    ///
    /// Strict model (A7.7, recommended default): the caller escapes only if every identity in
    /// its chain is listed — its account, plus the user ARN for IAM users, plus the role ARN
    /// and the session ARN for role sessions (AWS may check account, then role, then session).
    /// A caller with a permissions boundary never escapes a `Deny` (evaluation.md A7.7, documented); that rule is
    /// applied by the caller of this function, which knows the effect. Anonymous callers are
    /// never listed.
    #[must_use]
    pub fn not_principal_applies(&self, caller: &Caller) -> bool {
        let listed = |pred: &dyn Fn(&Entry) -> bool| self.entries.iter().any(pred);
        let account_listed = || {
            listed(&|e| {
                matches!(e, Entry::Account { partition, account }
                    if caller.account.as_deref() == Some(account.as_str())
                        && partition.as_deref().is_none_or(|p| p == caller.partition))
            })
        };
        // `NotPrincipal: "*"` excludes everyone, so the statement applies to nobody.
        if self.entries.contains(&Entry::Any) {
            return false;
        }
        let escapes = match caller.kind {
            CallerKind::Anonymous => false,
            CallerKind::Service => listed(&|e| matches!(e, Entry::Service(s) if *s == caller.arn)),
            CallerKind::Root => account_listed(),
            CallerKind::User => {
                account_listed()
                    && listed(&|e| {
                        e.matches(caller)
                            .is_some_and(|m| m == PrincipalMatch::Direct)
                    })
            }
            CallerKind::RoleSession => {
                account_listed()
                    && listed(&|e| {
                        matches!(e, Entry::Role(_) | Entry::RoleId(_))
                            && e.matches(caller).is_some()
                    })
                    && listed(&|e| matches!(e, Entry::Session(_)) && e.matches(caller).is_some())
            }
            CallerKind::FederatedUser => {
                account_listed()
                    && listed(&|e| {
                        matches!(e, Entry::FederatedUser(_)) && e.matches(caller).is_some()
                    })
            }
        };
        !escapes
    }
}
