//! Every intrinsic function and pseudo parameter: resolved, or reported as unresolvable.
//!
//! Each case is an output of a template (`Outputs.NAME.Value`), evaluated with the resolver.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_syntax::json::Limits;
use kmsguard_syntax::{Code, Diagnostic, unknown};

use super::intrinsics::{Env, Resolver};
use super::template::Template;
use super::value::{Kind, Source, Val};
use super::{codes, yaml};
use crate::load::LoadOptions;

const TEMPLATE: &str = r#"
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "subnet-a, subnet-b"}
  Latest: {Type: "AWS::SSM::Parameter::Value<String>", Default: /prod/key}
Mappings:
  RegionMap:
    us-east-1: {Ami: ami-east}
    eu-west-1: {Ami: ami-west}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsDev, !Equals [!Ref NoDefault, x]]
  Unknown: !Equals [!Ref NoDefault, x]
  InEast: !Equals [!Ref AWS::Region, us-east-1]
  Loop: !Not [!Condition Loop]
Resources:
  DataKey: {Type: "AWS::KMS::Key"}
  Admin:
    Type: AWS::IAM::Role
    Properties: {RoleName: !Sub "${Env}-admin", Path: /ops/}
  Logs: {Type: "AWS::S3::Bucket"}
  Named: {Type: "AWS::S3::Bucket", Properties: {BucketName: !Sub "data-${AWS::AccountId}"}}
  Managed: {Type: "AWS::IAM::ManagedPolicy", Properties: {PolicyDocument: {}}}
  Topic: {Type: "AWS::SNS::Topic"}
  Thing: {Type: "AWS::EC2::Instance"}
  SelfNamed: {Type: "AWS::IAM::Role", Properties: {RoleName: !Sub "${SelfNamed}-x"}}
Outputs:
  RefParam: {Value: !Ref Env}
  RefParamNoDefault: {Value: !Ref NoDefault}
  RefListParam: {Value: !Join ["|", !Ref Subnets]}
  RefSsmParam: {Value: !Ref Latest}
  RefKey: {Value: !Ref DataKey}
  RefRole: {Value: !Ref Admin}
  RefBucket: {Value: !Ref Logs}
  RefNamedBucket: {Value: !Ref Named}
  RefManaged: {Value: !Ref Managed}
  RefTopic: {Value: !Ref Topic}
  RefOther: {Value: !Ref Thing}
  Account: {Value: !Ref AWS::AccountId}
  Region: {Value: !Ref AWS::Region}
  Partition: {Value: !Ref AWS::Partition}
  UrlSuffix: {Value: !Ref AWS::URLSuffix}
  StackName: {Value: !Ref AWS::StackName}
  StackId: {Value: !Ref AWS::StackId}
  Notifications: {Value: !Select [0, !Ref AWS::NotificationARNs]}
  NoValue: {Value: [a, !Ref AWS::NoValue, b]}
  KeyArn: {Value: !GetAtt DataKey.Arn}
  KeyId: {Value: !GetAtt [DataKey, KeyId]}
  RoleArn: {Value: !GetAtt Admin.Arn}
  RoleId: {Value: !GetAtt Admin.RoleId}
  BucketArn: {Value: !GetAtt [Logs, Arn]}
  ManagedArn: {Value: !GetAtt Managed.PolicyArn}
  SubString: {Value: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Admin}"}
  SubAttr: {Value: !Sub "${DataKey.Arn}/x"}
  SubList: {Value: !Sub ["${A}-${B}-${Env}", {A: one, B: !Ref DataKey}]}
  SubLiteral: {Value: !Sub "${!Literal}-${Env}"}
  Join: {Value: !Join [":", [a, !Ref Env, c]]}
  Select: {Value: !Select [1, [a, b, c]]}
  SelectString: {Value: !Select ["0", !Split [",", "x,y"]]}
  Split: {Value: !Join ["+", !Split [",", "a,b,c"]]}
  IfTrue: {Value: !If [IsProd, yes, no]}
  IfFalse: {Value: !If [IsDev, yes, no]}
  IfAnd: {Value: !If [Both, yes, no]}
  IfOr: {Value: !If [Either, yes, no]}
  IfUnknownSame: {Value: !If [Unknown, same, same]}
  IfUnknownDiffer: {Value: !If [Unknown, a, b]}
  IfStandInRegion: {Value: !If [InEast, a, b]}
  IfNoValue: {Value: [a, !If [IsDev, b, !Ref AWS::NoValue]]}
  FindInMap: {Value: !FindInMap [RegionMap, !Ref AWS::Region, Ami]}
  FindInMapLiteral: {Value: !FindInMap [RegionMap, eu-west-1, Ami]}
  FindInMapDefault: {Value: !FindInMap [RegionMap, ap-south-2, Ami, {DefaultValue: none}]}
  ImportValue: {Value: !ImportValue shared-key-arn}
  Base64: {Value: !Base64 "foo"}
  GetAZs: {Value: !Select [0, !GetAZs ""]}
  Cidr: {Value: !Select [0, !Cidr [10.0.0.0/16, 4, 8]]}
  ToJson: {Value: {"Fn::ToJsonString": {a: [1, true]}}}
  Length: {Value: {"Fn::Length": [a, b, c]}}
  EqualsAsValue: {Value: !Equals [a, a]}
  Bad:
    RefMissing: {Value: !Ref Missing}
    RefNotString: {Value: !Ref [a]}
    GetAttMissing: {Value: !GetAtt Missing.Arn}
    GetAttMalformed: {Value: !GetAtt NoDot}
    SubMissing: {Value: !Sub "${Missing}"}
    SubPolicyVariable: {Value: !Sub "arn:aws:s3:::b/${aws:username}"}
    SubUnclosed: {Value: !Sub "a${Env"}
    SubNotString: {Value: !Sub [x, 1, 2]}
    JoinMalformed: {Value: !Join [","]}
    SelectOutOfRange: {Value: !Select [5, [a]]}
    SelectBadIndex: {Value: !Select [x, [a]]}
    SplitMalformed: {Value: !Split [",", [a]]}
    IfMissingCondition: {Value: !If [Nope, a, b]}
    IfMalformed: {Value: !If [IsProd, a]}
    FindInMapMissingMap: {Value: !FindInMap [Nope, a, b]}
    FindInMapMissingKey: {Value: !FindInMap [RegionMap, mars-1, Ami]}
    FindInMapMalformed: {Value: !FindInMap [RegionMap]}
    ConditionLoop: {Value: !If [Loop, a, b]}
    SelfName: {Value: !Ref SelfNamed}
    Transform: {Value: {"Fn::Transform": {Name: AWS::Include}}}
    Unsupported: {Value: {"Fn::Frobnicate": x}}
"#;

/// Evaluates output `name` (`Outputs.name.Value`, or `Outputs.Bad.name.Value`).
fn eval(name: &str, options: &LoadOptions) -> (Option<Val>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = yaml::parse(TEMPLATE, &Limits::default(), &mut diags).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let tpl = Template::read(&root, &mut diags).unwrap();
    let outputs = root.get("Outputs").unwrap();
    let node = outputs
        .get(name)
        .or_else(|| outputs.get("Bad").unwrap().get(name))
        .unwrap()
        .get("Value")
        .unwrap();
    let src = Source {
        text: TEMPLATE,
        yaml: true,
    };
    let mut r = Resolver::new(&tpl, src, Env::new(options));
    let v = r.resolve(node);
    (v, r.diags)
}

fn text(v: &Val) -> String {
    match &v.kind {
        Kind::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        _ => v.scalar_text().unwrap().into_owned(),
    }
}

/// Evaluates `name` with default options and expects `expected` and no diagnostic.
fn resolved(name: &str, expected: &str) {
    let (v, diags) = eval(name, &LoadOptions::default());
    assert!(diags.is_empty(), "{name}: {diags:?}");
    assert_eq!(text(&v.unwrap()), expected, "{name}");
}

/// Expects a placeholder for `what` (exactly, or somewhere in the value) and no diagnostic.
fn placeholder(name: &str, what: &str) {
    let (v, diags) = eval(name, &LoadOptions::default());
    assert!(diags.is_empty(), "{name}: {diags:?}");
    let t = text(&v.unwrap());
    assert!(t.contains(&unknown::placeholder(what)), "{name}: {t}");
}

/// Expects a placeholder and one diagnostic with `code`.
fn reported(name: &str, code: Code) {
    let (v, diags) = eval(name, &LoadOptions::default());
    assert!(
        diags.iter().any(|d| d.code == code),
        "{name}: expected {code}, got {diags:?}"
    );
    let d = diags.iter().find(|d| d.code == code).unwrap();
    assert!(d.help.is_some() && !d.labels.is_empty(), "{name}: {d:?}");
    // An unclosed `${` is kept as written; everything else that failed is unknown.
    if let Some(v) = v.filter(|_| name != "SubUnclosed") {
        assert!(v.has_unknown(), "{name}: {v:?}");
    }
}

#[test]
fn refs_to_parameters() {
    resolved("RefParam", "prod");
    placeholder("RefParamNoDefault", "Ref NoDefault");
    resolved("RefListParam", "subnet-a|subnet-b");
    placeholder("RefSsmParam", "Ref Latest");
}

#[test]
fn refs_to_resources() {
    resolved("RefKey", "DataKey");
    resolved("RefRole", "prod-admin");
    resolved("RefBucket", "logs");
    resolved("RefNamedBucket", "data-000000000000");
    resolved("RefManaged", "arn:aws:iam::000000000000:policy/Managed");
    resolved("RefTopic", "arn:aws:sns:us-east-1:000000000000:Topic");
    placeholder("RefOther", "Ref Thing");
}

#[test]
fn pseudo_parameters() {
    resolved("Account", STAND_IN_ACCOUNT);
    resolved("Region", STAND_IN_REGION);
    resolved("Partition", "aws");
    resolved("UrlSuffix", "amazonaws.com");
    placeholder("StackName", "AWS::StackName");
    placeholder("StackId", "AWS::StackId");
    placeholder("Notifications", "AWS::NotificationARNs");
    resolved("NoValue", "a,b");
    let options = LoadOptions {
        account: Some("111122223333".into()),
        region: Some("cn-north-1".into()),
        ..LoadOptions::default()
    };
    let (v, _) = eval("SubString", &options);
    assert_eq!(
        text(&v.unwrap()),
        "arn:aws-cn:iam::111122223333:role/prod-admin"
    );
    let (v, _) = eval("UrlSuffix", &options);
    assert_eq!(text(&v.unwrap()), "amazonaws.com.cn");
}

use super::{STAND_IN_ACCOUNT, STAND_IN_REGION};

#[test]
fn get_att() {
    resolved("KeyArn", "arn:aws:kms:us-east-1:000000000000:key/DataKey");
    resolved("KeyId", "DataKey");
    resolved("RoleArn", "arn:aws:iam::000000000000:role/ops/prod-admin");
    placeholder("RoleId", "GetAtt Admin.RoleId");
    resolved("BucketArn", "arn:aws:s3:::logs");
    resolved("ManagedArn", "arn:aws:iam::000000000000:policy/Managed");
}

#[test]
fn sub() {
    resolved("SubString", "arn:aws:iam::000000000000:role/prod-admin");
    resolved(
        "SubAttr",
        "arn:aws:kms:us-east-1:000000000000:key/DataKey/x",
    );
    resolved("SubList", "one-DataKey-prod");
    resolved("SubLiteral", "${Literal}-prod");
}

#[test]
fn lists_and_strings() {
    resolved("Join", "a:prod:c");
    resolved("Select", "b");
    resolved("SelectString", "x");
    resolved("Split", "a+b+c");
    resolved("Base64", "Zm9v");
    resolved("ToJson", r#"{"a":[1,true]}"#);
    resolved("Length", "3");
    resolved("EqualsAsValue", "true");
}

#[test]
fn conditions_and_if() {
    resolved("IfTrue", "yes");
    resolved("IfFalse", "no");
    resolved("IfAnd", "yes");
    // `Or` of false and unknown is unknown.
    placeholder("IfOr", "Fn::If Either");
    resolved("IfUnknownSame", "same");
    placeholder("IfUnknownDiffer", "Fn::If Unknown");
    // The stand-in Region does not decide a condition.
    placeholder("IfStandInRegion", "Fn::If InEast");
    resolved("IfNoValue", "a");
    let options = LoadOptions {
        region: Some("us-east-1".into()),
        ..LoadOptions::default()
    };
    let (v, _) = eval("IfStandInRegion", &options);
    assert_eq!(text(&v.unwrap()), "a");
}

#[test]
fn mappings_and_unknowable_values() {
    resolved("FindInMap", "ami-east");
    resolved("FindInMapLiteral", "ami-west");
    resolved("FindInMapDefault", "none");
    placeholder("ImportValue", "ImportValue shared-key-arn");
    placeholder("GetAZs", "Fn::Select");
    placeholder("Cidr", "Fn::Select");
}

#[test]
fn template_errors_are_reported() {
    for (name, code) in [
        ("RefMissing", codes::P305),
        ("RefNotString", codes::P306),
        ("GetAttMissing", codes::P305),
        ("GetAttMalformed", codes::P306),
        ("SubMissing", codes::P305),
        ("SubPolicyVariable", codes::P305),
        ("SubUnclosed", codes::P306),
        ("SubNotString", codes::P306),
        ("JoinMalformed", codes::P306),
        ("SelectOutOfRange", codes::P306),
        ("SelectBadIndex", codes::P306),
        ("SplitMalformed", codes::P306),
        ("IfMissingCondition", codes::P305),
        ("IfMalformed", codes::P306),
        ("FindInMapMissingMap", codes::P305),
        ("FindInMapMissingKey", codes::P305),
        ("FindInMapMalformed", codes::P306),
        ("ConditionLoop", codes::P309),
        ("SelfName", codes::P309),
        ("Transform", codes::P307),
        ("Unsupported", codes::P307),
    ] {
        reported(name, code);
    }
    let (_, diags) = eval("SubPolicyVariable", &LoadOptions::default());
    assert!(
        diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("${!aws:username}")
    );
}

#[test]
fn sub_output_maps_back_to_its_source() {
    let (v, _) = eval("SubString", &LoadOptions::default());
    let v = v.unwrap();
    let Kind::Str(t) = &v.kind else { panic!() };
    // `:iam::` is literal text of the `!Sub`; `prod-admin` comes from `${Admin}`.
    let s = t.as_str();
    let at = s.find(":iam::").unwrap();
    let span = t.span_of(kmsguard_syntax::Span::new(at, at + 6));
    assert_eq!(&TEMPLATE[span.range()], ":iam::");
    let at = s.find("prod-admin").unwrap();
    let span = t.span_of(kmsguard_syntax::Span::new(at, at + 10));
    assert_eq!(
        &TEMPLATE[span.start as usize..span.start as usize + 8],
        "${Admin}"
    );
}
