//! `Date*` operators (conditions.md §4.3).
//!
//! Both sides are converted to a UTC instant (epoch seconds + nanoseconds) before comparing.
//! Policy values are parsed once at compile time; request values (`aws:CurrentTime`,
//! `aws:EpochTime`, ...) are parsed by a small hand-written parser that does not allocate.

use chrono::NaiveDate;
use kmsguard_syntax::ast::{BaseOperator, ConditionValue};

use super::numeric::Cmp;

/// A UTC instant: seconds since the epoch and a non-negative nanosecond fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    secs: i64,
    nanos: u32,
}

/// Reads exactly `n` ASCII digits from the front of `s`.
fn digits(s: &[u8], n: usize) -> Option<(u32, &[u8])> {
    let (head, rest) = s.split_at_checked(n)?;
    let mut v: u32 = 0;
    for &b in head {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some((v, rest))
}

/// Nine-digit nanoseconds from up to nine fraction digits (further digits are ignored: finer
/// than the instant's resolution).
fn nanos(frac: &[u8]) -> Option<u32> {
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u32 = 0;
    for i in 0..9 {
        let d = frac.get(i).map_or(0, |b| u32::from(b - b'0'));
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(v)
}

/// Parses epoch seconds `-?digits(.digits)?` (§4.3: seconds, never milliseconds).
fn parse_epoch(s: &str) -> Option<Instant> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty() || int.len() > 18 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let n = match frac {
        Some(f) => nanos(f.as_bytes())?,
        None => 0,
    };
    Some(if !neg {
        Instant { secs, nanos: n }
    } else if n == 0 {
        Instant {
            secs: secs.checked_neg()?,
            nanos: 0,
        }
    } else {
        Instant {
            secs: secs.checked_neg()?.checked_sub(1)?,
            nanos: 1_000_000_000u32.checked_sub(n)?,
        }
    })
}

/// Parses a W3C-profile ISO 8601 date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
/// `YYYY-MM-DDThh:mm[:ss[.s+]]TZD` with `TZD` = `Z` | `±hh:mm`) or epoch seconds.
///
/// Reduced-precision dates denote the start of the period in UTC; a time without a time zone
/// is rejected (§4.3, UNDOC → adopted). A bare four-digit value is read as a year, not as
/// epoch second 2020 (UNDOC: the W3C profile lists `YYYY`; no real epoch value has 4 digits).
pub(crate) fn parse_instant(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    if b.first() == Some(&b'-') || (b.len() != 4 && !b.contains(&b'-')) {
        return parse_epoch(s);
    }
    let (year, rest) = digits(b, 4)?;
    let (month, rest) = match rest.split_first() {
        None => (1, rest),
        Some((b'-', r)) => digits(r, 2)?,
        Some(_) => return None,
    };
    let (day, rest) = match rest.split_first() {
        None => (1, rest),
        Some((b'-', r)) => digits(r, 2)?,
        Some(_) => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let (h, m, sec, n, offset) = match rest.split_first() {
        None => (0, 0, 0, 0, 0i64),
        Some((b'T', r)) => {
            let (h, r) = digits(r, 2)?;
            let r = r.strip_prefix(b":")?;
            let (m, r) = digits(r, 2)?;
            let (sec, n, r) = match r.strip_prefix(b":") {
                Some(r) => {
                    let (sec, r) = digits(r, 2)?;
                    match r.strip_prefix(b".") {
                        Some(r) => {
                            let end = r
                                .iter()
                                .position(|c| !c.is_ascii_digit())
                                .unwrap_or(r.len());
                            let (f, r) = r.split_at_checked(end)?;
                            (sec, nanos(f)?, r)
                        }
                        None => (sec, 0, r),
                    }
                }
                None => (0, 0, r),
            };
            let offset = match r {
                b"Z" => 0i64,
                [sign @ (b'+' | b'-'), tz @ ..] => {
                    let (oh, tz) = digits(tz, 2)?;
                    let tz = tz.strip_prefix(b":")?;
                    let (om, tz) = digits(tz, 2)?;
                    if !tz.is_empty() || oh > 23 || om > 59 {
                        return None;
                    }
                    let o = i64::from(oh * 3600 + om * 60);
                    if *sign == b'-' { -o } else { o }
                }
                _ => return None,
            };
            (h, m, sec, n, offset)
        }
        Some(_) => return None,
    };
    let t = date.and_hms_opt(h, m, sec)?.and_utc().timestamp();
    Some(Instant {
        secs: t.checked_sub(offset)?,
        nanos: n,
    })
}

/// The compiled values of one `Date*` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateTest {
    cmp: Cmp,
    /// `None`: malformed, never a hit (§3 (b)). No variables (§4.3): `${…}` fails to parse.
    values: Vec<Option<Instant>>,
}

impl DateTest {
    pub(crate) fn compile(base: BaseOperator, values: &[&ConditionValue]) -> Self {
        Self {
            cmp: Cmp::of(base),
            values: values
                .iter()
                .map(|v| parse_instant(&v.template.raw))
                .collect(),
        }
    }

    /// Whether the request instant satisfies the comparison with any policy value.
    pub(crate) fn hit(&self, text: &str) -> bool {
        let Some(req) = parse_instant(text) else {
            return false;
        };
        self.values
            .iter()
            .flatten()
            .any(|p| self.cmp.holds(req.cmp(p)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kmsguard_syntax::ast::{ScalarKind, Template};

    fn secs(s: &str) -> Option<(i64, u32)> {
        parse_instant(s).map(|i| (i.secs, i.nanos))
    }

    #[test]
    fn forms() {
        assert_eq!(secs("2020-01-01T00:00:00Z"), Some((1_577_836_800, 0)));
        assert_eq!(secs("1577836800"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2020"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2020-01"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2020-01-01"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2020-01-01T00:00Z"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2020-01-01T01:00+01:00"), Some((1_577_836_800, 0)));
        assert_eq!(secs("2019-12-31T23:00:00-01:00"), Some((1_577_836_800, 0)));
        assert_eq!(
            secs("2020-01-01T00:00:00.5Z"),
            Some((1_577_836_800, 500_000_000))
        );
        assert_eq!(secs("1577836800.25"), Some((1_577_836_800, 250_000_000)));
        assert_eq!(secs("-1.5"), Some((-2, 500_000_000)));
        assert_eq!(secs("0"), Some((0, 0)));
        for bad in [
            "",
            "2020-1-01",
            "2020-01-01T00:00:00",
            "2020-01-01 00:00:00Z",
            "2020-13-01",
            "2020-02-30",
            "2020-01-01T24:00:00Z",
            "2020-01-01T00:00:00.Z",
            "2020-01-01T00:00:00+0100",
            "2020-01-01t00:00:00z",
            "1e9",
            "${aws:CurrentTime}",
            "yesterday",
            "20200101",
        ] {
            // "20200101" is read as epoch seconds (8 digits), not as a basic-format date.
            if bad == "20200101" {
                assert_eq!(secs(bad), Some((20_200_101, 0)));
                continue;
            }
            assert_eq!(secs(bad), None, "{bad}");
        }
    }

    fn hit(op: BaseOperator, pol: &str, req: &str) -> bool {
        let v = ConditionValue {
            template: Template::literal(pol),
            kind: ScalarKind::String,
        };
        DateTest::compile(op, &[&v]).hit(req)
    }

    #[test]
    fn table() {
        use BaseOperator::*;
        let cases: &[(BaseOperator, &str, &str, bool)] = &[
            (
                DateGreaterThan,
                "2020-04-01T00:00:00Z",
                "2020-04-01T00:00:01Z",
                true,
            ),
            (
                DateGreaterThan,
                "2020-04-01T00:00:00Z",
                "2020-04-01T00:00:00Z",
                false,
            ),
            (
                DateGreaterThanEquals,
                "2020-04-01T00:00:00Z",
                "2020-04-01T00:00:00Z",
                true,
            ),
            (DateLessThan, "1577836800", "1577836799", true),
            (DateLessThan, "2020", "2019-12-31T23:59:59Z", true),
            (DateLessThanEquals, "2020-01-01", "1577836800", true),
            (DateEquals, "1577836800", "2020-01-01T00:00:00Z", true),
            (
                DateEquals,
                "2020-01-01T00:00:00Z",
                "2020-01-01T00:00:00.001Z",
                false,
            ),
            (DateEquals, "bad", "2020-01-01T00:00:00Z", false),
            (DateEquals, "2020-01-01T00:00:00Z", "bad", false),
        ];
        for &(op, pol, req, want) in cases {
            assert_eq!(hit(op, pol, req), want, "{op:?} {pol} vs {req}");
        }
    }
}
