//! `Action` / `NotAction` (evaluation.md A8).

use std::fmt;

use crate::swar;

use super::SpannedList;

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionBlock {
    /// `Action`: the statement covers the listed actions.
    Action(SpannedList<ActionPattern>),
    /// `NotAction`: the statement covers every action of every service except the listed ones.
    NotAction(SpannedList<ActionPattern>),
}

impl ActionBlock {
    /// The listed patterns, whichever element holds them.
    #[must_use]
    pub fn patterns(&self) -> &SpannedList<ActionPattern> {
        match self {
            Self::Action(p) | Self::NotAction(p) => p,
        }
    }
}

/// An action pattern: `*`, or `service:Name` where the name may hold `*` and `?`.
/// Action names are case-insensitive (A12): compare [`ActionPattern::service`] and
/// [`ActionPattern::name`] with ASCII case folding (matchers lower-case them once when they
/// compile). Only the written text is stored, in place when it is short (as nearly all action
/// names are), so reading a policy rarely allocates for an action.
///
/// Policies hold tens of thousands of patterns, each in a `Spanned` in a list: the pattern is
/// kept to 56 bytes so that the `Spanned` fills one 64-byte cache line.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ActionPattern(Repr);

/// Longest text kept in place: as much as fits beside the variant tag, the one-byte colon
/// offset and the length in 56 bytes (98% of the actions in the managed policies).
const INLINE: usize = 48;

/// The bare `*` gets a variant of its own, the only pattern without a colon offset: every
/// other pattern has one (a colon-less text unknown until deploy stores 0, so that it never
/// reads as `*`), and reading a part needs no check for a missing colon.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// A short text in place (`ArrayString` keeps it as a `str`, so reading it costs no UTF-8
    /// check), with the byte offset of its colon. The offset is that of a byte of the text
    /// (or 0), so it fits a byte; an offset that would not is kept on the heap instead.
    Inline {
        text: arrayvec::ArrayString<INLINE>,
        colon: u8,
    },
    /// A longer text on the heap, with the byte offset of its colon.
    Heap { text: Box<str>, colon: usize },
    /// The bare `*`.
    Any,
}

impl ActionPattern {
    /// Splits `text` into service and name. `None` if it is not `*` and has no colon, or has
    /// more than one colon (IAM: "Actions/Condition can contain only one colon.").
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let colon = Self::colon(text)?;
        Some(Self::checked(text, colon))
    }

    /// Checks `text` as [`ActionPattern::parse`] does, without storing it: `None` if it is
    /// no action pattern, else the colon's byte offset (`None` for `*`).
    pub(crate) fn colon(text: &str) -> Option<Option<usize>> {
        Self::scan(text).map(|(colon, _)| colon)
    }

    /// [`ActionPattern::colon`], and whether the service prefix holds `*` or `?`, in one pass.
    pub(crate) fn scan(text: &str) -> Option<(Option<usize>, bool)> {
        if text == "*" {
            return Some((None, false));
        }
        // `:` is ASCII, so byte offsets are char boundaries. Service prefixes are short: a
        // byte loop finds the colon (and the wildcards before it) in fewer instructions than
        // word masks do; the name, usually longer, only needs a search for a second colon.
        let bytes = text.as_bytes();
        let mut wild = false;
        let mut colon = None;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b':' => {
                    colon = Some(i);
                    break;
                }
                b'*' | b'?' => wild = true,
                _ => {}
            }
        }
        let colon = colon?;
        let after = colon.checked_add(1)?;
        if colon == 0 || after >= bytes.len() || swar::find(bytes, after, b':').is_some() {
            return None;
        }
        Some((Some(colon), wild))
    }

    /// The pattern for `text`, already checked by [`ActionPattern::colon`] (which returned
    /// `colon`): `None` only for the bare `*`, the one text without a colon offset. A text
    /// unknown until deploy comes with an offset even without a colon (0), so that it is
    /// never taken for `*`.
    pub(crate) fn checked(text: &str, colon: Option<usize>) -> Self {
        let Some(colon) = colon else {
            return Self(Repr::Any);
        };
        if let (Ok(text), Ok(colon)) = (arrayvec::ArrayString::from(text), u8::try_from(colon)) {
            return Self(Repr::Inline { text, colon });
        }
        Self(Repr::Heap {
            text: Box::from(text),
            colon,
        })
    }

    /// A placeholder (the empty text) for [`ActionPattern::set_checked`] to fill in place.
    pub(crate) fn placeholder() -> Self {
        Self(Repr::Inline {
            text: arrayvec::ArrayString::new(),
            colon: 0,
        })
    }

    /// Makes `self` the pattern [`ActionPattern::checked`] makes of `text` and `colon`,
    /// writing a short text straight into its place: a pattern built apart and then moved
    /// into a list is copied on the way (its in-place text makes it 56 bytes).
    pub(crate) fn set_checked(&mut self, text: &str, colon: Option<usize>) {
        // The bare `*` (`None`) becomes an offset too large for a byte, so that one range
        // check sends it, and any offset that does not fit, to `checked`: fewer instructions
        // than testing for `None` apart, on the path every short action takes.
        let small = colon.unwrap_or(0x100);
        if let (Repr::Inline { text: s, colon: c }, Ok(small)) = (&mut self.0, u8::try_from(small))
        {
            s.clear();
            if s.try_push_str(text).is_ok() {
                *c = small;
                return;
            }
        }
        *self = Self::checked(text, colon);
    }

    /// The text as written (`kms:ReEncrypt*`).
    #[must_use]
    pub fn text(&self) -> &str {
        match &self.0 {
            Repr::Inline { text, .. } => text.as_str(),
            Repr::Heap { text, .. } => text,
            Repr::Any => "*",
        }
    }

    /// The service prefix as written (`kms`), or `*` for the bare wildcard.
    #[must_use]
    pub fn service(&self) -> &str {
        match &self.0 {
            Repr::Inline { text, colon } => text.get(..usize::from(*colon)).unwrap_or(""),
            Repr::Heap { text, colon } => text.get(..*colon).unwrap_or(""),
            Repr::Any => "*",
        }
    }

    /// The action-name part as written (`ReEncrypt*`), or `*` for the bare wildcard.
    #[must_use]
    pub fn name(&self) -> &str {
        match &self.0 {
            Repr::Inline { text, colon } => text
                .get(usize::from(*colon).saturating_add(1)..)
                .unwrap_or(""),
            Repr::Heap { text, colon } => text.get(colon.saturating_add(1)..).unwrap_or(""),
            Repr::Any => "*",
        }
    }

    /// Whether the pattern is the bare `*` (every action of every service).
    #[must_use]
    pub fn is_any(&self) -> bool {
        matches!(self.0, Repr::Any)
    }

    /// Whether the name holds a wildcard.
    #[must_use]
    pub fn has_wildcard(&self) -> bool {
        self.name().contains(['*', '?'])
    }
}

impl fmt::Debug for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionPattern")
            .field("text", &self.text())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a pattern must read as: the text split at the stored colon offset, as a plain
    /// pair of text and offset would be, `None` standing for the bare `*`.
    fn reference(text: &str, colon: Option<usize>) -> (String, String, String, bool, bool) {
        let (service, name) = match colon {
            Some(c) => (text.get(..c).unwrap_or(""), text.get(c + 1..).unwrap_or("")),
            None => ("*", "*"),
        };
        (
            text.to_owned(),
            service.to_owned(),
            name.to_owned(),
            colon.is_none(),
            name.contains(['*', '?']),
        )
    }

    fn read(p: &ActionPattern) -> (String, String, String, bool, bool) {
        (
            p.text().to_owned(),
            p.service().to_owned(),
            p.name().to_owned(),
            p.is_any(),
            p.has_wildcard(),
        )
    }

    /// `len` bytes of `unit` repeated, topped up with `a` where a unit does not fit.
    fn fill(unit: &str, len: usize) -> String {
        let mut s = unit.repeat(len / unit.len());
        s.push_str(&"a".repeat(len - s.len()));
        s
    }

    /// Checks `checked`, and `set_checked` on a fresh placeholder and on `reused` (whatever
    /// it held), against the reference, and that the text is in place exactly when it fits.
    fn agrees(text: &str, colon: Option<usize>, reused: &mut ActionPattern) {
        let want = reference(text, colon);
        let built = ActionPattern::checked(text, colon);
        let mut fresh = ActionPattern::placeholder();
        fresh.set_checked(text, colon);
        reused.set_checked(text, colon);
        assert_eq!(read(&built), want, "{text:?} {colon:?}");
        assert!(fresh == built && *reused == built, "{text:?} {colon:?}");
        let inline = matches!(built.0, Repr::Inline { .. });
        assert_eq!(
            inline,
            colon.is_some() && text.len() <= INLINE,
            "{text:?} {colon:?}"
        );
    }

    #[test]
    fn fits_a_cache_line_with_its_span() {
        assert_eq!(std::mem::size_of::<ActionPattern>(), 56);
        assert_eq!(
            std::mem::size_of::<crate::source::Spanned<ActionPattern>>(),
            64
        );
    }

    /// Every length from 1 to 64 bytes with the colon at every position (service and name of
    /// ASCII, `é`, wildcards), colon-less texts stored with offset 0 as texts unknown until
    /// deploy are, and the bare `*`: each reads exactly as the text split at its colon, and
    /// each is made alike whether built apart or written into a pattern in place.
    #[test]
    fn reads_as_the_text_split_at_its_colon() {
        let mut reused = ActionPattern::placeholder();
        let mut seen = 0;
        for len in 1..=64 {
            for at in 0..len {
                for (service, name) in [
                    ("a", "B"),
                    ("\u{e9}", "\u{e9}"),
                    ("a", "x*?"),
                    ("s", "\u{e9}*"),
                ] {
                    let text = format!("{}:{}", fill(service, at), fill(name, len - at - 1));
                    assert_eq!((text.len(), text.find(':')), (len, Some(at)));
                    agrees(&text, Some(at), &mut reused);
                    seen += 1;
                }
            }
            // Unknown until deploy, without a colon: offset 0, never the bare `*`.
            for unit in ["a", "\u{e9}", "$", "*"] {
                let text = fill(unit, len);
                agrees(&text, Some(0), &mut reused);
                assert!(!ActionPattern::checked(&text, Some(0)).is_any());
            }
            agrees("*", None, &mut reused);
        }
        assert!(seen > 8000, "{seen}");
        let any = ActionPattern::checked("*", None);
        assert_eq!(read(&any), reference("*", None));
        assert_ne!(any, ActionPattern::checked("*", Some(0)));
    }

    /// Filling a placeholder, or a pattern already filled, gives what `checked` gives, for
    /// texts that fit in place, fill it exactly, and do not fit.
    #[test]
    fn set_checked_agrees_with_checked() {
        let long = format!("s3:{}", "x".repeat(60));
        let exact = format!("s3:{}", "y".repeat(INLINE - 3));
        let texts = [
            "*",
            "kms:Decrypt",
            exact.as_str(),
            long.as_str(),
            "kms:Encrypt",
        ];
        for first in texts {
            let mut reused = ActionPattern::placeholder();
            reused.set_checked(first, ActionPattern::colon(first).flatten());
            for text in texts {
                let colon = ActionPattern::colon(text).flatten();
                let want = ActionPattern::checked(text, colon);
                let mut fresh = ActionPattern::placeholder();
                fresh.set_checked(text, colon);
                reused.set_checked(text, colon);
                assert!(fresh == want && reused == want, "{first} {text}");
                assert_eq!(
                    (reused.text(), reused.service()),
                    (want.text(), want.service())
                );
            }
        }
    }

    #[test]
    fn parts_inline_and_heap() {
        let p = ActionPattern::parse("kms:ReEncrypt*");
        assert_eq!(
            p.as_ref().map(|p| (
                p.text(),
                p.service(),
                p.name(),
                p.is_any(),
                p.has_wildcard()
            )),
            Some(("kms:ReEncrypt*", "kms", "ReEncrypt*", false, true))
        );
        let any = ActionPattern::parse("*");
        assert_eq!(
            any.as_ref()
                .map(|p| (p.text(), p.service(), p.name(), p.is_any())),
            Some(("*", "*", "*", true))
        );
        for bad in ["", "kms", ":Decrypt", "kms:", "kms:a:b", "**"] {
            assert_eq!(ActionPattern::parse(bad), None, "{bad}");
        }
        for (text, want) in [
            ("*", Some((None, false))),
            ("kms:Get*", Some((Some(3), false))),
            ("k*s:Get", Some((Some(3), true))),
            ("kms?:Get", Some((Some(4), true))),
            ("abcdefgh:*", Some((Some(8), false))),
            ("abcdefg*:x", Some((Some(8), true))),
            ("abcdefghijklmno?:x", Some((Some(16), true))),
            ("abcdefghijklmnop:x*?", Some((Some(16), false))),
            ("abcdefghijklmnopq", None),
            ("abcdefghij:klmnopq:", None),
        ] {
            assert_eq!(ActionPattern::scan(text), want, "{text}");
        }
        // Every string of up to 11 bytes over `a`, `:` and `*`, against a plain reference.
        let reference = |t: &str| -> Option<(Option<usize>, bool)> {
            if t == "*" {
                return Some((None, false));
            }
            let c = t.find(':')?;
            let (service, name) = (&t[..c], &t[c + 1..]);
            (!service.is_empty() && !name.is_empty() && !name.contains(':'))
                .then(|| (Some(c), service.contains(['*', '?'])))
        };
        for len in 0..=11u32 {
            for mut n in 0..3usize.pow(len) {
                let mut t = String::new();
                for _ in 0..len {
                    t.push(['a', ':', '*'][n % 3]);
                    n /= 3;
                }
                assert_eq!(ActionPattern::scan(&t), reference(&t), "{t}");
            }
        }
        let long = format!("{}:{}", "a".repeat(20), "B".repeat(40));
        let p = ActionPattern::parse(&long);
        assert_eq!(
            p.as_ref()
                .map(|p| (p.text(), p.service().len(), p.name().len())),
            Some((long.as_str(), 20, 40))
        );
        let edge = format!("{}:{}", "a".repeat(29), "é".repeat(9));
        assert_eq!(edge.len(), INLINE);
        let p = ActionPattern::parse(&edge);
        assert!(matches!(
            p.as_ref().map(|p| &p.0),
            Some(Repr::Inline { .. })
        ));
        assert_eq!(p.as_ref().map(ActionPattern::text), Some(edge.as_str()));
        assert_eq!(
            format!("{:?}", ActionPattern::parse("kms:Decrypt")),
            r#"Some(ActionPattern { text: "kms:Decrypt" })"#
        );
    }
}
