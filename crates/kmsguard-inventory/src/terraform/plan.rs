//! The plan's index: every resource instance with its proposed values, the configuration's
//! expressions, and how a reference in one resolves to a value of another.

use std::collections::HashMap;

use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Diagnostic, Span};

use super::addr::{self, Reference};
use super::{P401, invalid};

/// How many references, variables and module outputs a value may pass through before it is
/// given up on (guards against cycles a hand-edited plan might hold).
pub(super) const MAX_DEPTH: u8 = 16;

/// One resource instance: a `resource_changes` entry (or a data source read during planning).
#[derive(Debug)]
pub(super) struct Res<'n> {
    /// `module.kms.aws_kms_key.this`.
    pub address: String,
    /// The module instance address (`module.kms`), empty at the root.
    pub module: String,
    /// The resource type (`aws_kms_key`).
    pub kind: String,
    /// A data source.
    pub data: bool,
    /// `change.after` (or `values`).
    pub after: Option<&'n Node<'n>>,
    /// `change.after_unknown`.
    pub unknown: Option<&'n Node<'n>>,
    /// The configuration block (`configuration…resources[]` entry).
    pub config: Option<&'n Node<'n>>,
    /// The entry's span.
    pub span: Span,
}

impl<'n> Res<'n> {
    /// The configuration's `expressions` object.
    pub fn expressions(&self) -> Option<&'n Node<'n>> {
        self.config?.get("expressions")
    }

    /// `provider_config_key` of the configuration block.
    pub fn provider_key(&self) -> Option<&'n str> {
        self.config?.get("provider_config_key")?.as_str()
    }
}

/// What a reference resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// A value known at plan time (a constant or a root variable).
    Value(String),
    /// An attribute of another resource instance.
    Attr {
        /// Index in [`Plan::resources`].
        res: usize,
        /// The attribute path (`["arn"]`, `["tags[\"Name\"]"]`).
        path: Vec<String>,
    },
}

/// The indexed plan.
#[derive(Debug)]
pub(super) struct Plan<'n> {
    /// Resource instances: changes first, then data sources of the prior state and planned
    /// values that have no change.
    pub resources: Vec<Res<'n>>,
    by_address: HashMap<String, usize>,
    /// Instances by the address of their configuration block.
    by_config: HashMap<String, Vec<usize>>,
    /// Configuration modules by path without instance keys (`""`, `module.kms`).
    modules: HashMap<String, &'n Node<'n>>,
    variables: Option<&'n Node<'n>>,
    /// `configuration.provider_config`.
    pub providers: Option<&'n Node<'n>>,
    /// The account and Region each provider deploys to.
    pub env: super::env::Env,
}

impl<'n> Plan<'n> {
    /// Indexes `root`, reporting entries of the wrong shape.
    pub fn index(root: &'n Node<'n>, diags: &mut Vec<Diagnostic>) -> Self {
        let mut plan = Plan {
            resources: Vec::new(),
            by_address: HashMap::new(),
            by_config: HashMap::new(),
            modules: HashMap::new(),
            variables: root.get("variables"),
            providers: root
                .get("configuration")
                .and_then(|c| c.get("provider_config")),
            env: super::env::Env::default(),
        };
        let mut configs = HashMap::new();
        if let Some(module) = root.get("configuration").and_then(|c| c.get("root_module")) {
            plan.walk_config(String::new(), module, &mut configs, 0);
        }
        match root.get("resource_changes") {
            Some(Node {
                value: Value::Array(items),
                ..
            }) => {
                for item in items {
                    plan.add_change(item, diags);
                }
            }
            Some(Node {
                value: Value::Null, ..
            })
            | None => {}
            Some(other) => diags.push(invalid("`resource_changes` must be an array", other)),
        }
        for state in ["prior_state", "planned_values"] {
            let values = root.get(state);
            let values = if state == "prior_state" {
                values.and_then(|s| s.get("values"))
            } else {
                values
            };
            if let Some(module) = values.and_then(|v| v.get("root_module")) {
                plan.add_values_module(module, state == "planned_values", 0);
            }
        }
        for (i, r) in plan.resources.iter_mut().enumerate() {
            let config_address = addr::config_address(&r.address);
            r.config = configs.get(&config_address).copied();
            plan.by_config.entry(config_address).or_default().push(i);
        }
        plan
    }

    fn walk_config(
        &mut self,
        path: String,
        module: &'n Node<'n>,
        configs: &mut HashMap<String, &'n Node<'n>>,
        depth: u8,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        for r in module
            .get("resources")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            if let Some(a) = r.get("address").and_then(Node::as_str) {
                configs.insert(addr::join(&path, a), r);
            }
        }
        for call in module
            .get("module_calls")
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            if let Some(child) = call.value.get("module") {
                let child_path = addr::join(&path, &format!("module.{}", call.key));
                self.walk_config(child_path, child, configs, depth.saturating_add(1));
            }
        }
        self.modules.insert(path, module);
    }

    fn add_change(&mut self, item: &'n Node<'n>, diags: &mut Vec<Diagnostic>) {
        let Some(address) = item.get("address").and_then(Node::as_str) else {
            diags.push(invalid("a resource change has no `address`", item));
            return;
        };
        let change = item.get("change");
        let after = change.and_then(|c| c.get("after"));
        // A deleted (or forgotten) resource has `"after": null`: it is not in the proposed world.
        let Some(after) = after.filter(|a| a.as_object().is_some()) else {
            return;
        };
        let res = Res {
            address: address.to_owned(),
            module: str_of(item, "module_address")
                .unwrap_or_default()
                .to_owned(),
            kind: str_of(item, "type").unwrap_or_default().to_owned(),
            data: str_of(item, "mode") == Some("data"),
            after: Some(after),
            unknown: change.and_then(|c| c.get("after_unknown")),
            config: None,
            span: item.span,
        };
        self.push(res);
    }

    fn add_values_module(&mut self, module: &'n Node<'n>, planned: bool, depth: u8) {
        if depth > MAX_DEPTH {
            return;
        }
        let module_address = str_of(module, "address").unwrap_or_default();
        for item in module
            .get("resources")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            let Some(address) = str_of(item, "address") else {
                continue;
            };
            let data = str_of(item, "mode") == Some("data");
            // Managed resources come from `resource_changes`; planned values stand in only for
            // plans that have none (a trimmed plan).
            if (!data && !planned) || self.by_address.contains_key(address) {
                continue;
            }
            self.push(Res {
                address: address.to_owned(),
                module: module_address.to_owned(),
                kind: str_of(item, "type").unwrap_or_default().to_owned(),
                data,
                after: item.get("values"),
                unknown: None,
                config: None,
                span: item.span,
            });
        }
        for child in module
            .get("child_modules")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            self.add_values_module(child, planned, depth.saturating_add(1));
        }
    }

    fn push(&mut self, res: Res<'n>) {
        if self.by_address.contains_key(&res.address) {
            return;
        }
        self.by_address
            .insert(res.address.clone(), self.resources.len());
        self.resources.push(res);
    }

    /// The resource instance at index `i`.
    pub fn res(&self, i: usize) -> Option<&Res<'n>> {
        self.resources.get(i)
    }

    /// Resolves a configuration expression (`{"references": [...]}` or
    /// `{"constant_value": ...}`) evaluated in module instance `ctx`.
    pub fn resolve_expression(&self, expr: &Node<'_>, ctx: &str, depth: u8) -> Option<Target> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(c) = expr.get("constant_value") {
            return scalar_text(c).map(Target::Value);
        }
        let refs: Vec<&str> = expr
            .get("references")?
            .as_array()?
            .iter()
            .filter_map(Node::as_str)
            .collect();
        match addr::value_references(&refs).as_slice() {
            [one] => self.resolve_reference(one, ctx, depth.saturating_add(1)),
            _ => None,
        }
    }

    /// The references of an expression that name a value, each resolved (`None` where one
    /// cannot be).
    pub fn resolve_each(&self, expr: &Node<'_>, ctx: &str, depth: u8) -> Vec<Option<Target>> {
        let refs: Vec<&str> = expr
            .get("references")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        addr::value_references(&refs)
            .into_iter()
            .map(|r| self.resolve_reference(r, ctx, depth.saturating_add(1)))
            .collect()
    }

    /// Resolves one reference evaluated in module instance `ctx`.
    pub fn resolve_reference(&self, text: &str, ctx: &str, depth: u8) -> Option<Target> {
        if depth > MAX_DEPTH {
            return None;
        }
        let next = depth.saturating_add(1);
        match addr::reference(text) {
            Reference::Var(name) => match addr::parent_module(ctx) {
                Some((parent, call)) => {
                    let module = self.modules.get(&addr::config_address(&parent))?;
                    let expr = module
                        .get("module_calls")?
                        .get(addr::bare(call))?
                        .get("expressions")?
                        .get(name)?;
                    self.resolve_expression(expr, &parent, next)
                }
                None => scalar_text(self.variables?.get(name)?.get("value")?).map(Target::Value),
            },
            Reference::Output { call, output } => {
                let child = addr::join(ctx, &format!("module.{call}"));
                let module = self.modules.get(&addr::config_address(&child))?;
                let expr = module.get("outputs")?.get(output)?.get("expression")?;
                self.resolve_expression(expr, &child, next)
            }
            Reference::Attribute { resource, path } => {
                let res = self.find(&addr::join(ctx, &resource))?;
                Some(Target::Attr {
                    res,
                    path: path.into_iter().map(str::to_owned).collect(),
                })
            }
            Reference::Other => None,
        }
    }

    /// The instance at `address`; for an address without instance key, the only instance of
    /// that resource (a reference to a `count`/`for_each` resource that names no instance is
    /// ambiguous).
    fn find(&self, address: &str) -> Option<usize> {
        if let Some(&i) = self.by_address.get(address) {
            return Some(i);
        }
        if address.ends_with(']') {
            return None;
        }
        match self
            .by_config
            .get(&addr::config_address(address))?
            .as_slice()
        {
            [one] => Some(*one),
            _ => None,
        }
    }
}

fn str_of<'n>(node: &'n Node<'_>, key: &str) -> Option<&'n str> {
    node.get(key)?.as_str()
}

/// A string, number or boolean as text.
pub(super) fn scalar_text(node: &Node<'_>) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Number(n) => Some((*n).to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Checks the members the reader relies on and reports the first of the wrong type.
pub(super) fn check_shape(root: &Node<'_>, diags: &mut Vec<Diagnostic>) {
    let expect_object = [
        "planned_values",
        "prior_state",
        "configuration",
        "variables",
    ];
    for key in expect_object {
        if let Some(n) = root.get(key) {
            if n.as_object().is_none() && !matches!(n.value, Value::Null) {
                diags.push(invalid(&format!("`{key}` must be an object"), n));
            }
        }
    }
    if let Some(v) = root.get("format_version") {
        if v.as_str().is_none() {
            diags.push(
                Diagnostic::error(P401, "`format_version` must be a string")
                    .label(v.span, "expected a string like `\"1.2\"`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use kmsguard_syntax::json::{Limits, parse};

    use super::*;

    const PLAN: &str = r#"{
      "variables": {"env": {"value": "prod"}},
      "resource_changes": [
        {"address": "module.a[0].aws_kms_key.k", "module_address": "module.a[0]", "mode": "managed",
         "type": "aws_kms_key", "name": "k", "change": {"actions": ["create"], "after": {}}},
        {"address": "aws_kms_key.gone", "mode": "managed", "type": "aws_kms_key", "name": "gone",
         "change": {"actions": ["delete"], "after": null}}
      ],
      "prior_state": {"values": {"root_module": {"resources": [
        {"address": "data.aws_region.current", "mode": "data", "type": "aws_region", "name": "current",
         "values": {"name": "eu-west-3"}}]}}},
      "configuration": {"root_module": {
        "module_calls": {"a": {
          "expressions": {"tier": {"references": ["var.env"]}, "fixed": {"constant_value": "x"}},
          "module": {
            "outputs": {"arn": {"expression": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]}}},
            "resources": [{"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k",
                           "expressions": {"description": {"references": ["var.tier"]}}}]}}}}}
    }"#;

    #[test]
    fn indexes_changes_data_sources_and_configuration() {
        let root = parse(PLAN, &Limits::default()).unwrap_or_else(|_| Node {
            value: Value::Null,
            span: Span::default(),
        });
        let mut diags = Vec::new();
        let plan = Plan::index(&root, &mut diags);
        assert!(diags.is_empty());
        let addresses: Vec<_> = plan.resources.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(
            addresses,
            ["module.a[0].aws_kms_key.k", "data.aws_region.current"]
        );
        assert!(plan.resources.first().is_some_and(|r| r.config.is_some()));
        assert!(plan.resources.get(1).is_some_and(|r| r.data));
    }

    #[test]
    fn resolves_variables_outputs_and_attributes() {
        let root = parse(PLAN, &Limits::default()).unwrap_or_else(|_| Node {
            value: Value::Null,
            span: Span::default(),
        });
        let plan = Plan::index(&root, &mut Vec::new());
        // var.tier in module.a[0] is the root's var.env.
        assert_eq!(
            plan.resolve_reference("var.tier", "module.a[0]", 0),
            Some(Target::Value("prod".to_owned()))
        );
        assert_eq!(
            plan.resolve_reference("var.fixed", "module.a[0]", 0),
            Some(Target::Value("x".to_owned()))
        );
        // module.a.arn is the key's arn; the only instance of the module is taken.
        assert_eq!(
            plan.resolve_reference("module.a.arn", "", 0),
            Some(Target::Attr {
                res: 0,
                path: vec!["arn".to_owned()]
            })
        );
        assert_eq!(
            plan.resolve_reference("data.aws_region.current.name", "", 0),
            Some(Target::Attr {
                res: 1,
                path: vec!["name".to_owned()]
            })
        );
        assert_eq!(plan.resolve_reference("aws_kms_key.gone.arn", "", 0), None);
        assert_eq!(plan.resolve_reference("local.x", "", 0), None);
    }
}
