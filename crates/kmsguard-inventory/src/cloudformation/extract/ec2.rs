//! `AWS::EC2::Volume`.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-volume.html>

use super::Cx;
use crate::cloudformation::template::Resource;
use crate::model::Volume;

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
