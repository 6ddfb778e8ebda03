//! AWS CLI outputs (and bare documents).

use super::{
    Content, Document, InputFormat, ParseOptions, ParsedFile, embedded_or_inline, lower_policy,
};
use crate::ast::PolicyKind;
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Node, Value};
use crate::lower;
use crate::source::Span;

pub(super) fn read(
    format: InputFormat,
    text: &str,
    root: &Node<'_>,
    options: &ParseOptions,
    out: &mut ParsedFile,
) {
    let mut r = Reader { text, options, out };
    match format {
        InputFormat::Policy => r.policy(root, String::new(), None, None),
        InputFormat::GetKeyPolicy => {
            if let Some(p) = r.field(root, "Policy") {
                r.policy(p, "Policy".to_owned(), None, None);
            }
        }
        InputFormat::ListGrants => r.grants(root),
        InputFormat::Grant => r.grant(root, String::new()),
        InputFormat::DescribeKey => {
            if let Some(meta) = r.field(root, "KeyMetadata") {
                let mut diags = Vec::new();
                if let Some(m) = lower::key_metadata(meta, &mut diags) {
                    r.push(
                        "KeyMetadata".to_owned(),
                        None,
                        meta.span,
                        Content::KeyMetadata(m),
                    );
                }
                r.out.diagnostics.append(&mut diags);
            }
        }
        InputFormat::GetPolicyVersion => {
            if let Some(doc) = r
                .field(root, "PolicyVersion")
                .and_then(|v| r.field(v, "Document"))
            {
                r.policy(
                    doc,
                    "PolicyVersion.Document".to_owned(),
                    None,
                    Some(PolicyKind::Identity),
                );
            }
        }
        InputFormat::GetInlinePolicy => {
            if let Some(doc) = r.field(root, "PolicyDocument") {
                let owner = ["RoleName", "UserName", "GroupName"].iter().find_map(|k| {
                    root.get(k)
                        .and_then(Node::as_str)
                        .map(|n| format!("{}/{n}", k.trim_end_matches("Name").to_ascii_lowercase()))
                });
                let name = match (owner, root.get("PolicyName").and_then(Node::as_str)) {
                    (Some(o), Some(p)) => Some(format!("{o} inline policy {p}")),
                    (Some(o), None) => Some(o),
                    (None, p) => p.map(str::to_owned),
                };
                r.policy(
                    doc,
                    "PolicyDocument".to_owned(),
                    name,
                    Some(PolicyKind::Identity),
                );
            }
        }
        InputFormat::AuthorizationDetails => r.authorization_details(root),
    }
}

struct Reader<'t, 'o> {
    text: &'t str,
    options: &'o ParseOptions,
    out: &'o mut ParsedFile,
}

impl Reader<'_, '_> {
    fn push(&mut self, location: String, name: Option<String>, span: Span, content: Content) {
        self.out.documents.push(Document {
            location,
            name,
            span,
            content,
        });
    }

    /// A required member, reported when missing.
    fn field<'n, 'a>(&mut self, node: &'n Node<'a>, key: &str) -> Option<&'n Node<'a>> {
        let Some(members) = node.as_object() else {
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::P101,
                    format!(
                        "expected an object with `{key}`, found {}",
                        node.type_name()
                    ),
                )
                .label(node.span, "expected an object"),
            );
            return None;
        };
        let found = members.iter().find(|m| m.key == key).map(|m| &m.value);
        if found.is_none() {
            self.out.diagnostics.push(
                Diagnostic::error(Code::P007, format!("missing `{key}`"))
                    .label(
                        Span::new(node.span.start as usize, node.span.start as usize + 1),
                        format!("this object has no `{key}`"),
                    )
                    .help("pass `--input-format` if the file is of another kind"),
            );
        }
        found
    }

    fn policy(
        &mut self,
        node: &Node<'_>,
        location: String,
        name: Option<String>,
        default_kind: Option<PolicyKind>,
    ) {
        let mut diags = Vec::new();
        let options = self.options;
        let policy = embedded_or_inline(self.text, node, options, &mut diags, |n, d| {
            lower_policy(n, default_kind, options, d)
        });
        self.out.diagnostics.append(&mut diags);
        if let Some(p) = policy {
            self.push(location, name, node.span, Content::Policy(p));
        }
    }

    fn grant(&mut self, node: &Node<'_>, location: String) {
        let mut diags = Vec::new();
        if let Some(g) = lower::grant(node, &mut diags) {
            let name = g.grant_id.as_ref().map(|id| format!("grant {}", id.node));
            self.push(location, name, node.span, Content::Grant(g));
        }
        self.out.diagnostics.append(&mut diags);
    }

    fn grants(&mut self, root: &Node<'_>) {
        let Some(list) = self.field(root, "Grants") else {
            return;
        };
        match list.as_array() {
            Some(items) => {
                for (i, g) in items.iter().enumerate() {
                    self.grant(g, format!("Grants[{i}]"));
                }
            }
            None => self.out.diagnostics.push(
                Diagnostic::error(
                    Code::P101,
                    format!("`Grants` must be an array, found {}", list.type_name()),
                )
                .label(list.span, "expected an array"),
            ),
        }
    }

    /// Walks `get-account-authorization-details` output: inline policies of users, groups and
    /// roles, role trust policies, and every version of every managed policy.
    fn authorization_details(&mut self, root: &Node<'_>) {
        let lists = [
            ("UserDetailList", "UserName", "user", "UserPolicyList"),
            ("GroupDetailList", "GroupName", "group", "GroupPolicyList"),
            ("RoleDetailList", "RoleName", "role", "RolePolicyList"),
        ];
        for (list_key, name_key, noun, policies_key) in lists {
            for (i, entity) in array(root.get(list_key)).iter().enumerate() {
                let entity_name = entity
                    .get(name_key)
                    .and_then(Node::as_str)
                    .unwrap_or("?")
                    .to_owned();
                if let Some(trust) = entity.get("AssumeRolePolicyDocument") {
                    let loc = format!("{list_key}[{i}].AssumeRolePolicyDocument");
                    self.policy(
                        trust,
                        loc,
                        Some(format!("{noun}/{entity_name} trust policy")),
                        Some(PolicyKind::Trust),
                    );
                }
                for (j, p) in array(entity.get(policies_key)).iter().enumerate() {
                    let Some(doc) = p.get("PolicyDocument") else {
                        continue;
                    };
                    let pname = p.get("PolicyName").and_then(Node::as_str).unwrap_or("?");
                    let loc = format!("{list_key}[{i}].{policies_key}[{j}].PolicyDocument");
                    self.policy(
                        doc,
                        loc,
                        Some(format!("{noun}/{entity_name} inline policy {pname}")),
                        Some(PolicyKind::Identity),
                    );
                }
            }
        }
        for (i, p) in array(root.get("Policies")).iter().enumerate() {
            let pname = p
                .get("PolicyName")
                .and_then(Node::as_str)
                .unwrap_or("?")
                .to_owned();
            for (j, v) in array(p.get("PolicyVersionList")).iter().enumerate() {
                let Some(doc) = v.get("Document") else {
                    continue;
                };
                let version = v.get("VersionId").and_then(Node::as_str).unwrap_or("?");
                let loc = format!("Policies[{i}].PolicyVersionList[{j}].Document");
                self.policy(
                    doc,
                    loc,
                    Some(format!("managed policy {pname} {version}")),
                    Some(PolicyKind::Identity),
                );
            }
        }
    }
}

fn array<'n, 'a>(node: Option<&'n Node<'a>>) -> &'n [Node<'a>] {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}
