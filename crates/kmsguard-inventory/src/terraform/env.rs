//! The account and Region each provider configuration deploys to.
//!
//! A plan rarely states its account: the sources, in order, are the provider configuration
//! (`region`, a single `allowed_account_ids` entry), the data sources the plan read
//! (`data.aws_caller_identity.*.account_id`, `data.aws_region.*.name`), the
//! [`LoadOptions`](crate::LoadOptions), and finally the stand-ins [`STAND_IN_ACCOUNT`] and
//! [`STAND_IN_REGION`].

use std::collections::HashMap;

use kmsguard_syntax::json::Node;
use kmsguard_syntax::unknown;

use super::plan::{Plan, Target};
use crate::load::LoadOptions;

/// The account used for the plan's own resources when nothing says which it is.
pub const STAND_IN_ACCOUNT: &str = "000000000000";
/// The Region used for the plan's own resources when nothing says which it is.
pub const STAND_IN_REGION: &str = "us-east-1";

/// Accounts and Regions by provider configuration key (`aws`, `aws.replica`).
#[derive(Debug, Default)]
pub(super) struct Env {
    /// The default provider's account.
    pub account: String,
    /// The default provider's Region.
    pub region: String,
    regions: HashMap<String, String>,
    accounts: HashMap<String, String>,
}

impl Env {
    /// Works out the accounts and Regions of `plan`.
    pub fn compute(plan: &Plan<'_>, options: &LoadOptions) -> Self {
        let mut env = Env::default();
        for p in plan.providers.and_then(Node::as_object).unwrap_or_default() {
            let key = p.key.to_string();
            let ctx = p
                .value
                .get("module_address")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let exprs = p.value.get("expressions");
            let region = exprs
                .and_then(|e| e.get("region"))
                .and_then(|e| plan.resolve_expression(e, ctx, 0))
                .and_then(|t| known(plan, t));
            if let Some(r) = region {
                env.regions.insert(key.clone(), r);
            }
            let allowed = exprs
                .and_then(|e| e.get("allowed_account_ids"))
                .and_then(|e| e.get("constant_value"))
                .and_then(Node::as_array);
            if let Some([one]) = allowed {
                if let Some(a) = one.as_str() {
                    env.accounts.insert(key, a.to_owned());
                }
            }
        }
        for r in plan.resources.iter().filter(|r| r.data) {
            let key = r.provider_key().unwrap_or("aws").to_owned();
            let text = |k: &str| {
                r.after?
                    .get(k)?
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            match r.kind.as_str() {
                "aws_caller_identity" => {
                    if let Some(a) = text("account_id") {
                        env.accounts.entry(key).or_insert(a);
                    }
                }
                "aws_region" => {
                    if let Some(a) = text("region").or_else(|| text("name")) {
                        env.regions.entry(key).or_insert(a);
                    }
                }
                _ => {}
            }
        }
        env.region = default_of(&env.regions, options.region.as_deref(), STAND_IN_REGION);
        env.account = default_of(&env.accounts, options.account.as_deref(), STAND_IN_ACCOUNT);
        env
    }

    /// The Region of the provider configuration `key` (the default one's when unknown).
    pub fn region(&self, key: Option<&str>) -> &str {
        lookup(&self.regions, key).unwrap_or(&self.region)
    }

    /// The account of the provider configuration `key` (the default one's when unknown).
    pub fn account(&self, key: Option<&str>) -> &str {
        lookup(&self.accounts, key).unwrap_or(&self.account)
    }
}

fn known(plan: &Plan<'_>, target: Target) -> Option<String> {
    plan.target_text(target, 1)
        .filter(|s| !unknown::contains(s) && !s.is_empty())
}

fn lookup<'m>(map: &'m HashMap<String, String>, key: Option<&str>) -> Option<&'m str> {
    let key = key?;
    // A module's resources may name the provider as `module.kms:aws`; the provider a module
    // inherits is the root one of the same name.
    map.get(key)
        .or_else(|| map.get(key.rsplit_once(':')?.1))
        .map(String::as_str)
}

fn default_of(map: &HashMap<String, String>, option: Option<&str>, stand_in: &str) -> String {
    if let Some(v) = map.get("aws") {
        return v.clone();
    }
    let mut values = map.values();
    if let (Some(v), None) = (values.next(), values.next()) {
        return v.clone();
    }
    option.unwrap_or(stand_in).to_owned()
}
