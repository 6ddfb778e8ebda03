//! EC2 images (AMIs), EBS snapshots, their sharing, and the EBS default key.

use kmsguard_syntax::Spanned;

use super::Cx;
use super::cursor::{Cursor, Val};
use super::kms::ident;
use super::plan::Target;
use crate::model::{EbsDefault, Image, ImageSnapshot, Sharing, Snapshot, Volume};

/// `aws_ebs_volume`.
pub(super) fn volume(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let key_attr = c.get("kms_key_id");
    let volume = Volume {
        id: ident(&c, "id"),
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        encrypted: c.get("encrypted").bool().map(|b| b.node),
        kms_key: nonempty(&key_attr)
            .filter(|_| key_attr.node().is_some() || key_attr.configured())
            .map(Val::spanned),
        snapshot_id: nonempty(&c.get("snapshot_id")).map(|v| v.text),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    cx.inv.volumes.push(volume);
}

/// `aws_ebs_snapshot`, `aws_ebs_snapshot_copy`, `aws_ebs_snapshot_import`.
pub(super) fn snapshot(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let key_attr = c.get("kms_key_id");
    let mut kms_key =
        nonempty(&key_attr).filter(|_| key_attr.node().is_some() || key_attr.configured());
    let mut encrypted = c.get("encrypted").bool().map(|b| b.node);
    // A snapshot of a volume has the volume's encryption and key, which the plan knows from
    // the volume's configuration before AWS takes the snapshot.
    if let Some(volume) = volume_of(cx, &c) {
        if kms_key.is_none() {
            kms_key = nonempty(&volume.get("kms_key_id"));
        }
        if encrypted.is_none() {
            encrypted = volume.get("encrypted").bool().map(|b| b.node);
        }
    }
    let snapshot = Snapshot {
        id: ident(&c, "id"),
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        encrypted: encrypted.unwrap_or(kms_key.is_some()),
        kms_key: kms_key.map(Val::spanned),
        volume_permissions: Sharing::default(),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    cx.inv.snapshots.push(snapshot);
}

fn volume_of<'p, 'n>(cx: &Cx<'p, 'n>, c: &Cursor<'p, 'n>) -> Option<Cursor<'p, 'n>> {
    let Target::Attr { res, .. } = cx.plan.target_of(&c.get("volume_id"))? else {
        return None;
    };
    let r = cx.plan.res(res)?;
    (r.kind == "aws_ebs_volume").then(|| Cursor::root(cx.plan, res))
}

fn nonempty(c: &Cursor<'_, '_>) -> Option<Val> {
    c.string().filter(|v| !v.text.is_empty())
}

/// `aws_ami`, `aws_ami_copy`, `aws_ami_from_instance`.
pub(super) fn image(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let copy_key = nonempty(&c.get("kms_key_id"));
    let copy_encrypted = c.get("encrypted").bool().map(|b| b.node);
    let devices = c.get("ebs_block_device");
    let mut snapshots: Vec<ImageSnapshot> = devices
        .items()
        .iter()
        .filter_map(|d| {
            let id = d
                .get("snapshot_id")
                .string()
                .filter(|v| !v.text.is_empty())?;
            let known = cx
                .inv
                .snapshots
                .iter()
                .find(|s| s.origin.file == cx.file && s.id == id.text);
            Some(ImageSnapshot {
                encrypted: d
                    .get("encrypted")
                    .bool()
                    .map(|b| b.node)
                    .or(copy_encrypted)
                    .or_else(|| known.map(|s| s.encrypted))
                    .unwrap_or(false),
                kms_key: copy_key
                    .as_ref()
                    .map(|k| k.text.clone())
                    .or_else(|| known.and_then(|s| s.kms_key.as_ref().map(|k| k.node.clone()))),
                snapshot_id: id.text,
                span: d.span(),
            })
        })
        .collect();
    // An image copy's snapshots are made by the copy: their ids are unknown until apply, but
    // their encryption and key are the copy's.
    let is_copy = cx.plan.res(res).is_some_and(|r| r.kind == "aws_ami_copy");
    if snapshots.is_empty() && is_copy {
        snapshots.push(ImageSnapshot {
            snapshot_id: devices.placeholder().text,
            encrypted: copy_encrypted.unwrap_or(copy_key.is_some()),
            kms_key: copy_key.as_ref().map(|k| k.text.clone()),
            span: copy_key
                .as_ref()
                .map_or_else(|| c.resource_span(), |k| k.span),
        });
    }
    let image = Image {
        id: ident(&c, "id"),
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        public: c.get("public").bool().is_some_and(|b| b.node),
        snapshots,
        launch_permissions: Sharing::default(),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    cx.inv.images.push(image);
}

/// Adds one `account_id` / `group` / `organization_arn` / `organizational_unit_arn` grant of
/// a launch or create-volume permission resource to `sharing`.
fn share(c: &Cursor<'_, '_>, sharing: &mut Sharing) -> bool {
    let mut public = false;
    if let Some(a) = nonempty(&c.get("account_id")) {
        sharing.accounts.push(a.spanned());
    }
    if let Some(g) = nonempty(&c.get("group")) {
        if g.text == "all" {
            sharing.public = Some(g.span);
            public = true;
        }
    }
    for attr in ["organization_arn", "organizational_unit_arn"] {
        if let Some(o) = nonempty(&c.get(attr)) {
            sharing.organizations.push(o.spanned());
        }
    }
    public
}

/// `aws_ami_launch_permission`.
pub(super) fn launch_permission(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(image_id) = nonempty(&c.get("image_id")) else {
        return;
    };
    let file = cx.file;
    let i = match cx
        .inv
        .images
        .iter()
        .position(|i| i.origin.file == file && i.id == image_id.text)
    {
        Some(i) => i,
        None => {
            let origin = cx.origin(image_id.span, c.address());
            cx.inv.images.push(Image {
                id: image_id.text.clone(),
                account: Some(cx.plan.account_of(res)),
                region: Some(cx.plan.region_of(res)),
                public: false,
                snapshots: Vec::new(),
                launch_permissions: Sharing::default(),
                origin,
            });
            cx.inv.images.len().saturating_sub(1)
        }
    };
    if let Some(image) = cx.inv.images.get_mut(i) {
        if share(&c, &mut image.launch_permissions) {
            image.public = true;
        }
    }
}

/// `aws_snapshot_create_volume_permission`.
pub(super) fn volume_permission(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(snapshot_id) = nonempty(&c.get("snapshot_id")) else {
        return;
    };
    let file = cx.file;
    let i = match cx
        .inv
        .snapshots
        .iter()
        .position(|s| s.origin.file == file && s.id == snapshot_id.text)
    {
        Some(i) => i,
        None => {
            let origin = cx.origin(snapshot_id.span, c.address());
            cx.inv.snapshots.push(Snapshot {
                id: snapshot_id.text.clone(),
                account: Some(cx.plan.account_of(res)),
                region: Some(cx.plan.region_of(res)),
                encrypted: false,
                kms_key: None,
                volume_permissions: Sharing::default(),
                origin,
            });
            cx.inv.snapshots.len().saturating_sub(1)
        }
    };
    if let Some(s) = cx.inv.snapshots.get_mut(i) {
        share(&c, &mut s.volume_permissions);
    }
}

/// `aws_ebs_default_kms_key`.
pub(super) fn ebs_default(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(key) = nonempty(&c.get("key_arn")) else {
        return;
    };
    let default = EbsDefault {
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        kms_key: Spanned::new(key.text, key.span),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    cx.inv.ebs_defaults.push(default);
}
