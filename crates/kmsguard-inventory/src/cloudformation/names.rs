//! What `Ref` and `Fn::GetAtt` return for a resource of the template.
//!
//! A resource has no physical id before it is created. kmsguard stands in a value of the right
//! shape: the name property when the template sets one (`RoleName`, `BucketName`), else the
//! logical id (lower-cased for a bucket, whose names are lower case); a key's id is its logical
//! id, so its ARN is `arn:aws:kms:REGION:ACCOUNT:key/LOGICALID`. Attributes kmsguard does not
//! model (`RoleId`, `StreamArn`, ...) are placeholders.
//! References: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html>

use kmsguard_syntax::unknown;

use super::intrinsics::Resolver;
use super::template::Resource;
use super::value::Val;

/// The property that names a resource of type `kind`.
fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::Group" => "GroupName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::Policy" => "PolicyName",
        "AWS::IAM::InstanceProfile" => "InstanceProfileName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::Lambda::Function" => "FunctionName",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => "TableName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::KMS::Alias" => "AliasName",
        _ => return None,
    })
}

impl Resolver<'_, '_, '_> {
    /// One property of `r`, evaluated.
    pub(crate) fn property(&mut self, r: &Resource<'_, '_>, name: &str) -> Option<Val> {
        let node = r.properties?.get(name)?;
        self.resolve(node)
    }

    /// The resource's name: its name property, else its logical id.
    pub(crate) fn physical_name(&mut self, r: &Resource<'_, '_>) -> String {
        if let Some(n) = self.names.get(r.id) {
            return n.clone();
        }
        if self.naming.iter().any(|n| n == r.id) {
            self.diags.push(
                kmsguard_syntax::Diagnostic::error(
                    super::codes::P309,
                    format!("the name of `{}` depends on itself", r.id),
                )
                .label(r.id_span, "circular reference")
                .note("CloudFormation rejects a template whose resources depend on each other in a cycle")
                .help("name the resource without referring to it"),
            );
            return unknown::placeholder(&format!("name of {}", r.id));
        }
        if self.naming.len() >= super::intrinsics::MAX_CHAIN {
            return unknown::placeholder(&format!("name of {}", r.id));
        }
        self.naming.push(r.id.to_owned());
        let given = name_property(r.kind).and_then(|p| self.property(r, p));
        self.naming.pop();
        let name = match given.as_ref().and_then(Val::scalar_text) {
            Some(n) => n.into_owned(),
            None if r.kind == "AWS::S3::Bucket" => r.id.to_lowercase(),
            None => r.id.to_owned(),
        };
        self.names.insert(r.id.to_owned(), name.clone());
        name
    }

    /// An IAM `Path` (default `/`), with its slashes.
    fn iam_path(&mut self, r: &Resource<'_, '_>) -> String {
        let path = self
            .property(r, "Path")
            .and_then(|v| v.scalar_text().map(|s| s.into_owned()))
            .unwrap_or_default();
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_owned()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// What `Ref` returns for `r`.
    pub(crate) fn ref_resource(&mut self, r: &Resource<'_, '_>) -> String {
        match r.kind {
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" | "AWS::EC2::Volume" => r.id.to_owned(),
            "AWS::IAM::ManagedPolicy" => self.resource_att(r, "PolicyArn"),
            "AWS::SNS::Topic" => self.resource_att(r, "TopicArn"),
            "AWS::SQS::Queue" => self.resource_att(r, "QueueUrl"),
            k if name_property(k).is_some() => self.physical_name(r),
            _ => unknown::placeholder(&format!("Ref {}", r.id)),
        }
    }

    /// What `Fn::GetAtt` returns for attribute `attr` of `r`.
    pub(crate) fn resource_att(&mut self, r: &Resource<'_, '_>, attr: &str) -> String {
        let p = self.env.partition;
        let region = self.env.region.clone();
        let account = self.env.account.clone();
        let suffix = self.env.url_suffix;
        let id = r.id;
        match (r.kind, attr) {
            ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", "Arn") => {
                format!("arn:{p}:kms:{region}:{account}:key/{id}")
            }
            ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", "KeyId") => id.to_owned(),
            ("AWS::IAM::Role", "Arn") => self.iam_arn(r, "role"),
            ("AWS::IAM::User", "Arn") => self.iam_arn(r, "user"),
            ("AWS::IAM::Group", "Arn") => self.iam_arn(r, "group"),
            ("AWS::IAM::InstanceProfile", "Arn") => self.iam_arn(r, "instance-profile"),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => self.iam_arn(r, "policy"),
            ("AWS::S3::Bucket", _) => {
                let name = self.physical_name(r);
                match attr {
                    "Arn" => format!("arn:{p}:s3:::{name}"),
                    "DomainName" => format!("{name}.s3.{suffix}"),
                    "RegionalDomainName" => format!("{name}.s3.{region}.{suffix}"),
                    "DualStackDomainName" => format!("{name}.s3.dualstack.{region}.{suffix}"),
                    _ => unknown::placeholder(&format!("GetAtt {id}.{attr}")),
                }
            }
            ("AWS::SNS::Topic", "TopicArn") => {
                let name = self.physical_name(r);
                format!("arn:{p}:sns:{region}:{account}:{name}")
            }
            ("AWS::SQS::Queue", "Arn") => {
                let name = self.physical_name(r);
                format!("arn:{p}:sqs:{region}:{account}:{name}")
            }
            ("AWS::SQS::Queue", "QueueUrl") => {
                let name = self.physical_name(r);
                format!("https://sqs.{region}.{suffix}/{account}/{name}")
            }
            ("AWS::SNS::Topic", "TopicName") | ("AWS::SQS::Queue", "QueueName") => {
                self.physical_name(r)
            }
            ("AWS::Lambda::Function", "Arn") => {
                let name = self.physical_name(r);
                format!("arn:{p}:lambda:{region}:{account}:function:{name}")
            }
            ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "Arn") => {
                let name = self.physical_name(r);
                format!("arn:{p}:dynamodb:{region}:{account}:table/{name}")
            }
            ("AWS::Logs::LogGroup", "Arn") => {
                let name = self.physical_name(r);
                format!("arn:{p}:logs:{region}:{account}:log-group:{name}:*")
            }
            _ => unknown::placeholder(&format!("GetAtt {id}.{attr}")),
        }
    }

    /// `arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME`.
    fn iam_arn(&mut self, r: &Resource<'_, '_>, ty: &str) -> String {
        let name = self.physical_name(r);
        let path = self.iam_path(r);
        format!(
            "arn:{}:iam::{}:{ty}{path}{name}",
            self.env.partition, self.env.account
        )
    }
}
