//! `Principal` / `NotPrincipal` (evaluation.md A7).

use super::SpannedList;
use crate::source::Spanned;

/// `Principal` or `NotPrincipal`, with the span of the element's key.
#[derive(Clone, Debug, PartialEq)]
pub enum PrincipalBlock {
    /// `Principal`.
    Principal(Spanned<Principals>),
    /// `NotPrincipal`.
    NotPrincipal(Spanned<Principals>),
}

impl PrincipalBlock {
    /// The principals, whichever element holds them.
    #[must_use]
    pub fn principals(&self) -> &Spanned<Principals> {
        match self {
            Self::Principal(p) | Self::NotPrincipal(p) => p,
        }
    }

    /// Whether this is `NotPrincipal`.
    #[must_use]
    pub fn is_not(&self) -> bool {
        matches!(self, Self::NotPrincipal(_))
    }
}

/// The value of a principal element.
#[derive(Clone, Debug, PartialEq)]
pub enum Principals {
    /// The bare string `"*"`.
    Any,
    /// An object of principal types to values, entries in source order.
    Map(Vec<PrincipalEntry>),
}

/// One `"Type": value-or-list` member of a principal object.
#[derive(Clone, Debug, PartialEq)]
pub enum PrincipalEntry {
    /// `"AWS"`: accounts, IAM users and roles, sessions, unique ids, or `"*"`.
    Aws(SpannedList<AwsPrincipal>),
    /// `"Service"`: AWS service principals such as `cloudtrail.amazonaws.com`.
    Service(SpannedList<String>),
    /// `"Federated"`: identity providers (trust policies).
    Federated(SpannedList<String>),
    /// `"CanonicalUser"`: S3 canonical user ids.
    CanonicalUser(SpannedList<String>),
}

/// A value of an `"AWS"` principal entry, or a grant's grantee/retiring principal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AwsPrincipal {
    /// The text as written.
    pub text: String,
    /// What the text names.
    pub form: PrincipalForm,
}

/// The forms an AWS principal value takes (A7.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrincipalForm {
    /// `"*"`: everyone.
    Any,
    /// A whole account: a bare 12-digit id or `arn:PARTITION:iam::ACCOUNT:root`.
    Account {
        /// The partition, when written as an ARN.
        partition: Option<String>,
        /// The account id.
        account: String,
    },
    /// `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`.
    User {
        /// Partition (`aws`, `aws-cn`, ...).
        partition: String,
        /// Account id.
        account: String,
        /// Path with leading and trailing `/` (`/` when none).
        path: String,
        /// User name.
        name: String,
    },
    /// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`: every session of the role.
    Role {
        /// Partition.
        partition: String,
        /// Account id.
        account: String,
        /// Path with leading and trailing `/` (`/` when none).
        path: String,
        /// Role name.
        name: String,
    },
    /// `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`: one session name.
    AssumedRole {
        /// Partition.
        partition: String,
        /// Account id.
        account: String,
        /// Role name (no path: session ARNs drop it).
        role: String,
        /// Session name.
        session: String,
    },
    /// `arn:PARTITION:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser {
        /// Partition.
        partition: String,
        /// Account id.
        account: String,
        /// User name.
        name: String,
    },
    /// A unique id (`AIDA…`, `AROA…`): the named principal was deleted (A7.5).
    UniqueId(UniqueIdKind),
    /// A value that looks like an unfilled template placeholder (`account-id`, `<ACCOUNT>`,
    /// `${AWS::AccountId}`); it matches nobody.
    Placeholder,
    /// A value in none of the forms AWS accepts; it matches nobody.
    Invalid,
    /// A value a template cannot know before deploy (it holds a
    /// [`crate::unknown`] placeholder): it may name anyone, so a decision that depends on it
    /// is indeterminate.
    Unknown,
}

impl PrincipalForm {
    /// The account the principal belongs to, when it names one.
    #[must_use]
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Account { account, .. }
            | Self::User { account, .. }
            | Self::Role { account, .. }
            | Self::AssumedRole { account, .. }
            | Self::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }
}

/// What a unique-id prefix says the deleted principal was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UniqueIdKind {
    /// `AIDA`: an IAM user.
    User,
    /// `AROA`: an IAM role.
    Role,
}

impl AwsPrincipal {
    /// Reads a principal value. Never fails: malformed text becomes [`PrincipalForm::Invalid`]
    /// or [`PrincipalForm::Placeholder`], which the lowering reports.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            form: parse_form(text),
        }
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` looks like a documentation or template placeholder rather than a value.
#[must_use]
pub fn looks_like_placeholder(s: &str) -> bool {
    s.contains(['<', '>', '{', '}', '$'])
        || s.bytes().any(|b| b.is_ascii_alphabetic()) && !s.contains(':')
        || s.contains("account")
        || s.contains("ACCOUNT")
        || s.contains("Account")
        || s.contains("xxxx")
        || s.contains("XXXX")
}

fn parse_form(text: &str) -> PrincipalForm {
    if crate::unknown::contains(text) {
        return PrincipalForm::Unknown;
    }
    if text == "*" {
        return PrincipalForm::Any;
    }
    if is_account_id(text) {
        return PrincipalForm::Account {
            partition: None,
            account: text.to_owned(),
        };
    }
    if let Some(kind) = unique_id_kind(text) {
        return PrincipalForm::UniqueId(kind);
    }
    let Some(rest) = text.strip_prefix("arn:") else {
        return if looks_like_placeholder(text) {
            PrincipalForm::Placeholder
        } else {
            PrincipalForm::Invalid
        };
    };
    let mut parts = rest.splitn(5, ':');
    let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return PrincipalForm::Invalid;
    };
    let placeholder = || {
        if looks_like_placeholder(account) {
            PrincipalForm::Placeholder
        } else {
            PrincipalForm::Invalid
        }
    };
    // Partial wildcards are not allowed in principals (A7.2): `arn:aws:iam::*:root` is invalid.
    if text.contains('*') || !region.is_empty() || partition.is_empty() {
        return PrincipalForm::Invalid;
    }
    if !is_account_id(account) {
        return placeholder();
    }
    let (p, a) = (partition.to_owned(), account.to_owned());
    match service {
        "iam" => {
            if resource == "root" {
                return PrincipalForm::Account {
                    partition: Some(p),
                    account: a,
                };
            }
            let (kind, path_name) = match resource.split_once('/') {
                Some((k, pn)) if !pn.is_empty() => (k, pn),
                _ => return PrincipalForm::Invalid,
            };
            let (path, name) = split_path(path_name);
            match kind {
                "user" => PrincipalForm::User {
                    partition: p,
                    account: a,
                    path,
                    name,
                },
                "role" => PrincipalForm::Role {
                    partition: p,
                    account: a,
                    path,
                    name,
                },
                _ => PrincipalForm::Invalid,
            }
        }
        "sts" => {
            let mut it = resource.split('/');
            match (it.next(), it.next(), it.next(), it.next()) {
                (Some("assumed-role"), Some(role), Some(session), None)
                    if !role.is_empty() && !session.is_empty() =>
                {
                    PrincipalForm::AssumedRole {
                        partition: p,
                        account: a,
                        role: role.to_owned(),
                        session: session.to_owned(),
                    }
                }
                (Some("federated-user"), Some(name), None, None) if !name.is_empty() => {
                    PrincipalForm::FederatedUser {
                        partition: p,
                        account: a,
                        name: name.to_owned(),
                    }
                }
                _ => PrincipalForm::Invalid,
            }
        }
        _ => PrincipalForm::Invalid,
    }
}

/// Splits `path/segments/Name` into (`/path/segments/`, `Name`).
fn split_path(path_name: &str) -> (String, String) {
    match path_name.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name.to_owned()),
        None => ("/".to_owned(), path_name.to_owned()),
    }
}

fn unique_id_kind(text: &str) -> Option<UniqueIdKind> {
    let kind = if text.starts_with("AIDA") {
        UniqueIdKind::User
    } else if text.starts_with("AROA") {
        UniqueIdKind::Role
    } else {
        return None;
    };
    // Unique ids are 21 characters of upper-case letters and digits in practice; accept 16+.
    (text.len() >= 16
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let f = |t: &str| AwsPrincipal::parse(t).form;
        assert_eq!(f("*"), PrincipalForm::Any);
        assert_eq!(
            f("111122223333"),
            PrincipalForm::Account {
                partition: None,
                account: "111122223333".into()
            }
        );
        assert!(matches!(
            f("arn:aws:iam::111122223333:root"),
            PrincipalForm::Account {
                partition: Some(_),
                ..
            }
        ));
        assert_eq!(
            f("arn:aws:iam::111122223333:role/ops/Admin"),
            PrincipalForm::Role {
                partition: "aws".into(),
                account: "111122223333".into(),
                path: "/ops/".into(),
                name: "Admin".into()
            }
        );
        assert!(matches!(
            f("arn:aws:sts::111122223333:assumed-role/R/s@x"),
            PrincipalForm::AssumedRole { .. }
        ));
        assert_eq!(f("arn:aws:iam::*:root"), PrincipalForm::Invalid);
        assert_eq!(
            f("arn:aws:iam::111122223333:role/*"),
            PrincipalForm::Invalid
        );
        assert_eq!(
            f("arn:aws:iam::account-id:root"),
            PrincipalForm::Placeholder
        );
        assert_eq!(f("Your_account_ID"), PrincipalForm::Placeholder);
        assert_eq!(
            f("AROAEXAMPLEID1234567"),
            PrincipalForm::UniqueId(UniqueIdKind::Role)
        );
        assert_eq!(
            f("arn:aws:iam::111122223333:group/G"),
            PrincipalForm::Invalid
        );
    }
}
