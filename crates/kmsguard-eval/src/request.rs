//! The request model (evaluation.md Part B): who calls, what action, on which resource, with
//! which context. Owned by the decision layer.
//!
//! A [`Request`] is built once per question and then decided against a compiled
//! [`crate::compiled::PolicySet`]; all the string work (lower-casing the action, reading the
//! role ARN from the context, splitting accounts) happens here so that deciding does not
//! allocate.

use std::fmt;

use kmsguard_syntax::ast::{AwsPrincipal, PrincipalForm};

use crate::context::{ContextValue, RequestContext};

/// What kind of caller made the request (Part B, A7.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// An IAM user (`arn:aws:iam::ACCT:user/PATH/NAME`).
    User,
    /// A session of an IAM role (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
    RoleSession,
    /// An STS federated-user session (`GetFederationToken`).
    FederatedUser,
    /// The account root user (`arn:aws:iam::ACCT:root`).
    Root,
    /// An AWS service principal (`cloudtrail.amazonaws.com`).
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

impl CallerKind {
    /// Whether the caller is an IAM identity of some account (user, session, root): the callers
    /// that identity policies, boundaries, session policies and SCPs govern (D3, D12).
    #[must_use]
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            Self::User | Self::RoleSession | Self::FederatedUser | Self::Root
        )
    }

    /// Whether the caller is a session (session policies apply, D8).
    #[must_use]
    pub fn is_session(self) -> bool {
        matches!(self, Self::RoleSession | Self::FederatedUser)
    }
}

impl fmt::Display for CallerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::User => "IAM user",
            Self::RoleSession => "role session",
            Self::FederatedUser => "federated-user session",
            Self::Root => "account root user",
            Self::Service => "service principal",
            Self::Anonymous => "anonymous caller",
        })
    }
}

/// The calling principal, normalised once (A7.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Kind of caller.
    pub kind: CallerKind,
    /// The principal as AWS sees it: the user ARN, the session ARN, the root ARN, or the
    /// service principal name. Empty for anonymous callers.
    pub arn: String,
    /// Partition of the ARN (`aws`, `aws-cn`, ...); empty for services and anonymous callers.
    pub partition: String,
    /// The caller's account; `None` for services and anonymous callers.
    pub account: Option<String>,
    /// For role sessions: the role ARN **with its path**, taken from `aws:PrincipalArn`
    /// (A7.4: never rebuilt from the session ARN, which drops the path).
    pub role_arn: Option<String>,
    /// For federated-user sessions: the ARN of the IAM user that called `GetFederationToken`,
    /// when known.
    pub parent_user_arn: Option<String>,
    /// The unique id (`aws:userid`): `AIDA…` for users, `AROA…:session` for role sessions.
    pub unique_id: Option<String>,
}

/// Why a request could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The principal text is in no form AWS uses for a caller.
    BadPrincipal(String),
    /// The action is not `service:Name`.
    BadAction(String),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadPrincipal(p) => write!(f, "`{p}` is not a caller principal"),
            Self::BadAction(a) => write!(f, "`{a}` is not an action (`service:Name`)"),
        }
    }
}

impl std::error::Error for RequestError {}

impl Caller {
    /// Reads a caller principal. `context` supplies the role ARN of a session
    /// (`aws:PrincipalArn`) and the unique id (`aws:userid`); when `aws:PrincipalArn` is absent
    /// the role ARN is assumed to have no path (a CLI convenience; oracle contexts are
    /// complete).
    ///
    /// # Errors
    /// [`RequestError::BadPrincipal`] when `principal` is in none of the caller forms.
    pub fn parse(principal: &str, context: &RequestContext) -> Result<Self, RequestError> {
        let bad = || RequestError::BadPrincipal(principal.to_owned());
        let unique_id = single(context, "aws:userid").map(str::to_owned);
        if principal.is_empty() || principal == "*" || principal.eq_ignore_ascii_case("anonymous") {
            return Ok(Self {
                kind: CallerKind::Anonymous,
                arn: String::new(),
                partition: String::new(),
                account: None,
                role_arn: None,
                parent_user_arn: None,
                unique_id: None,
            });
        }
        if !principal.starts_with("arn:") {
            // Service principals are DNS-like names (`cloudtrail.amazonaws.com`,
            // `logs.us-east-1.amazonaws.com`, `*.amazonaws.com.cn`).
            if principal.contains(".amazonaws.com") && !principal.contains(['/', ':', ' ']) {
                return Ok(Self {
                    kind: CallerKind::Service,
                    arn: principal.to_owned(),
                    partition: String::new(),
                    account: None,
                    role_arn: None,
                    parent_user_arn: None,
                    unique_id: None,
                });
            }
            return Err(bad());
        }
        // The ARN forms are the principal forms the syntax crate already reads (A7.2).
        let from_context =
            |key: &str, marker: &str| single(context, key).filter(|a| a.contains(marker));
        let (kind, partition, account, role_arn, parent_user_arn) =
            match AwsPrincipal::parse(principal).form {
                PrincipalForm::Account {
                    partition: Some(p),
                    account,
                } => (CallerKind::Root, p, account, None, None),
                PrincipalForm::User {
                    partition, account, ..
                } => (CallerKind::User, partition, account, None, None),
                PrincipalForm::AssumedRole {
                    partition,
                    account,
                    role,
                    ..
                } => {
                    let role_arn = from_context("aws:principalarn", ":role/").map_or_else(
                        || format!("arn:{partition}:iam::{account}:role/{role}"),
                        str::to_owned,
                    );
                    (
                        CallerKind::RoleSession,
                        partition,
                        account,
                        Some(role_arn),
                        None,
                    )
                }
                PrincipalForm::FederatedUser {
                    partition, account, ..
                } => {
                    let parent = from_context("aws:principalarn", ":user/").map(str::to_owned);
                    (CallerKind::FederatedUser, partition, account, None, parent)
                }
                _ => return Err(bad()),
            };
        Ok(Self {
            kind,
            arn: principal.to_owned(),
            partition,
            account: Some(account),
            role_arn,
            parent_user_arn,
            unique_id,
        })
    }

    /// `Caller::parse(principal, context)` for a caller already parsed from `principal`
    /// (against any context): only what the context supplies is read again, not the ARN
    /// (who-can builds a request for thousands of principals, each after filling in the
    /// caller keys).
    ///
    /// # Errors
    /// As [`Caller::parse`] (only when the ARN must be read again).
    pub fn reread(
        mut self,
        principal: &str,
        context: &RequestContext,
    ) -> Result<Self, RequestError> {
        // Another principal than the one parsed: read it whole.
        if self.kind == CallerKind::Anonymous || self.arn != principal {
            return Self::parse(principal, context);
        }
        let from_context =
            |key: &str, marker: &str| single(context, key).filter(|a| a.contains(marker));
        match self.kind {
            // Parsing gives a service no unique id whatever the context says.
            CallerKind::Anonymous | CallerKind::Service => return Ok(self),
            CallerKind::RoleSession => match from_context("aws:principalarn", ":role/") {
                Some(role) => self.role_arn = Some(role.to_owned()),
                // The role ARN then comes from the session ARN: read it again.
                None => return Self::parse(principal, context),
            },
            CallerKind::FederatedUser => {
                self.parent_user_arn =
                    from_context("aws:principalarn", ":user/").map(str::to_owned);
            }
            CallerKind::User | CallerKind::Root => {}
        }
        self.unique_id = single(context, "aws:userid").map(str::to_owned);
        Ok(self)
    }

    /// The role id prefix of a role session's unique id (`AROA…` before `:`).
    #[must_use]
    pub fn role_unique_id(&self) -> Option<&str> {
        match self.kind {
            CallerKind::RoleSession => self.unique_id.as_deref().map(|u| match u.split_once(':') {
                Some((id, _)) => id,
                None => u,
            }),
            _ => None,
        }
    }
}

/// The single value of `key_lower` (a key name in lower case: no copy to look it up).
fn single<'c>(ctx: &'c RequestContext, key_lower: &str) -> Option<&'c str> {
    match ctx.get_lower(key_lower) {
        Some(ContextValue::Single(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// One authorization question (Part B).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The caller.
    pub caller: Caller,
    /// The action as given (`kms:Decrypt`).
    pub action: String,
    /// The action in lower case (action names are case-insensitive, A12).
    pub action_lower: String,
    /// The resource ARN, or `"*"` for actions without a resource (`kms:CreateKey`).
    pub resource: String,
    /// The account that owns the resource; `None` when the request has no resource.
    pub resource_account: Option<String>,
    /// The request context.
    pub context: RequestContext,
}

impl Request {
    /// Builds a request. `resource_account` defaults to the account segment of `resource`.
    ///
    /// # Errors
    /// A malformed principal or action.
    pub fn new(
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        context: RequestContext,
    ) -> Result<Self, RequestError> {
        let caller = Caller::parse(principal, &context)?;
        Self::with_caller(caller, action, resource, resource_account, context)
    }

    /// [`Request::new`] for a caller already read with [`Caller::parse`] from this request's
    /// principal and this `context` (or [`Caller::reread`] since).
    ///
    /// # Errors
    /// A malformed action.
    pub fn with_caller(
        caller: Caller,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        context: RequestContext,
    ) -> Result<Self, RequestError> {
        match action.split_once(':') {
            Some((s, n)) if !s.is_empty() && !n.is_empty() && !n.contains(':') => {}
            _ => return Err(RequestError::BadAction(action.to_owned())),
        }
        let resource_account = match resource_account {
            Some(a) => Some(a.to_owned()),
            None => resource
                .strip_prefix("arn:")
                .and_then(|r| r.split(':').nth(3))
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
        };
        Ok(Self {
            caller,
            action: action.to_owned(),
            action_lower: action.to_ascii_lowercase(),
            resource: resource.to_owned(),
            resource_account,
            context,
        })
    }

    /// Whether the request names a resource (not `"*"`).
    #[must_use]
    pub fn has_resource(&self) -> bool {
        self.resource != "*"
    }

    /// Whether caller and resource are in the same account (Part B). False for services and
    /// anonymous callers, and for requests without a resource account.
    #[must_use]
    pub fn same_account(&self) -> bool {
        match (&self.caller.account, &self.resource_account) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

/// Fills the caller keys AWS would put in the context when they are absent (CLI helper;
/// condition-keys.md): `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
/// `aws:userid` (shape only: a placeholder id), `aws:username` (IAM users only) and
/// `kms:CallerAccount`. Existing keys are never overwritten. Oracle cases must not use this:
/// their context is complete.
pub fn derive_caller_keys(caller: &Caller, ctx: &mut RequestContext) {
    // One lookup per key (thousands of principals in a who-can query each get these).
    let mut put = |k: &str, v: String| ctx.insert_absent(k, || ContextValue::Single(v));
    let Some(account) = caller.account.clone() else {
        if caller.kind == CallerKind::Service {
            put("aws:PrincipalServiceName", caller.arn.clone());
            put("aws:PrincipalIsAWSService", "true".to_owned());
        }
        return;
    };
    put("aws:PrincipalAccount", account.clone());
    put("kms:CallerAccount", account.clone());
    match caller.kind {
        CallerKind::User => {
            put("aws:PrincipalArn", caller.arn.clone());
            put("aws:PrincipalType", "User".to_owned());
            if let Some(name) = caller.arn.rsplit('/').next() {
                put("aws:username", name.to_owned());
            }
            put("aws:userid", "AIDAEXAMPLEUSERID".to_owned());
        }
        CallerKind::RoleSession => {
            if let Some(role) = &caller.role_arn {
                put("aws:PrincipalArn", role.clone());
            }
            put("aws:PrincipalType", "AssumedRole".to_owned());
            if let Some(session) = caller.arn.rsplit('/').next() {
                put("aws:userid", format!("AROAEXAMPLEROLEID:{session}"));
            }
        }
        CallerKind::FederatedUser => {
            put("aws:PrincipalArn", caller.arn.clone());
            put("aws:PrincipalType", "FederatedUser".to_owned());
            if let Some(name) = caller.arn.rsplit('/').next() {
                put("aws:userid", format!("{account}:{name}"));
            }
        }
        CallerKind::Root => {
            put("aws:PrincipalArn", caller.arn.clone());
            put("aws:PrincipalType", "Account".to_owned());
            put("aws:userid", account);
        }
        CallerKind::Service | CallerKind::Anonymous => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_callers() {
        let mut ctx = RequestContext::new();
        ctx.insert(
            "aws:PrincipalArn",
            ContextValue::Single("arn:aws:iam::111122223333:role/path/R".to_owned()),
        );
        let c = Caller::parse("arn:aws:sts::111122223333:assumed-role/R/s", &ctx).unwrap();
        assert_eq!(c.kind, CallerKind::RoleSession);
        // A7.4: the role ARN keeps its path, taken from the context.
        assert_eq!(
            c.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/path/R")
        );
        let none = RequestContext::new();
        assert_eq!(
            Caller::parse("arn:aws:iam::111122223333:root", &none)
                .unwrap()
                .kind,
            CallerKind::Root
        );
        assert_eq!(
            Caller::parse("logs.us-east-1.amazonaws.com", &none)
                .unwrap()
                .kind,
            CallerKind::Service
        );
        assert_eq!(
            Caller::parse("", &none).unwrap().kind,
            CallerKind::Anonymous
        );
        assert!(Caller::parse("arn:aws:iam::1:user/x", &none).is_err());
    }

    #[test]
    fn rereading_the_context_matches_parsing_again() {
        let principals = [
            "arn:aws:sts::111122223333:assumed-role/R/s",
            "arn:aws:iam::111122223333:user/eng/carol",
            "arn:aws:sts::111122223333:federated-user/bob",
            "arn:aws:iam::111122223333:root",
            "logs.us-east-1.amazonaws.com",
            "*",
        ];
        let empty = RequestContext::new();
        let mut full = RequestContext::new();
        for (k, v) in [
            ("aws:userid", "AROAID:s"),
            ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/path/R"),
        ] {
            full.insert(k, ContextValue::Single(v.to_owned()));
        }
        let mut user_parent = RequestContext::new();
        user_parent.insert(
            "aws:PrincipalArn",
            ContextValue::Single("arn:aws:iam::111122223333:user/alice".to_owned()),
        );
        let contexts = [&empty, &full, &user_parent];
        for p in principals {
            for before in &contexts {
                for after in &contexts {
                    let parsed = Caller::parse(p, before).unwrap();
                    assert_eq!(
                        parsed.reread(p, after).unwrap(),
                        Caller::parse(p, after).unwrap(),
                        "{p}"
                    );
                }
            }
            // Another principal is read whole.
            let other = Caller::parse(p, &RequestContext::new()).unwrap();
            assert_eq!(
                other.reread(principals[0], &RequestContext::new()).unwrap(),
                Caller::parse(principals[0], &RequestContext::new()).unwrap()
            );
        }
    }

    #[test]
    fn derives_missing_caller_keys_only() {
        let mut ctx = RequestContext::new();
        ctx.insert("aws:username", ContextValue::Single("kept".to_owned()));
        let c = Caller::parse("arn:aws:iam::111122223333:user/eng/carol", &ctx).unwrap();
        derive_caller_keys(&c, &mut ctx);
        let get = |k: &str| match ctx.get(k) {
            Some(ContextValue::Single(s)) => s.clone(),
            _ => String::new(),
        };
        assert_eq!(
            get("aws:PrincipalArn"),
            "arn:aws:iam::111122223333:user/eng/carol"
        );
        assert_eq!(get("aws:PrincipalType"), "User");
        assert_eq!(get("kms:CallerAccount"), "111122223333");
        assert_eq!(get("aws:username"), "kept");
    }
}
