//! Fixes: the statement to paste, and applying it to an inventory (tests check that every
//! fix makes its finding go away).

use kmsguard_syntax::ast::PolicyKind;

use crate::access::Principal;
use crate::model::{Doc, Inventory, Key, Origin};

/// Where a fix goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixTarget {
    /// Append to the key policy of the key with this ARN.
    KeyPolicy(String),
    /// Add to the IAM policies of the role or user with this ARN.
    Identity(String),
}

/// A statement to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Where.
    pub target: FixTarget,
    /// The statement, as JSON ready to paste.
    pub statement: String,
}

fn sid_part(text: &str) -> String {
    text.split(['/', ':', '-', '_', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase()
                    .chain(c)
                    .filter(char::is_ascii_alphanumeric)
                    .collect()
            })
        })
        .collect()
}

fn json_list(actions: &[String]) -> String {
    if let [one] = actions {
        format!("\"{one}\"")
    } else {
        format!(
            "[{}]",
            actions
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The condition block: `kms:ViaService` when the scenario's calls come through a service, and
/// `kms:GrantIsForAWSResource` for a statement that allows only `kms:CreateGrant` (a condition
/// applies to every action of its statement, so callers ask for CreateGrant on its own).
fn condition(via: Option<&str>, actions: &[String]) -> String {
    let mut parts = Vec::new();
    if let Some(v) = via {
        parts.push(format!(
            "    \"StringEquals\": {{ \"kms:ViaService\": \"{v}\" }}"
        ));
    }
    if actions.len() == 1 && actions.iter().all(|a| a == "kms:CreateGrant") {
        parts.push("    \"Bool\": { \"kms:GrantIsForAWSResource\": \"true\" }".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(",\n  \"Condition\": {{\n{}\n  }}", parts.join(",\n"))
    }
}

impl Fix {
    /// A key-policy statement admitting `p` for `actions`.
    #[must_use]
    pub fn key_statement(
        key: &Key,
        p: &Principal,
        actions: &[String],
        via: Option<&str>,
        sid_hint: &str,
    ) -> Self {
        let principal = p.policy_arn();
        let name = if p.is_stand_in() {
            "Account"
        } else {
            p.arn.rsplit('/').next().unwrap_or(&p.arn)
        };
        let statement = format!(
            "{{\n  \"Sid\": \"{}{}\",\n  \"Effect\": \"Allow\",\n  \"Principal\": {{ \"AWS\": \"{}\" }},\n  \"Action\": {},\n  \"Resource\": \"*\"{}\n}}",
            sid_part(name),
            sid_hint,
            principal,
            json_list(actions),
            condition(via, actions)
        );
        Self {
            target: FixTarget::KeyPolicy(key.arn.clone()),
            statement,
        }
    }

    /// An identity-policy statement allowing `actions` on `key`.
    #[must_use]
    pub fn identity_statement(
        key: &Key,
        p: &Principal,
        actions: &[String],
        via: Option<&str>,
        sid_hint: &str,
    ) -> Self {
        let statement = format!(
            "{{\n  \"Sid\": \"{}\",\n  \"Effect\": \"Allow\",\n  \"Action\": {},\n  \"Resource\": \"{}\"{}\n}}",
            sid_hint.trim_start_matches(|c: char| !c.is_ascii_alphanumeric()),
            json_list(actions),
            key.arn,
            condition(via, actions)
        );
        Self {
            target: FixTarget::Identity(p.arn.clone()),
            statement,
        }
    }
}

/// Applies `fix` to `inv`.
///
/// # Errors
/// The target is not in the inventory, or the statement does not parse.
pub fn apply_fix(inv: &mut Inventory, fix: &Fix) -> Result<(), String> {
    let kind = match fix.target {
        FixTarget::KeyPolicy(_) => PolicyKind::Key,
        FixTarget::Identity(_) => PolicyKind::Identity,
    };
    let text = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
        fix.statement
    );
    let node = kmsguard_syntax::json::parse(&text, &Default::default())
        .map_err(|e| format!("fix does not parse: {e:?}"))?;
    let mut diags = Vec::new();
    let policy = kmsguard_syntax::lower::policy(&node, kind, &mut diags)
        .ok_or_else(|| "fix is not a policy".to_owned())?;
    if let Some(d) = diags
        .iter()
        .find(|d| d.severity == kmsguard_syntax::Severity::Error)
    {
        return Err(format!("fix is invalid: {}", d.message));
    }
    match &fix.target {
        FixTarget::KeyPolicy(arn) => {
            let key = inv
                .keys
                .iter_mut()
                .find(|k| k.arn == *arn)
                .ok_or_else(|| format!("no key `{arn}`"))?;
            match &mut key.policy {
                Some(doc) => doc.policy.statements.extend(policy.statements),
                None => {
                    key.policy = Some(Doc {
                        policy,
                        has_errors: false,
                        origin: Origin::default(),
                        label: "key policy".to_owned(),
                    });
                }
            }
        }
        FixTarget::Identity(arn) => {
            let identity = inv
                .identities
                .iter_mut()
                .find(|i| i.arn == *arn)
                .ok_or_else(|| format!("no identity `{arn}`"))?;
            identity.inline_policies.push(Doc {
                policy,
                has_errors: false,
                origin: Origin::default(),
                label: "kmsguard fix".to_owned(),
            });
        }
    }
    Ok(())
}
