//! `IpAddress` / `NotIpAddress` (conditions.md §4.6).

use std::net::IpAddr;

use ipnet::IpNet;
use kmsguard_syntax::ast::ConditionValue;

/// Parses a policy value: a CIDR, or a bare address meaning `/32` (IPv4, DOC) or `/128`
/// (IPv6, INF). Host bits are masked off (§4.6, UNDOC → mask and lint). IPv6 text is
/// case-insensitive (the standard parser accepts either case).
pub(crate) fn parse_range(s: &str) -> Option<IpNet> {
    if s.contains('/') {
        s.parse::<IpNet>().ok().map(|n| n.trunc())
    } else {
        s.parse::<IpAddr>().ok().map(IpNet::from)
    }
}

/// The compiled ranges of one `IpAddress` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IpTest {
    /// `None`: malformed, never a hit (§3 (b)). No variables (§4.6).
    values: Vec<Option<IpNet>>,
}

impl IpTest {
    pub(crate) fn compile(values: &[&ConditionValue]) -> Self {
        Self {
            values: values
                .iter()
                .map(|v| parse_range(&v.template.raw))
                .collect(),
        }
    }

    /// Whether the request address lies in any range. A family mismatch is simply "not in the
    /// range" (§4.6); IPv4-mapped IPv6 addresses are not mapped (UNDOC → no mapping). A
    /// request value that is not an address never matches.
    pub(crate) fn hit(&self, text: &str) -> bool {
        let Ok(addr) = text.parse::<IpAddr>() else {
            return false;
        };
        self.values.iter().flatten().any(|n| n.contains(&addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn hit(pols: &[&str], req: &str) -> bool {
        let vs: Vec<ConditionValue> = pols
            .iter()
            .map(|p| ConditionValue {
                template: Template::literal(p),
                kind: ScalarKind::String,
            })
            .collect();
        let refs: Vec<&ConditionValue> = vs.iter().collect();
        IpTest::compile(&refs).hit(req)
    }

    #[test]
    fn table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["203.0.113.0/24"], "203.0.113.255", true),
            (&["203.0.113.0/24"], "203.0.114.0", false),
            (&["203.0.113.5"], "203.0.113.5", true),
            (&["203.0.113.5"], "203.0.113.6", false),
            (&["203.0.113.7/24"], "203.0.113.200", true),
            (&["0.0.0.0/0"], "8.8.8.8", true),
            (&["0.0.0.0/0"], "::1", false),
            (&["203.0.113.0/24"], "2001:db8::1", false),
            (&["2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::9", true),
            (&["2001:db8::1"], "2001:DB8::1", true),
            (&["2001:db8::1"], "2001:db8::2", false),
            (
                &["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
                "2001:db8:1234:5678::9",
                true,
            ),
            (&["::ffff:203.0.113.0/120"], "203.0.113.1", false),
            (&["203.0.113.0/33"], "203.0.113.1", false),
            (&["203.0.113.*"], "203.0.113.1", false),
            (&["not-an-ip"], "203.0.113.1", false),
            (&["203.0.113.0/24"], "not-an-ip", false),
            (&["203.0.113.0/24"], "", false),
        ];
        for &(pols, req, want) in cases {
            assert_eq!(hit(pols, req), want, "{pols:?} vs {req}");
        }
    }
}
