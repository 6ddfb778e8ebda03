//! `aws dynamodb describe-table`: a table and the Regions of its global-table replicas.

use kmsguard_syntax::json::Node;

use super::{Cx, arn_parts};
use crate::model::{DataRegion, GlobalData, GlobalDataKind};

impl Cx<'_> {
    /// `aws dynamodb describe-table`: `Table.TableArn`, `Table.Replicas[]` (`RegionName`,
    /// `ReplicaStatus`, `KMSMasterKeyId`) and `Table.SSEDescription.KMSMasterKeyArn`.
    pub(super) fn describe_table(&mut self, root: &Node<'_>) {
        let Some(table) = self.req_object(root, "Table") else {
            return;
        };
        let Some(arn) = self.req_str(table, "TableArn") else {
            return;
        };
        let Some(parts) = arn_parts(&arn.node)
            .filter(|p| p.service == "dynamodb" && p.resource.starts_with("table/"))
        else {
            if let Some(n) = table.get("TableArn") {
                self.wrong_type("TableArn", "a DynamoDB table ARN", n);
            }
            return;
        };
        let name = parts
            .resource
            .strip_prefix("table/")
            .unwrap_or(parts.resource)
            .to_owned();
        let (home, account) = (parts.region.to_owned(), parts.account.to_owned());
        let sse_key = table
            .get("SSEDescription")
            .and_then(|s| self.opt_str(s, "KMSMasterKeyArn"))
            .map(|k| k.node);
        let mut regions = vec![DataRegion {
            region: home,
            status: self.opt_str(table, "TableStatus").map(|s| s.node),
            member: None,
            writer: None,
            sse_key,
            span: arn.span,
        }];
        for replica in self.list(table, "Replicas") {
            let Some(region) = self.req_str(replica, "RegionName") else {
                continue;
            };
            let entry = DataRegion {
                region: region.node,
                status: self.opt_str(replica, "ReplicaStatus").map(|s| s.node),
                member: None,
                writer: None,
                sse_key: self.opt_str(replica, "KMSMasterKeyId").map(|k| k.node),
                span: replica.span,
            };
            // Some outputs list the table's own Region among the replicas too.
            match regions.iter_mut().find(|r| r.region == entry.region) {
                Some(existing) => *existing = entry,
                None => regions.push(entry),
            }
        }
        let origin = self.origin(table.span, "Table");
        self.put_global_data(GlobalData {
            kind: GlobalDataKind::DynamoDbGlobalTable,
            arn: arn.node,
            name,
            account: Some(account),
            regions,
            storage_encrypted: None,
            origin,
        });
    }

    /// Adds a global data set, replacing an earlier description of the same ARN (a proposed
    /// description is never replaced by a current one).
    pub(super) fn put_global_data(&mut self, item: GlobalData) {
        let at = self.inv.global_data.iter().position(|g| g.arn == item.arn);
        let held = at
            .and_then(|i| self.inv.global_data.get(i))
            .map(|g| g.origin.state);
        let claim = self.claim(&format!("global-data:{}", item.arn), "description", held);
        if !claim.writes() {
            return;
        }
        match at.and_then(|i| self.inv.global_data.get_mut(i)) {
            Some(existing) => *existing = item,
            None => self.inv.global_data.push(item),
        }
    }
}
