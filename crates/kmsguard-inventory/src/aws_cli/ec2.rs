//! `aws ec2` outputs: `describe-images`, `describe-snapshots`,
//! `describe-image-attribute --attribute launchPermission`,
//! `describe-snapshot-attribute --attribute createVolumePermission`,
//! `get-ebs-default-kms-key-id`.

use kmsguard_syntax::Spanned;
use kmsguard_syntax::json::Node;

use super::store::{ec2_resource, image_index, snapshot_index};
use super::{Cx, arn_parts};
use crate::model::{EbsDefault, ImageSnapshot, Sharing};

impl Cx<'_> {
    /// `aws ec2 describe-images`.
    pub(super) fn describe_images(&mut self, root: &Node<'_>) {
        for (i, image) in self.list(root, "Images").iter().enumerate() {
            let Some(id) = self.req_str(image, "ImageId") else {
                continue;
            };
            let owner = self.opt_str(image, "OwnerId").map(|s| s.node);
            let public = self.opt_bool(image, "Public").is_some_and(|p| p.node);
            let mut snapshots = Vec::new();
            for device in self.list(image, "BlockDeviceMappings") {
                let Some(ebs) = device.get("Ebs") else {
                    // Instance-store volumes have no snapshot.
                    continue;
                };
                let Some(snapshot_id) = self.req_str(ebs, "SnapshotId") else {
                    continue;
                };
                snapshots.push(ImageSnapshot {
                    snapshot_id: snapshot_id.node,
                    encrypted: self.opt_bool(ebs, "Encrypted").is_some_and(|e| e.node),
                    kms_key: self.opt_str(ebs, "KmsKeyId").map(|k| k.node),
                    span: device.span,
                });
            }
            let origin = self.origin(image.span, format!("Images[{i}]"));
            let held = self
                .inv
                .images
                .iter()
                .find(|i| i.id == id.node)
                .map(|i| i.origin.state);
            let claim = self.claim(&ec2_resource(&id.node), "image", held);
            let n = image_index(self.inv, self.session, &id.node, &origin);
            let region = self.region.clone();
            if let (true, Some(img)) = (claim.writes(), self.inv.images.get_mut(n)) {
                img.account = owner.or_else(|| img.account.take());
                if region.is_some() {
                    img.region = region;
                }
                img.public = public;
                img.snapshots = snapshots;
                img.origin = origin;
            }
        }
    }

    /// `aws ec2 describe-snapshots`.
    pub(super) fn describe_snapshots(&mut self, root: &Node<'_>) {
        for (i, snapshot) in self.list(root, "Snapshots").iter().enumerate() {
            let Some(id) = self.req_str(snapshot, "SnapshotId") else {
                continue;
            };
            let owner = self.opt_str(snapshot, "OwnerId").map(|s| s.node);
            let encrypted = self.opt_bool(snapshot, "Encrypted").is_some_and(|e| e.node);
            let kms_key = self.opt_str(snapshot, "KmsKeyId");
            let origin = self.origin(snapshot.span, format!("Snapshots[{i}]"));
            let held = self
                .inv
                .snapshots
                .iter()
                .find(|s| s.id == id.node)
                .map(|s| s.origin.state);
            let claim = self.claim(&ec2_resource(&id.node), "snapshot", held);
            let n = snapshot_index(self.inv, self.session, &id.node, &origin);
            let region = self.region.clone();
            if let (true, Some(s)) = (claim.writes(), self.inv.snapshots.get_mut(n)) {
                s.account = owner.or_else(|| s.account.take());
                if region.is_some() {
                    s.region = region;
                }
                s.encrypted = encrypted;
                s.kms_key = kms_key;
                s.origin = origin;
            }
        }
    }

    /// Launch or create-volume permissions: `UserId`, `Group: all`, `OrganizationArn`,
    /// `OrganizationalUnitArn`.
    fn sharing(&mut self, items: &[Node<'_>]) -> Sharing {
        let mut sharing = Sharing::default();
        for item in items {
            if let Some(user) = self.opt_str(item, "UserId") {
                sharing.accounts.push(user);
            } else if let Some(group) = self.opt_str(item, "Group") {
                if group.node == "all" {
                    sharing.public = Some(group.span);
                }
            } else if let Some(org) = self
                .opt_str(item, "OrganizationArn")
                .or_else(|| self.opt_str(item, "OrganizationalUnitArn"))
            {
                sharing.organizations.push(org);
            } else {
                self.wrong_type(
                    "LaunchPermissions",
                    "entries with `UserId`, `Group`, `OrganizationArn` or `OrganizationalUnitArn`",
                    item,
                );
            }
        }
        sharing
    }

    /// `aws ec2 describe-image-attribute --attribute launchPermission`.
    pub(super) fn image_attribute(&mut self, root: &Node<'_>) {
        let Some(id) = self.req_str(root, "ImageId") else {
            return;
        };
        let items = self.list(root, "LaunchPermissions");
        let sharing = self.sharing(items);
        let origin = self.origin(root.span, "LaunchPermissions");
        let held = self
            .inv
            .images
            .iter()
            .find(|i| i.id == id.node)
            .map(|i| i.origin.state);
        let claim = self.claim(&ec2_resource(&id.node), "launch", held);
        let n = image_index(self.inv, self.session, &id.node, &origin);
        let (account, region) = (self.account.clone(), self.region.clone());
        if let (true, Some(img)) = (claim.writes(), self.inv.images.get_mut(n)) {
            img.launch_permissions = sharing;
            img.account = img.account.take().or(account);
            img.region = img.region.take().or(region);
        }
    }

    /// `aws ec2 describe-snapshot-attribute --attribute createVolumePermission`.
    pub(super) fn snapshot_attribute(&mut self, root: &Node<'_>) {
        let Some(id) = self.req_str(root, "SnapshotId") else {
            return;
        };
        let items = self.list(root, "CreateVolumePermissions");
        let sharing = self.sharing(items);
        let origin = self.origin(root.span, "CreateVolumePermissions");
        let held = self
            .inv
            .snapshots
            .iter()
            .find(|s| s.id == id.node)
            .map(|s| s.origin.state);
        let claim = self.claim(&ec2_resource(&id.node), "volume", held);
        let n = snapshot_index(self.inv, self.session, &id.node, &origin);
        let (account, region) = (self.account.clone(), self.region.clone());
        if let (true, Some(s)) = (claim.writes(), self.inv.snapshots.get_mut(n)) {
            s.volume_permissions = sharing;
            s.account = s.account.take().or(account);
            s.region = s.region.take().or(region);
        }
    }

    /// `aws ec2 get-ebs-default-kms-key-id`: one per account and Region (from the manifest,
    /// else from the key ARN).
    pub(super) fn ebs_default(&mut self, root: &Node<'_>) {
        let Some(kms_key) = self.req_str(root, "KmsKeyId") else {
            return;
        };
        let parts = arn_parts(&kms_key);
        let account = self.account.clone().or_else(|| {
            parts
                .map(|p| p.account.to_owned())
                .filter(|a| !a.is_empty())
        });
        let region = self
            .region
            .clone()
            .or_else(|| parts.map(|p| p.region.to_owned()).filter(|r| !r.is_empty()));
        let resource = format!(
            "ebs:{}:{}",
            account.as_deref().unwrap_or("?"),
            region.as_deref().unwrap_or("?")
        );
        let held = self
            .inv
            .ebs_defaults
            .iter()
            .find(|e| e.account == account && e.region == region)
            .map(|e| e.origin.state);
        if !self.claim(&resource, "default", held).writes() {
            return;
        }
        let item = EbsDefault {
            account,
            region,
            kms_key: Spanned::new(kms_key.node, kms_key.span),
            origin: self.origin(root.span, ""),
        };
        match self
            .inv
            .ebs_defaults
            .iter_mut()
            .find(|e| e.account == item.account && e.region == item.region)
        {
            Some(existing) => *existing = item,
            None => self.inv.ebs_defaults.push(item),
        }
    }
}
