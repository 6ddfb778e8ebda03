//! Terraform addresses and references: `module.kms[0].aws_kms_key.this["a"]`,
//! `data.aws_caller_identity.current.account_id`, `var.region`, `module.kms.key_arn`.
//!
//! Instance keys may hold dots and brackets inside quotes (`["a.b"]`), so splitting is done
//! by a small scanner rather than `str::split`.

/// Splits an address or reference at the dots that are not inside `[...]`.
pub(super) fn segments(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0usize;
    for (i, c) in s.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if depth > 0 => quoted = true,
            '[' => depth = depth.saturating_add(1),
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.extend(s.get(start..i));
                start = i.saturating_add(1);
            }
            _ => {}
        }
    }
    out.extend(s.get(start..));
    out
}

/// A segment's name without its instance key: `this["a"]` → `this`.
pub(super) fn bare(segment: &str) -> &str {
    segment.split_once('[').map_or(segment, |(name, _)| name)
}

/// An address with every instance key removed: the address of the configuration block
/// (`module.kms[0].aws_kms_key.this["a"]` → `module.kms.aws_kms_key.this`).
pub(super) fn config_address(address: &str) -> String {
    segments(address)
        .into_iter()
        .map(bare)
        .collect::<Vec<_>>()
        .join(".")
}

/// Joins a module instance address and a module-relative address.
pub(super) fn join(module: &str, relative: &str) -> String {
    if module.is_empty() {
        relative.to_owned()
    } else {
        format!("{module}.{relative}")
    }
}

/// The parent module instance address and the call segment (with its key) of a module
/// instance address: `module.a.module.b[0]` → (`module.a`, `b[0]`). `None` at the root.
pub(super) fn parent_module(module: &str) -> Option<(String, &str)> {
    let segs = segments(module);
    let n = segs.len();
    if n < 2 {
        return None;
    }
    let call = *segs.get(n.checked_sub(1)?)?;
    let parent = segs.get(..n.checked_sub(2)?)?.join(".");
    Some((parent, call))
}

/// What a reference in a configuration expression names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Reference<'r> {
    /// `var.NAME`.
    Var(&'r str),
    /// `module.CALL.OUTPUT` (`CALL` may carry an instance key).
    Output {
        /// The call segment.
        call: &'r str,
        /// The output's name.
        output: &'r str,
    },
    /// A managed or data resource's attribute: `aws_kms_key.this.arn`,
    /// `data.aws_region.current.name`, `aws_s3_bucket.b[0].arn`.
    Attribute {
        /// The module-relative resource address (`data.` included, instance key kept).
        resource: String,
        /// The attribute path, at least one segment.
        path: Vec<&'r str>,
    },
    /// Anything else (a whole resource or module, `local.*`, `each.*`, `count.index`, ...).
    Other,
}

/// Parses one entry of an expression's `references`.
pub(super) fn reference(text: &str) -> Reference<'_> {
    let segs = segments(text);
    match segs.as_slice() {
        ["var", name, ..] => Reference::Var(bare(name)),
        ["module", call, output, ..] => Reference::Output {
            call,
            output: bare(output),
        },
        ["module", ..]
        | [
            "local" | "each" | "count" | "path" | "terraform" | "self",
            ..,
        ] => Reference::Other,
        ["data", kind, name, path @ ..] if !path.is_empty() => Reference::Attribute {
            resource: format!("data.{kind}.{name}"),
            path: path.to_vec(),
        },
        [kind, name, path @ ..] if !path.is_empty() && *kind != "data" => Reference::Attribute {
            resource: format!("{kind}.{name}"),
            path: path.to_vec(),
        },
        _ => Reference::Other,
    }
}

/// The references of an expression that name a value: each entry that is not a prefix of a
/// longer one (Terraform lists `aws_kms_key.a.arn` and `aws_kms_key.a` for one use) and is
/// not a meta-reference (`each.key`, `count.index`, `path.module`).
pub(super) fn value_references<'r>(refs: &[&'r str]) -> Vec<&'r str> {
    let meta = |r: &str| {
        ["each.", "count.", "path.", "terraform."]
            .iter()
            .any(|p| r.starts_with(p))
    };
    let mut out: Vec<&str> = Vec::new();
    for &r in refs {
        if meta(r) || out.contains(&r) {
            continue;
        }
        let covered = refs.iter().any(|other| {
            other.len() > r.len()
                && other.starts_with(r)
                && other
                    .get(r.len()..)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        });
        if !covered {
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_brackets() {
        assert_eq!(
            segments(r#"module.kms["a.b"].aws_kms_key.this[0]"#),
            vec!["module", r#"kms["a.b"]"#, "aws_kms_key", "this[0]"]
        );
        assert_eq!(
            config_address(r#"module.kms["a.b"].aws_kms_key.this[0]"#),
            "module.kms.aws_kms_key.this"
        );
    }

    #[test]
    fn parent_modules() {
        assert_eq!(
            parent_module("module.a.module.b[0]"),
            Some(("module.a".to_owned(), "b[0]"))
        );
        assert_eq!(parent_module("module.a"), Some((String::new(), "a")));
        assert_eq!(parent_module(""), None);
    }

    #[test]
    fn references() {
        assert_eq!(reference("var.region"), Reference::Var("region"));
        assert_eq!(
            reference("module.kms.key_arn"),
            Reference::Output {
                call: "kms",
                output: "key_arn"
            }
        );
        assert_eq!(
            reference("data.aws_caller_identity.current.account_id"),
            Reference::Attribute {
                resource: "data.aws_caller_identity.current".to_owned(),
                path: vec!["account_id"]
            }
        );
        assert_eq!(
            reference("aws_kms_key.k[0].arn"),
            Reference::Attribute {
                resource: "aws_kms_key.k[0]".to_owned(),
                path: vec!["arn"]
            }
        );
        assert_eq!(reference("aws_kms_key.k"), Reference::Other);
        assert_eq!(reference("local.x"), Reference::Other);
        assert_eq!(
            value_references(&["aws_kms_key.a.arn", "aws_kms_key.a", "count.index"]),
            vec!["aws_kms_key.a.arn"]
        );
    }
}
