//! Stand-in values for attributes that AWS assigns when it creates a resource (`arn`,
//! `key_id`, `id`), built from what the plan knows, so that every reference to a resource
//! and the resource itself carry the same string.
//!
//! A key created by the plan is `arn:aws:kms:REGION:ACCOUNT:key/ADDRESS` with key id
//! `ADDRESS` (`module.kms.aws_kms_key.this`); a role is `arn:aws:iam::ACCOUNT:role/PATH/NAME`
//! with its configured name; a bucket is `arn:aws:s3:::NAME`; an image `ami-ADDRESS`, a
//! snapshot `snap-ADDRESS`, a volume `vol-ADDRESS`. These are not placeholders: they name the
//! resource exactly, so checks can conclude on them (a key that AWS will create with some id
//! is the same key wherever the plan refers to it).

use super::cursor::Cursor;
use super::plan::Plan;

/// The stand-in for top-level attribute `attr` of resource instance `res`, when kmsguard can
/// name it.
pub(super) fn value(plan: &Plan<'_>, res: usize, attr: &str, depth: u8) -> Option<String> {
    let r = plan.res(res)?;
    let c = Cursor::root(plan, res);
    let own = |key: &str| {
        c.get(key)
            .string_resolved(depth.saturating_add(1))
            .filter(|v| v.is_known() && !v.text.is_empty())
            .map(|v| v.text)
    };
    let ident = ident(&r.address);
    match (r.kind.as_str(), attr) {
        (
            "aws_kms_key"
            | "aws_kms_external_key"
            | "aws_kms_replica_key"
            | "aws_kms_replica_external_key",
            "arn" | "key_id" | "id",
        ) => {
            let id = own("key_id").or_else(|| own("id")).unwrap_or(ident);
            Some(if attr == "arn" {
                format!(
                    "arn:aws:kms:{}:{}:key/{id}",
                    plan.region_of(res),
                    plan.account_of(res)
                )
            } else {
                id
            })
        }
        ("aws_kms_alias", "arn") => Some(format!(
            "arn:aws:kms:{}:{}:{}",
            plan.region_of(res),
            plan.account_of(res),
            own("name")?
        )),
        ("aws_kms_alias", "id" | "name") => own("name"),
        ("aws_iam_role" | "aws_iam_user" | "aws_iam_group" | "aws_iam_policy", _) => {
            let name = own("name").unwrap_or(ident);
            let noun = r.kind.trim_start_matches("aws_iam_");
            match attr {
                "arn" => Some(iam_arn(&plan.account_of(res), noun, own("path"), &name)),
                // An IAM policy's id is its ARN; a role's, user's or group's is its name.
                "id" if noun == "policy" => {
                    Some(iam_arn(&plan.account_of(res), noun, own("path"), &name))
                }
                "id" | "name" => Some(name),
                _ => None,
            }
        }
        ("aws_s3_bucket", "arn") => {
            Some(format!("arn:aws:s3:::{}", own("bucket").unwrap_or(ident)))
        }
        ("aws_s3_bucket", "id" | "bucket") => Some(own("bucket").unwrap_or(ident)),
        ("aws_s3_bucket", "region") => Some(plan.region_of(res)),
        ("aws_ami" | "aws_ami_copy" | "aws_ami_from_instance", "id") => {
            Some(format!("ami-{ident}"))
        }
        ("aws_ebs_snapshot" | "aws_ebs_snapshot_copy" | "aws_ebs_snapshot_import", "id") => {
            Some(format!("snap-{ident}"))
        }
        ("aws_ebs_volume", "id") => Some(format!("vol-{ident}")),
        ("aws_caller_identity", "account_id") => Some(plan.account_of(res)),
        ("aws_region", "name" | "region") => Some(plan.region_of(res)),
        ("aws_partition", "partition") => Some("aws".to_owned()),
        _ => None,
    }
}

/// `arn:aws:iam::ACCOUNT:NOUN/PATH/NAME`.
pub(super) fn iam_arn(account: &str, noun: &str, path: Option<String>, name: &str) -> String {
    let path = path.unwrap_or_else(|| "/".to_owned());
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let sep = if path.ends_with('/') { "" } else { "/" };
    format!("arn:aws:iam::{account}:{noun}{path}{sep}{name}")
}

/// An address as an identifier: the IAM wildcards `*` and `?` (possible in `for_each` keys)
/// are replaced so that the stand-in never matches more than itself.
pub(super) fn ident(address: &str) -> String {
    address.replace(['*', '?'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_arns() {
        assert_eq!(
            iam_arn("111111111111", "role", None, "r"),
            "arn:aws:iam::111111111111:role/r"
        );
        assert_eq!(
            iam_arn("111111111111", "role", Some("/svc/".to_owned()), "r"),
            "arn:aws:iam::111111111111:role/svc/r"
        );
        assert_eq!(ident(r#"a.b["x*"]"#), r#"a.b["x_"]"#);
    }
}
