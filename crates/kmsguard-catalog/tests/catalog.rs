//! The catalog's contents and lookups, checked against `data/SOURCE.md` and the KMS data.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use kmsguard_catalog::{AccessLevel, KeyType, catalog};

#[test]
fn version_and_date() {
    assert_eq!(catalog().version(), "0.21.202609261");
    assert_eq!(catalog().data_updated(), "2026-09-26");
}

#[test]
fn counts_match_source_md() {
    let c = catalog();
    assert_eq!(c.services().count(), 456);
    assert_eq!(
        c.services().map(|s| s.actions().count()).sum::<usize>(),
        22_091
    );
    assert_eq!(c.global_condition_keys().count(), 59);
    assert_eq!(
        c.services()
            .map(|s| s.resource_types().count())
            .sum::<usize>(),
        2_334
    );
    assert_eq!(
        c.services()
            .map(|s| s.condition_keys().count())
            .sum::<usize>(),
        2_578
    );
    // Access levels, as SOURCE.md counts them.
    let count = |level| {
        c.services()
            .flat_map(|s| s.actions())
            .filter(|a| a.access_level() == level)
            .count()
    };
    assert_eq!(count(AccessLevel::Write), 11_357);
    assert_eq!(count(AccessLevel::Read), 5_871);
    assert_eq!(count(AccessLevel::List), 3_719);
    assert_eq!(count(AccessLevel::Tagging), 719);
    assert_eq!(count(AccessLevel::PermissionsManagement), 425);
    // Actions that only accept "Resource": "*".
    let star_only = c
        .services()
        .flat_map(|s| s.actions())
        .filter(|a| a.resource_types().next().is_none())
        .count();
    assert_eq!(star_only, 6_724);
}

#[test]
fn every_listed_item_can_be_looked_up() {
    let c = catalog();
    for svc in c.services() {
        assert_eq!(c.service(svc.prefix()), Some(svc));
        assert_eq!(c.service(&svc.prefix().to_ascii_uppercase()), Some(svc));
        for a in svc.actions() {
            assert_eq!(
                svc.action(a.name()),
                Some(a),
                "{}:{}",
                svc.prefix(),
                a.name()
            );
            assert_eq!(svc.action(&a.name().to_ascii_lowercase()), Some(a));
            assert_eq!(a.service(), svc.prefix());
        }
        for rt in svc.resource_types() {
            assert_eq!(
                svc.resource_type(rt.name()).map(|r| r.name()),
                Some(rt.name())
            );
        }
        for k in svc.condition_keys() {
            assert_eq!(svc.condition_key(k.name), Some(k));
        }
    }
    for k in c.global_condition_keys() {
        assert_eq!(c.global_condition_key(k.name), Some(k));
        assert_eq!(c.condition_key(k.name), Some(k));
    }
}

/// A lookup compares the whole name: one byte changed anywhere, a byte more or a byte less,
/// finds another action only if the service has one of that name (a lookup never calls an
/// unknown name known).
#[test]
fn near_names_are_not_found() {
    let c = catalog();
    for svc in c.services() {
        for a in svc.actions() {
            let name = a.name();
            let own = |n: &str| svc.actions().find(|b| b.name().eq_ignore_ascii_case(n));
            let mut variants = vec![format!("{name}x"), name[..name.len() - 1].to_owned()];
            for i in 0..name.len() {
                let mut bytes = name.as_bytes().to_vec();
                bytes[i] = if bytes[i] == b'_' { b'-' } else { b'_' };
                variants.push(String::from_utf8(bytes).unwrap());
            }
            for v in variants {
                assert_eq!(svc.action(&v), own(&v), "{}:{v}", svc.prefix());
            }
        }
    }
}

#[test]
fn ids_are_positions() {
    let c = catalog();
    for (i, svc) in c.services().enumerate() {
        assert_eq!(svc.id(), i);
    }
    for (i, a) in c.services().flat_map(|s| s.actions()).enumerate() {
        assert_eq!(a.id(), i);
    }
}

#[test]
fn lookups_stay_within_their_service() {
    let c = catalog();
    let services: Vec<_> = c.services().collect();
    for pair in services.windows(2) {
        let (this, next) = (pair[0], pair[1]);
        for a in next.actions() {
            let found = this.action(a.name());
            let own = this
                .actions()
                .find(|b| b.name().eq_ignore_ascii_case(a.name()));
            assert_eq!(found, own, "{}:{}", this.prefix(), a.name());
        }
        assert_eq!(
            c.service(&format!("{}x", this.prefix()))
                .map(|s| s.prefix()),
            {
                let want = format!("{}x", this.prefix());
                services
                    .iter()
                    .find(|s| s.prefix() == want)
                    .map(|s| s.prefix())
            }
        );
        for k in this.condition_keys() {
            assert!(c.condition_key(k.name).is_some(), "{}", k.name);
            assert!(
                c.condition_key(&k.name.to_ascii_uppercase()).is_some(),
                "{}",
                k.name
            );
        }
    }
    assert_eq!(c.service(""), None);
    assert_eq!(c.action("kms:"), None);
    assert_eq!(c.condition_key(""), None);
}

#[test]
fn kms_actions() {
    let kms = catalog().service("kms").unwrap();
    assert_eq!(kms.prefix(), "kms");
    assert_eq!(kms.name(), "AWS Key Management Service");
    assert_eq!(kms.actions().count(), 56);
    for name in ["CreateGrant", "Decrypt", "ReEncryptFrom"] {
        assert_eq!(kms.action(name).unwrap().name(), name);
    }
    assert_eq!(
        kms.action("CreateGrant").unwrap().access_level(),
        AccessLevel::PermissionsManagement
    );
    assert!(kms.action("NoSuchAction").is_none());
    assert!(catalog().service("nosuchservice").is_none());

    let decrypt = kms.action("Decrypt").unwrap();
    let rts: Vec<_> = decrypt.resource_types().collect();
    assert_eq!(rts.len(), 1);
    assert_eq!(rts[0].name(), "key");
    assert!(rts[0].required());
    assert_eq!(
        rts[0].resource_type().arn_pattern(),
        "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"
    );
    let key = kms.resource_type("KEY").unwrap();
    assert_eq!(key.name(), "key");
    assert!(key.condition_keys().any(|k| k == "kms:KeySpec"));
    assert!(decrypt.condition_keys().any(|k| k == "kms:ViaService"));
    // The source data has no dependent actions for KMS.
    assert_eq!(decrypt.dependent_actions().count(), 0);
    // CreateKey takes no resource: only "Resource": "*".
    assert_eq!(kms.action("CreateKey").unwrap().resource_types().count(), 0);
}

#[test]
fn case_insensitive_lookups() {
    let c = catalog();
    let kms = c.service("KmS").unwrap();
    assert_eq!(kms.prefix(), "kms");
    assert_eq!(kms.action("dEcRyPt").unwrap().name(), "Decrypt");
    assert_eq!(
        c.action("KMS:reencryptfrom").unwrap().name(),
        "ReEncryptFrom"
    );
    assert!(c.action("kms").is_none());
    assert_eq!(
        c.condition_key("KMS:VIASERVICE").unwrap().name,
        "kms:ViaService"
    );
    assert_eq!(
        c.global_condition_key("AWS:sourceip").unwrap().name,
        "aws:SourceIp"
    );
}

#[test]
fn action_patterns() {
    let kms = catalog().service("kms").unwrap();
    let names = |p| {
        kms.matching_actions(p)
            .map(|a| a.name())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("ReEncrypt*"), ["ReEncryptFrom", "ReEncryptTo"]);
    assert_eq!(names("reencrypt*"), ["ReEncryptFrom", "ReEncryptTo"]);
    assert_eq!(
        names("*"),
        kms.actions().map(|a| a.name()).collect::<Vec<_>>()
    );
    assert_eq!(names("Decrypt"), ["Decrypt"]);
    assert_eq!(names("De?rypt"), ["Decrypt"]);
    assert!(names("ReEncrypt").is_empty());
    assert!(names("Nothing*").is_empty());
    let generate = names("Generate*");
    assert!(generate.contains(&"GenerateDataKey"));
    assert!(generate.iter().all(|n| n.starts_with("Generate")));
    // Patterns starting with a wildcard scan the whole service.
    let keys_ending = names("*Key");
    assert!(keys_ending.contains(&"CreateKey") && keys_ending.contains(&"GenerateDataKey"));
}

#[test]
fn templated_condition_keys() {
    let c = catalog();
    let ec = c.condition_key("kms:EncryptionContext:aws:s3:arn").unwrap();
    assert_eq!(ec.name, "kms:EncryptionContext:${EncryptionContextKey}");
    assert_eq!(ec.key_type, KeyType::String);
    assert!(ec.is_templated());
    assert!(ec.matches("KMS:encryptioncontext:Department"));

    // Global tag keys are spelt `.../tag-key`; services list them as `.../${TagKey}`.
    let rt = c.condition_key("aws:RequestTag/Team").unwrap();
    assert_eq!(rt.name, "aws:RequestTag/tag-key");
    assert_eq!(rt.key_type, KeyType::String);
    let kms = c.service("kms").unwrap();
    let svc_rt = kms.condition_key("aws:RequestTag/Team").unwrap();
    assert_eq!(svc_rt.name, "aws:RequestTag/${TagKey}");
    assert_eq!(
        kms.condition_key("kms:EncryptionContext:aws:s3:arn")
            .unwrap()
            .name,
        "kms:EncryptionContext:${EncryptionContextKey}"
    );
    let pt = c.condition_key("aws:PrincipalTag/dept").unwrap();
    assert_eq!(pt.name, "aws:PrincipalTag/tag-key");
    assert_eq!(c.global_condition_key("aws:principaltag/dept"), Some(pt));
    // The bare prefix is not a key.
    assert!(c.condition_key("aws:PrincipalTag/").is_none());
    assert!(c.condition_key("kms:EncryptionContext:").is_none());
    assert!(c.condition_key("kms:NoSuchKey").is_none());
    // Keys a service documents under another prefix.
    assert_eq!(c.condition_key("saml:aud").unwrap().name, "saml:aud");
    assert_eq!(
        c.condition_key("token.actions.githubusercontent.com:actor")
            .unwrap()
            .name,
        "token.actions.githubusercontent.com:actor"
    );
    assert_eq!(
        c.condition_key("token.actions.githubusercontent.com/my-org:actor")
            .unwrap()
            .name,
        "token.actions.githubusercontent.com/${SubPath}:actor"
    );
    // A service's key that is also global resolves to the global definition.
    assert_eq!(
        c.condition_key("aws:TagKeys").unwrap().key_type,
        KeyType::ArrayOfString
    );
}

#[test]
fn condition_key_and_global_agrees_with_both_lookups() {
    let c = catalog();
    let mut names: Vec<String> = Vec::new();
    let keys = c
        .global_condition_keys()
        .chain(c.services().flat_map(|s| s.condition_keys()));
    for k in keys {
        let n = k.name;
        names.push(n.to_owned());
        names.push(n.to_ascii_uppercase());
        // Concrete names for templates, and near misses.
        names.push(n.replace("${", "x").replace('}', ""));
        names.push(n.replace("tag-key", "Team"));
        names.push(format!("{n}x"));
        names.push(n.get(..n.len() / 2).unwrap_or("").to_owned());
    }
    for n in [
        "",
        ":",
        "aws:",
        "aws:PrincipalTag/",
        "AWS:resourcetag/Project",
        "aws:RequestTag/${aws:username}",
        "s3:ExistingObjectTag/<key>",
        "kms:EncryptionContext:",
        "nosuch:Key",
        "token.actions.githubusercontent.com/my-org:actor",
    ] {
        names.push(n.to_owned());
    }
    for n in &names {
        assert_eq!(
            c.condition_key_and_global(n),
            (c.condition_key(n), c.global_condition_key(n).is_some()),
            "{n}"
        );
    }
}

#[test]
fn key_types() {
    let c = catalog();
    let ty = |k| c.condition_key(k).unwrap().key_type;
    assert_eq!(ty("kms:ViaService"), KeyType::String);
    assert!(!ty("kms:ViaService").is_multivalued());
    assert_eq!(ty("kms:EncryptionContextKeys"), KeyType::ArrayOfString);
    assert!(ty("kms:EncryptionContextKeys").is_multivalued());
    assert_eq!(
        ty("kms:EncryptionContextKeys").element_type(),
        KeyType::String
    );
    assert_eq!(ty("kms:GrantIsForAWSResource"), KeyType::Bool);
    assert_eq!(ty("kms:GrantOperations"), KeyType::ArrayOfString);
    assert_eq!(ty("aws:SourceIp"), KeyType::IpAddress);
    assert_eq!(ty("aws:PrincipalArn"), KeyType::Arn);
    assert_eq!(ty("aws:CurrentTime"), KeyType::Date);
    assert_eq!(ty("aws:MultiFactorAuthAge"), KeyType::Numeric);
    assert_eq!(KeyType::Arn.as_str(), "ARN");
    // No key of the data has a type this crate does not know.
    for svc in c.services() {
        for k in svc.condition_keys() {
            assert_ne!(k.key_type, KeyType::Other, "{}", k.name);
        }
    }
}

#[test]
fn supported_condition_keys() {
    let kms = catalog().service("kms").unwrap();
    let decrypt = kms.action("Decrypt").unwrap();
    assert!(decrypt.supports_condition_key("kms:EncryptionContext:x"));
    assert!(decrypt.supports_condition_key("kms:EncryptionContext:aws:s3:arn"));
    assert!(decrypt.supports_condition_key("kms:ViaService"));
    assert!(decrypt.supports_condition_key("KMS:viaservice"));
    // Through the `key` resource type.
    assert!(decrypt.supports_condition_key("kms:KeySpec"));
    assert!(decrypt.supports_condition_key("aws:ResourceTag/Project"));
    // Global keys.
    assert!(decrypt.supports_condition_key("aws:SourceIp"));
    assert!(decrypt.supports_condition_key("aws:PrincipalTag/dept"));
    assert!(decrypt.supports_condition_key("aws:PrincipalOrgID"));
    // Keys of other actions.
    assert!(!decrypt.supports_condition_key("kms:GrantIsForAWSResource"));
    assert!(!decrypt.supports_condition_key("kms:NoSuchKey"));
    assert!(!decrypt.supports_condition_key("s3:prefix"));

    // The data lists no encryption-context key for CreateKey (it has no resource type either).
    let create_key = kms.action("CreateKey").unwrap();
    assert!(
        !create_key
            .condition_keys()
            .any(|k| k.starts_with("kms:EncryptionContext"))
    );
    assert!(!create_key.supports_condition_key("kms:EncryptionContext:x"));
    assert!(create_key.supports_condition_key("kms:KeySpec"));
    assert!(create_key.supports_condition_key("aws:RequestTag/Team"));

    let grant = kms.action("CreateGrant").unwrap();
    assert!(grant.supports_condition_key("kms:GrantIsForAWSResource"));
    assert!(grant.supports_condition_key("kms:GrantOperations"));
}

#[test]
fn key_queries_agree_with_supported_condition_keys() {
    let c = catalog();
    let mut keys: Vec<String> = [
        "kms:EncryptionContext:aws:s3:arn",
        "KMS:encryptioncontext:x",
        "kms:EncryptionContext:",
        "aws:RequestTag/Team",
        "aws:ResourceTag/Project",
        "aws:PrincipalTag/dept",
        "aws:SourceIp",
        "s3:ExistingObjectTag/x",
        "s3:ExistingObjectTag/<key>",
        "kms:NoSuchKey",
        "nosuchservice:Key",
        "",
    ]
    .iter()
    .map(|k| (*k).to_owned())
    .collect();
    for svc in ["kms", "s3", "ec2", "sts", "rds", "dms", "iam", "codebuild"] {
        for k in c.service(svc).unwrap().condition_keys() {
            keys.push(k.name.to_owned());
            keys.push(k.name.to_ascii_uppercase());
            keys.push(k.name.replace("${", "x${"));
        }
    }
    let actions: Vec<_> = c
        .services()
        .flat_map(|s| s.actions())
        .step_by(17)
        .chain(
            [
                "kms:Decrypt",
                "kms:CreateGrant",
                "s3:GetObject",
                "ec2:CreateTags",
            ]
            .iter()
            .map(|a| c.action(a).unwrap()),
        )
        .collect();
    for key in &keys {
        let q = c.key_query(key);
        for a in &actions {
            assert_eq!(a.supports(&q), a.supports_condition_key(key), "{key} {a:?}");
        }
        // The linter takes `condition_key_and_global`'s answer for whether a key is global,
        // and skips the global search for the others.
        let global = c.condition_key_and_global(key).1;
        assert_eq!(global, c.global_condition_key(key).is_some(), "{key}");
        if !global {
            let fast = c.key_query_not_global(key);
            assert_eq!(format!("{fast:?}"), format!("{q:?}"), "{key}");
            for a in &actions {
                assert_eq!(a.supports(&fast), a.supports(&q), "{key} {a:?}");
            }
        }
    }
}

#[test]
fn suggestions() {
    let c = catalog();
    let kms = c.service("kms").unwrap();
    assert_eq!(kms.suggest_action("Decrpyt"), Some("Decrypt"));
    assert_eq!(kms.suggest_action("decrypt"), Some("Decrypt"));
    assert_eq!(kms.suggest_action("Encrpt"), Some("Encrypt"));
    assert_eq!(kms.suggest_action("CreateGrants"), Some("CreateGrant"));
    assert_eq!(kms.suggest_action("TotallyUnrelatedThing"), None);
    assert_eq!(c.suggest_service("kmss"), Some("kms"));
    assert_eq!(c.suggest_service("KMS"), Some("kms"));
    assert_eq!(c.suggest_service("dynamodbb"), Some("dynamodb"));
    assert_eq!(c.suggest_service("qqqqqqqqqqqq"), None);
}

#[test]
fn debug_output() {
    let kms = catalog().service("kms").unwrap();
    assert_eq!(format!("{kms:?}"), "Service(\"kms\")");
    let a = kms.action("decrypt").unwrap();
    assert_eq!(format!("{a:?}"), "Action(kms:Decrypt)");
    assert_eq!(
        AccessLevel::PermissionsManagement.to_string(),
        "Permissions management"
    );
}
