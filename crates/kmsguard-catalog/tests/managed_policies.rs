//! Every action named in an AWS managed policy (the corpus in `fixtures/`) is in the catalog,
//! except a few this catalog version does not know. AWS accepted those policies, so unknown
//! names are gaps in the data (actions retired from the Service Authorization Reference, or
//! not yet documented), not errors in the policies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::path::Path;

use kmsguard_catalog::catalog;
use kmsguard_syntax::{Content, parse_bytes};

/// Service prefixes used in AWS managed policies (in concrete action names or in wildcard
/// patterns) that catalog version 0.21.202609261 does not list at all: services retired before
/// the Service Authorization Reference was scanned (AWS Mobile Hub, IoT 1-Click, DeepComposer,
/// DeepLens, DeepRacer, Elastic Inference, IoT RoboRunner, Sumerian, Amazon WorkDocs' old
/// `zocalo` prefix, ...) or never documented there (console-only prefixes such as `builderid`,
/// `crowd`, `catalog-admin`). Their names are not checked.
const UNKNOWN_SERVICES: &[&str] = &[
    "applicationwizard",
    "builderid",
    "catalog-admin",
    "catalog-user",
    "crowd",
    "datazonecontrol",
    "deepcomposer",
    "deeplens",
    "deepracer",
    "ec2-reports",
    "elastic-inference",
    "iot1click",
    "iotroborunner",
    "mobilehub",
    "sagemaker-groundtruth-synthetic",
    "sumerian",
    "zocalo",
];

/// Actions (lower-cased `service:action`) used in AWS managed policies that catalog version
/// 0.21.202609261 does not list although it knows the service. IAM does not reject unknown
/// action names, so these are a mix of data gaps (actions retired or not documented, such as
/// CloudHSM Classic's `cloudhsm:DescribeHapg` or the `payments` console actions) and mistakes in
/// AWS's own policies (API operation names used as actions: `s3:ListBuckets`,
/// `s3:ListObjectsV2`, `budgets:CreateBudget`; a typo: `ssm:RemoveTagsToResource`).
const UNKNOWN_ACTIONS: &[&str] = &[
    "budgets:createbudget",
    "budgets:deletebudget",
    "budgets:describebudget",
    "budgets:describebudgets",
    "budgets:updatebudget",
    "cloud9:validateenvironmentname",
    "cloudhsm:createlunaclient",
    "cloudhsm:deletelunaclient",
    "cloudhsm:describehapg",
    "cloudhsm:describelunaclient",
    "cloudhsm:getconfig",
    "cloudhsm:modifyhapg",
    "cloudhsm:modifylunaclient",
    "memorydb:replicatemultiregionclusterdata",
    "organizations:createbuilderidownedaccount",
    "payments:accepttermsandconditionsforprogrambyaccountid",
    "payments:batchgetpaymentprofiles",
    "payments:createpaymentattempt",
    "payments:createpaymentprofile",
    "payments:get",
    "payments:getacceptedtermsandconditionsforprogrambyaccountid",
    "payments:getaccountbalance",
    "payments:getdefaultpaymentprofile",
    "payments:geteligiblecurrencies",
    "payments:getpaymentattempt",
    "payments:getpaymentpreferences",
    "payments:getpreferredcurrency",
    "payments:getrecommendedtermsandconditionsforprogram",
    "payments:listpaymentprofiles",
    "payments:searchfinancialrecords",
    "payments:setpreferredcurrency",
    "payments:updatepaymentprofile",
    "qapps:importdocumenttoqapp",
    "qapps:importdocumenttoqappsession",
    "route53-recovery-control-config:describeroutingcontrolbyname",
    "s3:listbuckets",
    "s3:listobjects",
    "s3:listobjectsv2",
    "securityagent:batchgetagentinstances",
    "securityagent:batchgetsecuritytestcontentmetadata",
    "securityagent:batchgettasks",
    "securityagent:createdocumentreview",
    "securityagent:deletedocumentreview",
    "securityagent:getcodereviewtask",
    "securityagent:getdocreviewtask",
    "securityagent:getdocumentreview",
    "securityagent:getdocumentreviewartifact",
    "securityagent:listagentinstances",
    "securityagent:listcontrols",
    "securityagent:listdocumentreviewcomments",
    "securityagent:listdocumentreviews",
    "securityagent:listtasks",
    "securityagent:startpentestexecution",
    "securityagent:stoppentestexecution",
    "servicecatalog:accountleveldescriberecord",
    "servicecatalog:accountlevellistrecordhistory",
    "servicecatalog:accountlevelscanprovisionedproducts",
    "servicecatalog:gettagoptionmigrationstatus",
    "ssm:removetagstoresource",
];

#[test]
fn managed_policy_actions_are_in_catalog() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus/aws-managed-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() > 1000, "corpus not found in {}", dir.display());

    let c = catalog();
    let mut checked = 0usize;
    // Distinct lower-cased names and patterns.
    let mut in_unknown_services = BTreeSet::new();
    let mut unknown_services = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    let mut unmatched = BTreeSet::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let parsed = parse_bytes(&bytes, &Default::default());
        assert!(
            !parsed.documents.is_empty(),
            "{}: no document",
            file.display()
        );
        for doc in &parsed.documents {
            let Content::Policy(p) = &doc.content else {
                continue;
            };
            for st in &p.statements {
                let Some(block) = &st.action else { continue };
                for pat in block.patterns().iter() {
                    if pat.is_any() {
                        continue;
                    }
                    let prefix = pat.service().to_ascii_lowercase();
                    let full = format!("{prefix}:{}", pat.name().to_ascii_lowercase());
                    let Some(svc) = c.service(&prefix) else {
                        assert!(
                            UNKNOWN_SERVICES.contains(&prefix.as_str()),
                            "{}: {full} of unknown service {prefix}",
                            file.display()
                        );
                        unknown_services.insert(prefix);
                        if !pat.has_wildcard() {
                            in_unknown_services.insert(full);
                        }
                        continue;
                    };
                    if pat.has_wildcard() {
                        if svc.matching_actions(pat.name()).next().is_none() {
                            unmatched.insert(full);
                        }
                        continue;
                    }
                    checked += 1;
                    if svc.action(pat.name()).is_none() {
                        unknown.insert(full);
                    }
                }
            }
        }
    }
    eprintln!(
        "{} files, {checked} concrete action names of known services checked against catalog \
         {}: {} distinct unknown; {} services unknown ({} distinct action names)",
        files.len(),
        c.version(),
        unknown.len(),
        unknown_services.len(),
        in_unknown_services.len(),
    );
    assert!(
        unmatched.is_empty(),
        "patterns matching no action: {unmatched:#?}"
    );
    let listed: BTreeSet<String> = UNKNOWN_SERVICES.iter().map(|s| s.to_string()).collect();
    let stale: Vec<_> = listed.difference(&unknown_services).collect();
    assert!(stale.is_empty(), "remove from UNKNOWN_SERVICES: {stale:?}");
    let listed: BTreeSet<String> = UNKNOWN_ACTIONS.iter().map(|s| s.to_string()).collect();
    let new: Vec<_> = unknown.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&unknown).collect();
    assert!(
        new.is_empty() && stale.is_empty(),
        "managed-policy actions unknown to the catalog changed;\nnewly unknown: {new:#?}\n\
         now known (remove from UNKNOWN_ACTIONS): {stale:#?}"
    );
}
