//! `Resource` / `NotResource` (evaluation.md A9).

use super::{SpannedList, Template};

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceBlock {
    /// `Resource`.
    Resource(SpannedList<ResourcePattern>),
    /// `NotResource`.
    NotResource(SpannedList<ResourcePattern>),
}

impl ResourceBlock {
    /// The listed patterns, whichever element holds them.
    #[must_use]
    pub fn patterns(&self) -> &SpannedList<ResourcePattern> {
        match self {
            Self::Resource(p) | Self::NotResource(p) => p,
        }
    }
}

/// A resource pattern: `*`, or an ARN whose segments may hold `*`, `?` and (under
/// `2012-10-17`, in the resource part) policy variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourcePattern {
    /// The pattern, with variables parsed.
    pub template: Template,
}

impl ResourcePattern {
    /// Whether the pattern is the bare `*`.
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.template.raw == "*"
    }

    /// The ARN's segments, when the text is ARN-shaped; `None` for `*`.
    #[must_use]
    pub fn arn(&self) -> Option<ArnParts<'_>> {
        ArnParts::parse(&self.template.raw)
    }
}

/// The segments of an ARN (or ARN pattern): `arn:partition:service:region:account:resource`,
/// borrowed from the text. An ARN pattern may stop early when its last segment ends in `*`
/// (`arn:aws:sqs:*`); the missing segments then read as `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArnParts<'a> {
    /// Partition.
    pub partition: &'a str,
    /// Service namespace.
    pub service: &'a str,
    /// Region (may be empty).
    pub region: &'a str,
    /// Account id (may be empty).
    pub account: &'a str,
    /// Everything after the fifth colon (may contain further colons).
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Splits an ARN. `None` if it does not start with `arn:` or has fewer than six segments
    /// without ending in a wildcard.
    #[must_use]
    pub fn parse(text: &'a str) -> Option<Self> {
        let rest = text.strip_prefix("arn:")?;
        let mut it = SplitColons { rest: Some(rest) };
        let partition = it.next()?;
        match (it.next(), it.next(), it.next(), it.rest) {
            (Some(service), Some(region), Some(account), Some(resource)) => Some(Self {
                partition,
                service,
                region,
                account,
                resource,
            }),
            // Truncated patterns such as `arn:aws:sqs:*` are accepted when they end in `*`
            // (A9: a trailing `*` may expand beyond the colon boundary).
            (service, region, account, _) if text.ends_with('*') => Some(Self {
                partition,
                service: service.unwrap_or("*"),
                region: region.unwrap_or("*"),
                account: account.unwrap_or("*"),
                resource: "*",
            }),
            _ => None,
        }
    }

    /// The resource type: the text of the resource part before the first `/` or `:`
    /// (`key` in `key/1234`), or the whole part when it has neither.
    #[must_use]
    pub fn resource_type(&self) -> &'a str {
        self.resource.split(['/', ':']).next().unwrap_or("")
    }
}

/// `splitn(5, ':')` for the segments of an ARN: four colon-separated segments are taken
/// with [`Iterator::next`]; `rest` is what follows the fourth colon.
struct SplitColons<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for SplitColons<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match crate::swar::find(rest.as_bytes(), 0, b':') {
            Some(i) => {
                self.rest = rest.get(i.saturating_add(1)..);
                rest.get(..i)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_splitn() {
        for text in [
            "arn:aws:kms:us-east-1:111122223333:key/abc",
            "arn:aws:s3:::bucket/a:b:c",
            "arn:aws:sqs:*",
            "arn:aws:sqs",
            "arn:aws:iam::*",
            "arn:",
            "arn:aws:a:b:c:d:e:f:g:h:i:j:k:l:m:n",
            "arn:aws:kms:us-east-1:111122223333:",
            "nope",
        ] {
            let want = text.strip_prefix("arn:").and_then(|rest| {
                let mut it = rest.splitn(5, ':');
                let partition = it.next()?;
                match (it.next(), it.next(), it.next(), it.next()) {
                    (Some(service), Some(region), Some(account), Some(resource)) => {
                        Some(ArnParts {
                            partition,
                            service,
                            region,
                            account,
                            resource,
                        })
                    }
                    (service, region, account, _) if text.ends_with('*') => Some(ArnParts {
                        partition,
                        service: service.unwrap_or("*"),
                        region: region.unwrap_or("*"),
                        account: account.unwrap_or("*"),
                        resource: "*",
                    }),
                    _ => None,
                }
            });
            assert_eq!(ArnParts::parse(text), want, "{text}");
        }
    }
}
