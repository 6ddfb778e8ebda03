//! One test per row of conditions.md §9 (the edge-case table), plus set-qualifier, empty-value
//! and ambiguity cases. Conditions are written as JSON and go through the syntax crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_eval::condition::{CompiledCondition, Truth, compile_all, eval_all};
use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_syntax::ast::PolicyKind;

fn compile(version: &str, condition: &str) -> Vec<CompiledCondition> {
    let text = format!(
        r#"{{"Version":"{version}","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}]}}"#
    );
    let node = kmsguard_syntax::json::parse(&text, &Default::default()).expect("json");
    let mut diags = Vec::new();
    let p =
        kmsguard_syntax::lower::policy(&node, PolicyKind::Identity, &mut diags).expect("policy");
    assert!(
        !diags
            .iter()
            .any(|d| d.severity == kmsguard_syntax::Severity::Error),
        "{diags:?}"
    );
    compile_all(&p.statements[0].node.conditions, version == "2012-10-17")
}

/// Context from `key=value` singles and `key=[..]` lists.
fn ctx(single: &[(&str, &str)], multi: &[(&str, &[&str])]) -> RequestContext {
    let mut c = RequestContext::new();
    for (k, v) in single {
        c.insert(k, ContextValue::Single((*v).to_owned()));
    }
    for (k, vs) in multi {
        c.insert(
            k,
            ContextValue::Multi(vs.iter().map(|v| (*v).to_owned()).collect()),
        );
    }
    c
}

fn eval_v(version: &str, condition: &str, c: &RequestContext) -> Truth {
    eval_all(&compile(version, condition), c).0
}

fn eval(condition: &str, c: &RequestContext) -> Truth {
    eval_v("2012-10-17", condition, c)
}

fn yes(condition: &str, c: &RequestContext) {
    assert_eq!(eval(condition, c), Truth::True, "{condition} with {c:?}");
}

fn no(condition: &str, c: &RequestContext) {
    assert_eq!(eval(condition, c), Truth::False, "{condition} with {c:?}");
}

fn none() -> RequestContext {
    RequestContext::new()
}

fn one(k: &str, v: &str) -> RequestContext {
    ctx(&[(k, v)], &[])
}

fn list(k: &str, v: &[&str]) -> RequestContext {
    ctx(&[], &[(k, v)])
}

const DEPT_HR_IT: &str = r#"{"StringNotEquals":{"aws:PrincipalTag/dept":["hr","it"]}}"#;
const TAGKEYS_ENV_CC_ANY: &str = r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","cc"]}}"#;
const TAGKEYS_ENV_CC_ALL: &str = r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","cc"]}}"#;
const NOTLIKE_KEY12: &str = r#"{"ForAllValues:StringNotLike":{"aws:TagKeys":["key1*","key2*"]}}"#;
const SRC_ARN: &str = "arn:aws:x:us-east-2:999999999999:store/abc:111122223333:finance/d.txt";

#[test]
fn row_01_string_equals_is_case_sensitive() {
    no(
        r#"{"StringEquals":{"aws:username":"johndoe"}}"#,
        &one("aws:username", "JohnDoe"),
    );
}

#[test]
fn row_02_string_equals_ignore_case_folds() {
    yes(
        r#"{"StringEqualsIgnoreCase":{"aws:username":"johndoe"}}"#,
        &one("aws:username", "JohnDoe"),
    );
}

#[test]
fn row_03_values_are_ored() {
    yes(
        r#"{"StringEquals":{"aws:PrincipalTag/dept":["hr","it"]}}"#,
        &one("aws:PrincipalTag/dept", "it"),
    );
}

#[test]
fn row_04_negated_values_are_nored() {
    no(DEPT_HR_IT, &one("aws:PrincipalTag/dept", "it"));
}

#[test]
fn row_05_negated_none_equal() {
    yes(DEPT_HR_IT, &one("aws:PrincipalTag/dept", "ops"));
}

#[test]
fn row_06_negated_missing_is_true() {
    yes(
        r#"{"StringNotEquals":{"aws:PrincipalTag/dept":"hr"}}"#,
        &none(),
    );
}

#[test]
fn row_07_positive_missing_is_false() {
    no(
        r#"{"StringEquals":{"aws:PrincipalTag/dept":"hr"}}"#,
        &none(),
    );
}

#[test]
fn row_08_if_exists_missing_is_true() {
    yes(
        r#"{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"#,
        &none(),
    );
}

#[test]
fn row_09_if_exists_present_is_evaluated() {
    no(
        r#"{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"hr"}}"#,
        &one("aws:PrincipalTag/dept", "it"),
    );
}

#[test]
fn row_10_star_matches_empty() {
    yes(
        r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
        &one("s3:prefix", "home/"),
    );
}

#[test]
fn row_11_question_needs_one_char() {
    no(
        r#"{"StringLike":{"s3:prefix":"a?c"}}"#,
        &one("s3:prefix", "ac"),
    );
}

#[test]
fn row_12_star_matches_present_empty_string() {
    yes(r#"{"StringLike":{"k":"*"}}"#, &one("k", ""));
}

#[test]
fn row_13_no_wildcards_in_string_equals() {
    no(r#"{"StringEquals":{"k":"*"}}"#, &one("k", "anything"));
}

#[test]
fn row_14_escaped_star_is_literal() {
    let c = r#"{"StringLike":{"k":"a${*}b"}}"#;
    yes(c, &one("k", "a*b"));
    no(c, &one("k", "axb"));
}

#[test]
fn row_15_string_like_star_crosses_colons() {
    yes(
        r#"{"StringLike":{"aws:SourceArn":"arn:aws:x:*:111122223333:finance/*"}}"#,
        &one("aws:SourceArn", SRC_ARN),
    );
}

#[test]
fn row_16_arn_like_is_segment_wise() {
    no(
        r#"{"ArnLike":{"aws:SourceArn":"arn:aws:x:*:111122223333:finance/*"}}"#,
        &one("aws:SourceArn", SRC_ARN),
    );
}

#[test]
fn row_17_arn_equals_takes_wildcards() {
    yes(
        r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}"#,
        &one(
            "aws:PrincipalArn",
            "arn:aws:iam::123456789012:role/AdminOps",
        ),
    );
}

#[test]
fn row_18_arn_not_like_missing_is_true() {
    yes(
        r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ops/*"}}"#,
        &none(),
    );
}

#[test]
fn row_19_session_arn_never_matches_principal_arn() {
    no(
        r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:sts::1:assumed-role/R/s"}}"#,
        &one("aws:PrincipalArn", "arn:aws:iam::1:role/R"),
    );
}

#[test]
fn row_20_numeric_less_than_equals_is_inclusive() {
    yes(
        r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#,
        &one("s3:max-keys", "10"),
    );
}

#[test]
fn row_21_numeric_comparison_not_textual() {
    yes(r#"{"NumericEquals":{"k":"10"}}"#, &one("k", "10.0"));
}

#[test]
fn row_22_numeric_positive_missing_is_false() {
    no(
        r#"{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
        &none(),
    );
}

#[test]
fn row_23_numeric_negated_missing_is_true() {
    yes(r#"{"NumericNotEquals":{"k":"5"}}"#, &none());
}

#[test]
fn row_24_date_instant_comparison() {
    yes(
        r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"}}"#,
        &one("aws:CurrentTime", "2020-04-01T00:00:01Z"),
    );
}

#[test]
fn row_25_date_epoch_seconds() {
    yes(
        r#"{"DateLessThan":{"aws:EpochTime":"1577836800"}}"#,
        &one("aws:EpochTime", "1577836799"),
    );
}

#[test]
fn row_26_iso_and_epoch_same_instant() {
    yes(
        r#"{"DateEquals":{"aws:CurrentTime":"1577836800"}}"#,
        &one("aws:CurrentTime", "2020-01-01T00:00:00Z"),
    );
    yes(
        r#"{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#,
        &one("aws:CurrentTime", "2020-01-01T00:00:00Z"),
    );
}

#[test]
fn row_27_token_issue_time_missing_is_false() {
    no(
        r#"{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}"#,
        &none(),
    );
}

#[test]
fn row_28_date_negated_missing_is_true() {
    yes(
        r#"{"DateNotEquals":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}"#,
        &none(),
    );
}

#[test]
fn row_29_bool_deny_non_tls() {
    yes(
        r#"{"Bool":{"aws:SecureTransport":"false"}}"#,
        &one("aws:SecureTransport", "false"),
    );
}

#[test]
fn row_30_bool_json_boolean() {
    yes(
        r#"{"Bool":{"aws:SecureTransport":false}}"#,
        &one("aws:SecureTransport", "false"),
    );
}

#[test]
fn row_31_bool_mfa_missing_is_false() {
    no(
        r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#,
        &none(),
    );
}

#[test]
fn row_32_bool_if_exists_mfa_missing_is_true() {
    yes(
        r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#,
        &none(),
    );
}

#[test]
fn row_33_principal_is_aws_service_missing_for_anonymous() {
    no(r#"{"Bool":{"aws:PrincipalIsAWSService":"false"}}"#, &none());
}

#[test]
fn row_34_null_true_on_missing() {
    yes(r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, &none());
}

#[test]
fn row_35_null_false_on_empty_list() {
    no(
        r#"{"Null":{"aws:TagKeys":"false"}}"#,
        &list("aws:TagKeys", &[]),
    );
}

#[test]
fn row_36_null_true_and_false_is_tautology() {
    let c = r#"{"Null":{"k":["true","false"]}}"#;
    yes(c, &none());
    yes(c, &one("k", ""));
    yes(c, &one("k", "v"));
    yes(c, &list("k", &["a", "b"]));
}

#[test]
fn row_37_ip_inside_cidr() {
    yes(
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        &one("aws:SourceIp", "203.0.113.255"),
    );
}

#[test]
fn row_38_bare_ipv4_is_slash_32() {
    yes(
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}"#,
        &one("aws:SourceIp", "203.0.113.5"),
    );
}

#[test]
fn row_39_ip_family_mismatch() {
    no(
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        &one("aws:SourceIp", "2001:db8::1"),
    );
}

#[test]
fn row_40_not_ip_family_mismatch_is_not_in_range() {
    yes(
        r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        &one("aws:SourceIp", "2001:db8::1"),
    );
}

#[test]
fn row_41_not_ip_missing_is_true() {
    yes(
        r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        &none(),
    );
}

#[test]
fn row_42_ip_or_across_families_ipv6_case_insensitive() {
    yes(
        r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}"#,
        &one("aws:SourceIp", "2001:db8:1234:5678::9"),
    );
}

#[test]
fn row_43_for_any_value_intersection() {
    yes(TAGKEYS_ENV_CC_ANY, &list("aws:TagKeys", &["env", "dept"]));
}

#[test]
fn row_44_for_any_value_missing_is_false() {
    no(TAGKEYS_ENV_CC_ANY, &none());
}

#[test]
fn row_45_for_all_values_subset() {
    no(TAGKEYS_ENV_CC_ALL, &list("aws:TagKeys", &["env", "dept"]));
}

#[test]
fn row_46_for_all_values_missing_is_vacuous() {
    yes(TAGKEYS_ENV_CC_ALL, &none());
}

#[test]
fn row_47_null_guard_makes_for_all_values_non_vacuous() {
    let c =
        r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]},"Null":{"aws:TagKeys":"false"}}"#;
    no(c, &none());
    let conds = compile("2012-10-17", c);
    assert_eq!(eval_all(&conds, &none()), (Truth::False, Some(1)));
    yes(c, &list("aws:TagKeys", &["env"]));
}

#[test]
fn row_48_for_all_values_not_like_every_value_misses() {
    no(
        NOTLIKE_KEY12,
        &list("aws:TagKeys", &["key1:hr", "key2:audit"]),
    );
}

#[test]
fn row_49_for_all_values_not_like_match() {
    yes(NOTLIKE_KEY12, &list("aws:TagKeys", &["key3:legal"]));
}

#[test]
fn row_50_for_any_value_not_equals_some_differs() {
    yes(
        r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"a"}}"#,
        &list("aws:TagKeys", &["a", "b"]),
    );
}

#[test]
fn row_51_for_any_value_not_equals_none_differs() {
    no(
        r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"a"}}"#,
        &list("aws:TagKeys", &["a"]),
    );
}

#[test]
fn row_52_for_any_value_if_exists_missing_is_true() {
    yes(
        r#"{"ForAnyValue:StringEqualsIfExists":{"aws:CalledVia":"dynamodb.amazonaws.com"}}"#,
        &none(),
    );
}

#[test]
fn row_53_multivalued_key_without_qualifier_never_matches() {
    no(
        r#"{"StringEquals":{"aws:TagKeys":"env"}}"#,
        &list("aws:TagKeys", &["env"]),
    );
    // Negated operators too (§5.4).
    no(
        r#"{"StringNotEquals":{"aws:TagKeys":"x"}}"#,
        &list("aws:TagKeys", &["env"]),
    );
}

#[test]
fn row_54_qualifier_on_single_valued_key_missing_is_vacuous() {
    yes(
        r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":["o-a","o-b"]}}"#,
        &none(),
    );
}

#[test]
fn row_55_qualifier_on_single_valued_key_present() {
    let c = r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":["o-a","o-b"]}}"#;
    no(c, &one("aws:PrincipalOrgID", "o-c"));
    yes(c, &one("aws:PrincipalOrgID", "o-a"));
}

#[test]
fn row_56_tag_key_part_case_insensitive_value_sensitive() {
    yes(
        r#"{"StringEquals":{"aws:ResourceTag/Dept":"Eng"}}"#,
        &one("aws:ResourceTag/dept", "Eng"),
    );
    no(
        r#"{"StringEquals":{"aws:ResourceTag/Dept":"Eng"}}"#,
        &one("aws:ResourceTag/dept", "eng"),
    );
}

#[test]
fn row_57_encryption_context_key_case_insensitive() {
    yes(
        r#"{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"#,
        &one("kms:EncryptionContext:appname", "ExampleApp"),
    );
}

#[test]
fn row_58_encryption_context_value_case_sensitive() {
    no(
        r#"{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"#,
        &one("kms:EncryptionContext:AppName", "exampleapp"),
    );
}

#[test]
fn row_59_encryption_context_keys_compared_as_values() {
    no(
        r#"{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}"#,
        &list("kms:EncryptionContextKeys", &["appname"]),
    );
}

#[test]
fn row_60_unresolved_variable_never_equals() {
    let c = r#"{"StringEquals":{"s3:prefix":"home/${aws:username}/"}}"#;
    no(c, &one("s3:prefix", "home//"));
    let conds = compile("2012-10-17", c);
    assert!(conds[0].has_unresolved(&one("s3:prefix", "home//")));
}

#[test]
fn row_61_null_variable_with_negated_operator_matches() {
    yes(
        r#"{"StringNotEquals":{"aws:PrincipalTag/team":"${aws:ResourceTag/team}"}}"#,
        &one("aws:PrincipalTag/team", "a"),
    );
}

#[test]
fn row_62_variable_default_used() {
    yes(
        r#"{"StringEquals":{"k":"${aws:PrincipalTag/team, 'none'}"}}"#,
        &one("k", "none"),
    );
}

#[test]
fn row_63_variables_are_literal_under_2008() {
    let c = r#"{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#;
    let cx = ctx(
        &[("s3:prefix", "home/alice/x"), ("aws:username", "alice")],
        &[],
    );
    assert_eq!(eval_v("2008-10-17", c, &cx), Truth::False);
    assert_eq!(
        eval_v("2008-10-17", c, &one("s3:prefix", "home/${aws:username}/x")),
        Truth::True
    );
    // The same condition under 2012-10-17 substitutes.
    assert_eq!(eval(c, &cx), Truth::True);
}

#[test]
fn row_64_no_variables_in_numeric() {
    let c = r#"{"NumericLessThan":{"k":"${aws:MultiFactorAuthAge}"}}"#;
    no(
        c,
        &ctx(&[("k", "1"), ("aws:MultiFactorAuthAge", "100")], &[]),
    );
    no(c, &one("k", "1"));
}

#[test]
fn row_65_key_names_case_insensitive() {
    yes(
        r#"{"StringEquals":{"AWS:SOURCEVPC":"vpc-1"}}"#,
        &one("aws:SourceVpc", "vpc-1"),
    );
}

#[test]
fn row_66_values_case_sensitive() {
    no(
        r#"{"StringEquals":{"aws:sourcevpc":"VPC-1"}}"#,
        &one("aws:SourceVpc", "vpc-1"),
    );
}

#[test]
fn row_67_operators_and_positive_missing_false() {
    let c = r#"{"StringEquals":{"a":"1"},"StringLike":{"b":"x*"}}"#;
    no(c, &one("a", "1"));
    assert_eq!(
        eval_all(&compile("2012-10-17", c), &one("a", "1")),
        (Truth::False, Some(1))
    );
    yes(c, &ctx(&[("a", "1"), ("b", "xy")], &[]));
}

// ---------------------------------------------------------------------------------------
// Beyond the table.

#[test]
fn empty_condition_list_is_true() {
    assert_eq!(eval_all(&[], &none()), (Truth::True, None));
}

#[test]
fn present_empty_values() {
    // Unqualified: the empty list is the empty string, and IfExists evaluates it (§4.9).
    yes(r#"{"StringEquals":{"k":""}}"#, &list("k", &[]));
    no(r#"{"StringEqualsIfExists":{"k":"x"}}"#, &one("k", ""));
    yes(r#"{"StringNotEqualsIfExists":{"k":"x"}}"#, &list("k", &[]));
    // Qualified: empty string / empty list are the empty set (§5.1).
    for cx in [one("k", ""), list("k", &[])] {
        yes(r#"{"ForAllValues:StringEquals":{"k":"x"}}"#, &cx);
        no(r#"{"ForAnyValue:StringEquals":{"k":"x"}}"#, &cx);
        no(r#"{"ForAnyValue:StringNotEquals":{"k":"x"}}"#, &cx);
        no(r#"{"Null":{"k":"false"}}"#, &cx);
        yes(r#"{"Null":{"k":"true"}}"#, &cx);
    }
}

#[test]
fn null_with_bad_value_never_matches() {
    no(r#"{"Null":{"k":"maybe"}}"#, &none());
    no(r#"{"Null":{"k":"maybe"}}"#, &one("k", "v"));
    yes(r#"{"Null":{"k":"TRUE"}}"#, &none());
}

#[test]
fn malformed_policy_values_never_hit() {
    // Positive: false. Negated: true (§3 (b)).
    for (pos, neg, key, val, req) in [
        ("NumericEquals", "NumericNotEquals", "k", "ten", "10"),
        (
            "DateEquals",
            "DateNotEquals",
            "k",
            "yesterday",
            "2020-01-01T00:00:00Z",
        ),
        ("IpAddress", "NotIpAddress", "k", "10.0.0.0/99", "10.0.0.1"),
        ("ArnEquals", "ArnNotEquals", "k", "not-an-arn", "not-an-arn"),
        ("ArnLike", "ArnNotLike", "k", "arn:aws:s3", "arn:aws:s3"),
    ] {
        no(
            &format!(r#"{{"{pos}":{{"{key}":"{val}"}}}}"#),
            &one(key, req),
        );
        yes(
            &format!(r#"{{"{neg}":{{"{key}":"{val}"}}}}"#),
            &one(key, req),
        );
    }
    no(r#"{"BinaryEquals":{"k":"QR=="}}"#, &one("k", "QR=="));
    yes(r#"{"BinaryEquals":{"k":"QUJD"}}"#, &one("k", "QUJD"));
}

#[test]
fn every_negated_operator_is_true_on_missing_and_nor_on_values() {
    for (op, val, req_hit) in [
        ("StringNotEquals", "a", "a"),
        ("StringNotEqualsIgnoreCase", "a", "A"),
        ("StringNotLike", "a*", "ab"),
        ("NumericNotEquals", "1", "1.0"),
        ("DateNotEquals", "2020", "2020-01-01T00:00:00Z"),
        ("NotIpAddress", "10.0.0.0/8", "10.1.2.3"),
        ("ArnNotEquals", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x"),
        ("ArnNotLike", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x"),
    ] {
        let c = format!(r#"{{"{op}":{{"k":"{val}"}}}}"#);
        yes(&c, &none());
        no(&c, &one("k", req_hit));
        let c2 = format!(r#"{{"{op}IfExists":{{"k":"{val}"}}}}"#);
        yes(&c2, &none());
        no(&c2, &one("k", req_hit));
    }
}

#[test]
fn for_all_values_if_exists() {
    yes(
        r#"{"ForAllValues:StringEqualsIfExists":{"k":"a"}}"#,
        &none(),
    );
    no(
        r#"{"ForAllValues:StringEqualsIfExists":{"k":"a"}}"#,
        &list("k", &["a", "b"]),
    );
}

#[test]
fn qualified_operators_of_other_families() {
    yes(
        r#"{"ForAnyValue:ArnLike":{"k":"arn:aws:iam::*:role/a"}}"#,
        &list("k", &["arn:aws:iam::1:role/b", "arn:aws:iam::2:role/a"]),
    );
    no(
        r#"{"ForAllValues:ArnLike":{"k":"arn:aws:iam::*:role/a"}}"#,
        &list("k", &["arn:aws:iam::1:role/b", "arn:aws:iam::2:role/a"]),
    );
    yes(
        r#"{"ForAllValues:NumericLessThan":{"k":"10"}}"#,
        &list("k", &["1", "9.5"]),
    );
    yes(
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-a1/r-ab12/ou-1/*"}}"#,
        &list("aws:PrincipalOrgPaths", &["o-a1/r-ab12/ou-1/ou-2/"]),
    );
}

#[test]
fn encryption_context_key_with_colons() {
    let c = r#"{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::data-bucket/*"}}"#;
    yes(
        c,
        &one(
            "kms:EncryptionContext:aws:s3:arn",
            "arn:aws:s3:::data-bucket/reports/q1.csv",
        ),
    );
    no(
        c,
        &one(
            "kms:EncryptionContext:aws:s3:arn",
            "arn:aws:s3:::other-bucket/x",
        ),
    );
    yes(
        r#"{"ArnLike":{"KMS:ENCRYPTIONCONTEXT:AWS:S3:ARN":"arn:aws:s3:::data-bucket/*"}}"#,
        &one(
            "kms:EncryptionContext:aws:s3:arn",
            "arn:aws:s3:::data-bucket/a:b",
        ),
    );
}

#[test]
fn variables_in_conditions() {
    let cx = ctx(
        &[
            ("kms:EncryptionContext:user", "alice"),
            ("AWS:UserName", "alice"),
            ("aws:PrincipalTag/team", "red"),
            ("aws:ResourceTag/team", "${aws:PrincipalTag/team}"),
        ],
        &[("aws:TagKeys", &["x"])],
    );
    // Variable names are case-insensitive.
    yes(
        r#"{"StringEquals":{"kms:EncryptionContext:user":"${AWS:USERNAME}"}}"#,
        &cx,
    );
    // Context values are never re-interpreted as templates.
    no(
        r#"{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}"#,
        &cx,
    );
    // A multivalued key as a variable is unresolved (§6.3).
    no(
        r#"{"StringEquals":{"k":"${aws:TagKeys}"}}"#,
        &ctx(&[("k", "x")], &[("aws:TagKeys", &["x"])]),
    );
    yes(
        r#"{"StringNotEquals":{"k":"${aws:TagKeys}"}}"#,
        &ctx(&[("k", "x")], &[("aws:TagKeys", &["x"])]),
    );
    // Arn operators take variables.
    yes(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}"#,
        &ctx(
            &[
                ("aws:PrincipalArn", "arn:aws:iam::1:user/alice"),
                ("aws:username", "alice"),
            ],
            &[],
        ),
    );
    // Escapes.
    yes(r#"{"StringEquals":{"k":"a${$}b"}}"#, &one("k", "a$b"));
    yes(r#"{"StringLike":{"k":"${?}*"}}"#, &one("k", "?x"));
    no(r#"{"StringLike":{"k":"${?}*"}}"#, &one("k", "yx"));
}

#[test]
fn ambiguous_case_collision_is_unknown() {
    let mut cx = RequestContext::new();
    assert!(cx.insert_checked("aws:ResourceTag/EC2", ContextValue::Single("test1".into())));
    // Same value under another spelling: harmless.
    assert!(cx.insert_checked("aws:ResourceTag/ec2", ContextValue::Single("test1".into())));
    yes(r#"{"StringEquals":{"aws:ResourceTag/EC2":"test1"}}"#, &cx);
    assert!(!cx.insert_checked("aws:ResourceTag/ec2", ContextValue::Single("test2".into())));
    cx.insert("a", ContextValue::Single("1".into()));
    let conds = compile(
        "2012-10-17",
        r#"{"StringEquals":{"a":"1","aws:ResourceTag/EC2":"test1"}}"#,
    );
    let (t, i) = eval_all(&conds, &cx);
    assert!(matches!(t, Truth::Unknown(_)), "{t:?}");
    assert_eq!(i, Some(1));
    // A False elsewhere still decides the conjunction.
    let conds = compile(
        "2012-10-17",
        r#"{"StringEquals":{"aws:ResourceTag/EC2":"test1"},"StringLike":{"b":"x"}}"#,
    );
    let (t, i) = eval_all(&conds, &cx);
    assert_eq!(t, Truth::False);
    assert_eq!(conds[i.unwrap()].key(), "b");
}

#[test]
fn key_accessors() {
    let conds = compile("2012-10-17", r#"{"StringEquals":{"AWS:SourceVpc":"v"}}"#);
    assert_eq!(conds[0].key(), "aws:sourcevpc");
    assert_eq!(conds[0].key_text(), "AWS:SourceVpc");
}
