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
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ActionPattern {
    text: Text,
    // Byte offset of the colon; `None` for the bare `*`.
    colon: Option<usize>,
}

/// Longest text kept in place.
const INLINE: usize = 46;

/// A short text in place, or a longer one on the heap. `ArrayString` keeps the in-place text
/// as a `str`, so reading it costs nothing (no UTF-8 check on every access).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Text {
    Inline(arrayvec::ArrayString<INLINE>),
    Heap(Box<str>),
}

impl Text {
    fn new(text: &str) -> Self {
        arrayvec::ArrayString::from(text).map_or_else(|_| Self::Heap(Box::from(text)), Self::Inline)
    }

    fn as_str(&self) -> &str {
        match self {
            Self::Inline(s) => s.as_str(),
            Self::Heap(s) => s,
        }
    }
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
    /// `colon`).
    pub(crate) fn checked(text: &str, colon: Option<usize>) -> Self {
        Self {
            text: Text::new(text),
            colon,
        }
    }

    /// A placeholder (the empty text) for [`ActionPattern::set_checked`] to fill in place.
    pub(crate) fn placeholder() -> Self {
        Self {
            text: Text::Inline(arrayvec::ArrayString::new()),
            colon: None,
        }
    }

    /// Makes `self` the pattern [`ActionPattern::checked`] makes of `text` and `colon`,
    /// writing a short text straight into its place: a pattern built apart and then moved
    /// into a list is copied on the way (its in-place text makes it some 70 bytes).
    pub(crate) fn set_checked(&mut self, text: &str, colon: Option<usize>) {
        let fits = match &mut self.text {
            Text::Inline(s) => {
                s.clear();
                s.try_push_str(text).is_ok()
            }
            Text::Heap(_) => false,
        };
        if !fits {
            self.text = Text::new(text);
        }
        self.colon = colon;
    }

    /// The text as written (`kms:ReEncrypt*`).
    #[must_use]
    pub fn text(&self) -> &str {
        self.text.as_str()
    }

    /// The service prefix as written (`kms`), or `*` for the bare wildcard.
    #[must_use]
    pub fn service(&self) -> &str {
        match self.colon {
            Some(c) => self.text().get(..c).unwrap_or(""),
            None => "*",
        }
    }

    /// The action-name part as written (`ReEncrypt*`), or `*` for the bare wildcard.
    #[must_use]
    pub fn name(&self) -> &str {
        match self.colon {
            Some(c) => self.text().get(c.saturating_add(1)..).unwrap_or(""),
            None => "*",
        }
    }

    /// Whether the pattern is the bare `*` (every action of every service).
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.colon.is_none()
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
        let edge = format!("{}:{}", "a".repeat(27), "é".repeat(9));
        assert_eq!(edge.len(), INLINE);
        let p = ActionPattern::parse(&edge);
        assert!(matches!(
            p.as_ref().map(|p| &p.text),
            Some(Text::Inline { .. })
        ));
        assert_eq!(p.as_ref().map(ActionPattern::text), Some(edge.as_str()));
        assert_eq!(
            format!("{:?}", ActionPattern::parse("kms:Decrypt")),
            r#"Some(ActionPattern { text: "kms:Decrypt" })"#
        );
    }
}
