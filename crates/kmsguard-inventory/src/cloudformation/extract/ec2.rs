//! `AWS::EC2::Volume`, and the AMIs an `AWS::ImageBuilder::DistributionConfiguration` shares.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-volume.html>
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-distributionconfiguration-amidistributionconfiguration.html>

use super::Cx;
use crate::cloudformation::template::Resource;
use crate::cloudformation::value::Val;
use crate::model::{Image, ImageSnapshot, Sharing, Volume};

/// `AWS::EC2::Volume`: whether it is encrypted, and with which key.
pub(super) fn volume(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let encrypted = cx.boolean(res, &props, "Encrypted").map(|b| b.node);
    let kms_key = cx.string(res, &props, "KmsKeyId");
    let snapshot_id = cx.string(res, &props, "SnapshotId").map(|s| s.node);
    cx.inv.volumes.push(Volume {
        id: res.id.to_owned(),
        account: Some(cx.r.env.account.clone()),
        region: Some(cx.r.env.region.clone()),
        encrypted,
        kms_key,
        snapshot_id,
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    });
}

/// `AWS::ImageBuilder::DistributionConfiguration`: each distribution whose AMI distribution
/// configuration names a KMS key and launch permissions is an image (one per Region) whose
/// snapshots are encrypted with that key and shared with those accounts, organizations and
/// OUs (`UserGroups: [all]` makes it public). This is how templates share AMIs: EC2 images
/// themselves are not CloudFormation resources.
pub(super) fn distribution(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let distributions: Vec<Val> = props
        .get("Distributions")
        .and_then(Val::as_array)
        .map(<[Val]>::to_vec)
        .unwrap_or_default();
    for (i, d) in distributions.iter().enumerate() {
        let Some(ami) = d.get("AmiDistributionConfiguration") else {
            continue;
        };
        let region = cx
            .string(res, d, "Region")
            .map_or_else(|| cx.r.env.region.clone(), |r| r.node);
        let kms_key = cx.string(res, ami, "KmsKeyId");
        let mut sharing = Sharing::default();
        if let Some(lp) = ami.get("LaunchPermissionConfiguration") {
            sharing.accounts = cx.strings(res, lp, "UserIds");
            sharing.organizations = cx.strings(res, lp, "OrganizationArns");
            sharing
                .organizations
                .extend(cx.strings(res, lp, "OrganizationalUnitArns"));
            sharing.public = cx
                .strings(res, lp, "UserGroups")
                .iter()
                .find(|g| g.node.eq_ignore_ascii_case("all"))
                .map(|g| g.span);
        }
        let public = sharing.public.is_some();
        // Without `KmsKeyId` Image Builder keeps the source image's encryption, which the
        // template does not say: nothing to check.
        let Some(key) = kms_key else {
            continue;
        };
        let span = key.span;
        cx.inv.images.push(Image {
            id: format!("{}[{i}]", res.id),
            account: Some(cx.r.env.account.clone()),
            region: Some(region),
            public,
            snapshots: vec![ImageSnapshot {
                snapshot_id: format!("{}[{i}] snapshot", res.id),
                encrypted: true,
                kms_key: Some(key.node),
                span,
            }],
            launch_permissions: sharing,
            origin: cx.origin(
                ami.span,
                format!(
                    "Resources.{}.Properties.Distributions[{i}].AmiDistributionConfiguration",
                    res.id
                ),
            ),
        });
    }
}
