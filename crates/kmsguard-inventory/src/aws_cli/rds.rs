//! `aws rds describe-global-clusters`: Aurora global databases and the Regions of their
//! member clusters.

use kmsguard_syntax::json::Node;

use super::{Cx, arn_parts};
use crate::model::{DataRegion, GlobalData, GlobalDataKind};

impl Cx<'_> {
    /// `aws rds describe-global-clusters`: `GlobalClusters[]` with `GlobalClusterArn`,
    /// `GlobalClusterIdentifier`, `StorageEncrypted` and `GlobalClusterMembers[]`
    /// (`DBClusterArn`, whose Region is the member's, and `IsWriter`).
    pub(super) fn describe_global_clusters(&mut self, root: &Node<'_>) {
        for (i, cluster) in self.list(root, "GlobalClusters").iter().enumerate() {
            let Some(arn) = self.req_str(cluster, "GlobalClusterArn") else {
                continue;
            };
            let Some(parts) = arn_parts(&arn.node).filter(|p| p.service == "rds") else {
                if let Some(n) = cluster.get("GlobalClusterArn") {
                    self.wrong_type("GlobalClusterArn", "an RDS global cluster ARN", n);
                }
                continue;
            };
            let account = Some(parts.account.to_owned()).filter(|a| !a.is_empty());
            let fallback = parts
                .resource
                .strip_prefix("global-cluster:")
                .unwrap_or(parts.resource)
                .to_owned();
            let name = self
                .opt_str(cluster, "GlobalClusterIdentifier")
                .map_or(fallback, |s| s.node);
            let storage_encrypted = self.opt_bool(cluster, "StorageEncrypted").map(|b| b.node);
            let mut regions = Vec::new();
            for member in self.list(cluster, "GlobalClusterMembers") {
                let Some(cluster_arn) = self.req_str(member, "DBClusterArn") else {
                    continue;
                };
                let Some(region) = arn_parts(&cluster_arn.node)
                    .filter(|p| p.service == "rds" && !p.region.is_empty())
                    .map(|p| p.region.to_owned())
                else {
                    if let Some(n) = member.get("DBClusterArn") {
                        self.wrong_type("DBClusterArn", "an RDS DB cluster ARN", n);
                    }
                    continue;
                };
                regions.push(DataRegion {
                    region,
                    status: None,
                    member: Some(cluster_arn.node),
                    writer: self.opt_bool(member, "IsWriter").map(|b| b.node),
                    sse_key: None,
                    span: member.span,
                });
            }
            let origin = self.origin(cluster.span, format!("GlobalClusters[{i}]"));
            self.put_global_data(GlobalData {
                kind: GlobalDataKind::AuroraGlobalDatabase,
                arn: arn.node,
                name,
                account,
                regions,
                storage_encrypted,
                origin,
            });
        }
    }
}
