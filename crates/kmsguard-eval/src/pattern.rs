//! IAM wildcard patterns (`*`, `?`) for actions, ARNs and `*Like` operators.
//! Owned by the condition layer.
//!
//! Patterns are compiled once into a token list; matching is the classic "greedy with
//! backtrack to the last star" glob algorithm, which is O(text × pattern) in the worst case and
//! never recurses, so no input can make it blow up. Matching does not allocate.

use kmsguard_syntax::ast::ActionPattern;

/// Whether matching folds ASCII case (actions) or not (ARNs, `StringLike`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Exact.
    Sensitive,
    /// ASCII case-insensitive.
    Insensitive,
}

/// A piece of a pattern given to [`Wildcard::from_template_parts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text in which `*` and `?` are wildcards.
    Text(&'a str),
    /// A character that is never a wildcard (the policy-variable escapes `${*}`, `${?}`,
    /// `${$}`, conditions.md §6.1).
    Literal(char),
}

/// One compiled token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Literal text (lower-cased at compile time when the pattern is case-insensitive).
    Lit(Box<str>),
    /// A policy variable, resolved at match time to literal text (conditions.md §6.3: the
    /// substituted text is never a wildcard). The index is into the caller's resolved values.
    Var(usize),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, including the empty one.
    Star,
}

/// A compiled IAM wildcard pattern: `*` matches any run (including the empty run), `?`
/// matches exactly one character; the pattern is anchored at both ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wildcard {
    toks: Vec<Tok>,
    case: Case,
    /// `Some(text)` when the pattern has no wildcard and no variable: plain comparison.
    literal: Option<Box<str>>,
}

/// Incrementally builds a token list, merging adjacent literals and adjacent stars.
#[derive(Debug, Default)]
pub(crate) struct TokBuilder {
    toks: Vec<Tok>,
    pending: String,
}

impl TokBuilder {
    /// Appends `text` where `*` / `?` are wildcards.
    pub(crate) fn wild(&mut self, text: &str) {
        // Runs of literal text are appended whole (compiling thousands of policies builds
        // many patterns).
        for piece in text.split_inclusive(['*', '?']) {
            if let Some(head) = piece.strip_suffix('*') {
                self.pending.push_str(head);
                self.star();
            } else if let Some(head) = piece.strip_suffix('?') {
                self.pending.push_str(head);
                self.flush();
                self.toks.push(Tok::One);
            } else {
                self.pending.push_str(piece);
            }
        }
    }

    /// Appends text in which every character is literal.
    pub(crate) fn lit(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    /// Appends one literal character.
    pub(crate) fn lit_char(&mut self, c: char) {
        self.pending.push(c);
    }

    /// Appends a `*`.
    pub(crate) fn star(&mut self) {
        self.flush();
        // `**` ≡ `*`; collapsing keeps the backtracking loop tight.
        if self.toks.last() != Some(&Tok::Star) {
            self.toks.push(Tok::Star);
        }
    }

    /// Appends a variable reference (index into the resolved values).
    pub(crate) fn var(&mut self, index: usize) {
        self.flush();
        self.toks.push(Tok::Var(index));
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            // Copied out, so the buffer is reused for the next literal.
            self.toks.push(Tok::Lit(Box::from(self.pending.as_str())));
            self.pending.clear();
        }
    }

    /// Finishes the pattern.
    pub(crate) fn build(mut self, case: Case) -> Wildcard {
        self.finish(case)
    }

    /// Finishes the pattern and leaves the builder empty, ready for the next one (keeping
    /// its buffer).
    pub(crate) fn finish(&mut self, case: Case) -> Wildcard {
        self.flush();
        let mut toks = std::mem::take(&mut self.toks);
        if case == Case::Insensitive {
            for t in &mut toks {
                if let Tok::Lit(s) = t {
                    *s = s.to_ascii_lowercase().into_boxed_str();
                }
            }
        }
        let literal = match toks.as_slice() {
            [] => Some(Box::from("")),
            [Tok::Lit(s)] => Some(s.clone()),
            _ => None,
        };
        Wildcard {
            toks,
            case,
            literal,
        }
    }
}

impl Wildcard {
    /// Compiles `pattern`; every `*` and `?` is a wildcard.
    #[must_use]
    pub fn new(pattern: &str, case: Case) -> Self {
        let mut b = TokBuilder::default();
        b.wild(pattern);
        b.build(case)
    }

    /// Compiles a pattern made of text (wildcards active) and literal characters (never
    /// wildcards), as produced by the `${*}` / `${?}` / `${$}` escapes.
    #[must_use]
    pub fn from_template_parts(parts: &[Piece<'_>], case: Case) -> Self {
        let mut b = TokBuilder::default();
        for p in parts {
            match *p {
                Piece::Text(t) => b.wild(t),
                Piece::Literal(c) => b.lit_char(c),
            }
        }
        b.build(case)
    }

    /// Whether `text` matches the whole pattern. Linear for literal runs after a star (it
    /// jumps to the next occurrence), O(text × pattern) at worst; never recursive, never
    /// allocates. (Patterns compiled internally from policy variables need their values and
    /// go through a crate-private method instead.)
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        self.matches_with(text, &[])
    }

    /// Whether the pattern has no wildcard (and no variable): it matches one text only.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.literal.is_some()
    }

    /// The text of a literal pattern.
    pub(crate) fn literal_text(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// Whether the pattern is exactly `*` (matches everything).
    #[must_use]
    pub fn is_match_all(&self) -> bool {
        matches!(self.toks.as_slice(), [Tok::Star])
    }

    /// Matches with variable tokens replaced by `vars[index]` (taken literally, never as
    /// wildcards — conditions.md §6.3). A variable that is `None` or out of range was not
    /// resolved and makes the pattern fail.
    pub(crate) fn matches_with(&self, text: &str, vars: &[Option<&str>]) -> bool {
        if let Some(lit) = &self.literal {
            return eq_case(text, lit, self.case);
        }
        match_toks(&self.toks, text, vars, self.case)
    }

    /// The compiled tokens (used by the ARN matcher to build its colon-aware automaton).
    pub(crate) fn tokens(&self) -> &[Tok] {
        &self.toks
    }
}

fn eq_case(a: &str, b: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => a == b,
        Case::Insensitive => a.eq_ignore_ascii_case(b),
    }
}

/// Whether `text[pos..]` starts with `lit` (`lit` is already lower case when insensitive).
fn starts_at(text: &[u8], pos: usize, lit: &[u8], case: Case) -> bool {
    let Some(window) = pos
        .checked_add(lit.len())
        .and_then(|end| text.get(pos..end))
    else {
        return false;
    };
    match case {
        Case::Sensitive => window == lit,
        Case::Insensitive => window.eq_ignore_ascii_case(lit),
    }
}

/// Byte length of the UTF-8 character starting with byte `b`.
fn char_len(b: u8) -> usize {
    if b < 0x80 {
        1
    } else if b >= 0xF0 {
        4
    } else if b >= 0xE0 {
        3
    } else {
        2
    }
}

/// The next position at or after `from` where `lit` occurs, for the sensitive case (uses the
/// standard library's substring search); `None` if it does not occur.
fn find_from(text: &str, from: usize, lit: &str) -> Option<usize> {
    text.get(from..)
        .and_then(|rest| rest.find(lit))
        .map(|i| from.saturating_add(i))
}

/// The glob core. Positions always sit on character boundaries: literals are whole UTF-8
/// strings and `?` skips a whole character.
fn match_toks(toks: &[Tok], text: &str, vars: &[Option<&str>], case: Case) -> bool {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut ti = 0usize;
    let mut pos = 0usize;
    // (token index just after the last `*`, text position that star currently extends to)
    let mut star: Option<(usize, usize)> = None;
    loop {
        let advanced = match toks.get(ti) {
            Some(Tok::Star) => {
                // A trailing star matches whatever is left.
                if ti.saturating_add(1) == toks.len() {
                    return true;
                }
                ti = ti.saturating_add(1);
                star = Some((ti, pos));
                continue;
            }
            Some(Tok::One) => match bytes.get(pos) {
                Some(&b) => {
                    pos = pos.saturating_add(char_len(b));
                    true
                }
                None => false,
            },
            Some(Tok::Lit(s)) => {
                if starts_at(bytes, pos, s.as_bytes(), case) {
                    pos = pos.saturating_add(s.len());
                    true
                } else {
                    false
                }
            }
            Some(Tok::Var(i)) => match vars.get(*i).copied().flatten() {
                Some(v) => {
                    // Substituted text is literal; a case-insensitive pattern (only `Bool`
                    // values use one with variables) folds it as well.
                    if starts_at(bytes, pos, v.as_bytes(), case) {
                        pos = pos.saturating_add(v.len());
                        true
                    } else {
                        false
                    }
                }
                None => return false,
            },
            None => {
                if pos == len {
                    return true;
                }
                false
            }
        };
        if advanced {
            ti = ti.saturating_add(1);
            continue;
        }
        // Mismatch: let the last star swallow one more character and retry after it.
        let Some((sti, spos)) = star else {
            return false;
        };
        let Some(&b) = bytes.get(spos) else {
            return false;
        };
        let mut next = spos.saturating_add(char_len(b));
        // Skip straight to the next occurrence of the literal that follows the star: every
        // position in between would fail on that literal anyway.
        if case == Case::Sensitive {
            if let Some(Tok::Lit(s)) = toks.get(sti) {
                match find_from(text, next, s) {
                    Some(p) => next = p,
                    None => return false,
                }
            }
        }
        star = Some((sti, next));
        ti = sti;
        pos = next;
    }
}

/// A compiled `Action` / `NotAction` entry (evaluation.md A8): service prefix and action name
/// are case-insensitive; `*` and `?` are wildcards in the name; the bare `*` matches every
/// action of every service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionMatcher {
    /// `None` for the bare `*`.
    service: Option<Box<str>>,
    name: Wildcard,
}

impl ActionMatcher {
    /// Compiles an action pattern.
    #[must_use]
    pub fn compile(p: &ActionPattern) -> Self {
        if p.is_any() {
            return Self {
                service: None,
                name: Wildcard::new("*", Case::Insensitive),
            };
        }
        Self {
            // Wildcards in the service prefix are not meaningful (A8, UNDOC → lint): the
            // prefix is compared literally, so `*:Get*` matches nothing.
            service: Some(p.service().to_ascii_lowercase().into_boxed_str()),
            name: Wildcard::new(p.name(), Case::Insensitive),
        }
    }

    /// Whether the request action (`service:Name`, any case) is covered.
    #[must_use]
    pub fn matches(&self, action: &str) -> bool {
        let Some(service) = &self.service else {
            return true;
        };
        match action.split_once(':') {
            Some((s, n)) => s.eq_ignore_ascii_case(service) && self.name.matches(n),
            None => false,
        }
    }
}

/// Whether the request action (`kms:decrypt`; any case is accepted) is covered by `pattern`
/// (evaluation.md A8). Does not allocate; compile an [`ActionMatcher`] to match repeatedly.
#[must_use]
pub fn action_matches(pattern: &ActionPattern, action_lower: &str) -> bool {
    if pattern.is_any() {
        return true;
    }
    match action_lower.split_once(':') {
        Some((s, n)) => s.eq_ignore_ascii_case(pattern.service()) && glob(pattern.name(), n),
        None => false,
    }
}

/// Case-insensitive glob over an uncompiled pattern (used where compiling would allocate).
fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        let step = match p.get(pi) {
            Some(b'*') => {
                pi = pi.saturating_add(1);
                star = Some((pi, ti));
                continue;
            }
            Some(b'?') => t.get(ti).map(|&b| (1usize, char_len(b))),
            Some(&pb) => {
                let n = char_len(pb);
                let pc = pi.checked_add(n).and_then(|e| p.get(pi..e));
                let tc = ti.checked_add(n).and_then(|e| t.get(ti..e));
                match (pc, tc) {
                    (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => Some((n, n)),
                    _ => None,
                }
            }
            None if ti == t.len() => return true,
            None => None,
        };
        if let Some((dp, dt)) = step {
            pi = pi.saturating_add(dp);
            ti = ti.saturating_add(dt);
            continue;
        }
        let Some((spi, sti)) = star else {
            return false;
        };
        let Some(&b) = t.get(sti) else {
            return false;
        };
        let next = sti.saturating_add(char_len(b));
        star = Some((spi, next));
        pi = spi;
        ti = next;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference matcher: plain dynamic programming over characters.
    fn reference(p: &[(char, bool)], t: &str, case: Case) -> bool {
        let t: Vec<char> = t.chars().collect();
        let (m, n) = (p.len(), t.len());
        // dp[i][j]: p[..i] matches t[..j]
        let mut dp = vec![vec![false; n + 1]; m + 1];
        dp[0][0] = true;
        for i in 1..=m {
            let (c, wild) = p[i - 1];
            for j in 0..=n {
                dp[i][j] = if wild && c == '*' {
                    dp[i - 1][j] || (j > 0 && dp[i][j - 1])
                } else if j == 0 {
                    false
                } else if wild && c == '?' {
                    dp[i - 1][j - 1]
                } else {
                    let eq = match case {
                        Case::Sensitive => c == t[j - 1],
                        Case::Insensitive => c.eq_ignore_ascii_case(&t[j - 1]),
                    };
                    eq && dp[i - 1][j - 1]
                };
            }
        }
        dp[m][n]
    }

    fn wild_chars(p: &str) -> Vec<(char, bool)> {
        p.chars().map(|c| (c, true)).collect()
    }

    #[test]
    fn basics() {
        let w = Wildcard::new("home/*", Case::Sensitive);
        assert!(w.matches("home/"));
        assert!(w.matches("home/a/b"));
        assert!(!w.matches("Home/a"));
        assert!(!Wildcard::new("a?c", Case::Sensitive).matches("ac"));
        assert!(Wildcard::new("a?c", Case::Sensitive).matches("aéc"));
        assert!(Wildcard::new("*", Case::Sensitive).matches(""));
        assert!(Wildcard::new("", Case::Sensitive).matches(""));
        assert!(!Wildcard::new("", Case::Sensitive).matches("x"));
        assert!(Wildcard::new("a*b*c", Case::Sensitive).matches("aXbYbZc"));
        assert!(!Wildcard::new("a*b*c", Case::Sensitive).matches("aXbYbZ"));
        assert!(Wildcard::new("kms:Get*", Case::Insensitive).matches("KMS:getpublickey"));
        assert!(Wildcard::new("lit", Case::Sensitive).is_literal());
        assert!(!Wildcard::new("l*t", Case::Sensitive).is_literal());
    }

    #[test]
    fn escaped_pieces_are_literal() {
        let w = Wildcard::from_template_parts(
            &[Piece::Text("a"), Piece::Literal('*'), Piece::Text("b")],
            Case::Sensitive,
        );
        assert!(w.matches("a*b"));
        assert!(!w.matches("axb"));
        let w = Wildcard::from_template_parts(
            &[Piece::Literal('?'), Piece::Text("*")],
            Case::Sensitive,
        );
        assert!(w.matches("?abc"));
        assert!(!w.matches("xabc"));
    }

    #[test]
    fn no_blowup_on_pathological_patterns() {
        let text = "a".repeat(5000);
        let pat = format!("{}b", "a*".repeat(100));
        assert!(!Wildcard::new(&pat, Case::Sensitive).matches(&text));
        assert!(!glob(&pat, &text));
    }

    #[test]
    fn actions() {
        let p = |s: &str| ActionPattern::parse(s).unwrap();
        for (pat, act, want) in [
            ("*", "kms:decrypt", true),
            ("*", "s3:getobject", true),
            ("kms:*", "kms:decrypt", true),
            ("kms:*", "s3:getobject", false),
            ("KMS:Decrypt", "kms:decrypt", true),
            ("kms:ReEncrypt*", "kms:reencryptfrom", true),
            ("kms:ReEncrypt*", "kms:reencrypt", true),
            ("kms:Generate*", "kms:decrypt", false),
            ("kms:*Key", "kms:describekey", true),
            ("kms:Describe?ey", "kms:describekey", true),
            ("kms:Describe?ey", "kms:describeey", false),
            ("kms:Decrypt", "kms:decryptx", false),
            ("*:Decrypt", "kms:decrypt", false),
            ("kms:Decrypt", "KMS:Decrypt", true),
        ] {
            assert_eq!(action_matches(&p(pat), act), want, "{pat} vs {act}");
            assert_eq!(
                ActionMatcher::compile(&p(pat)).matches(act),
                want,
                "{pat} vs {act}"
            );
        }
    }

    fn pat_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('*'),
                Just('?'),
                Just('a'),
                Just('b'),
                Just('A'),
                Just(':'),
                Just('é')
            ],
            0..10,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just('a'), Just('b'), Just('B'), Just(':'), Just('é')],
            0..14,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn wildcard_agrees_with_reference(p in pat_strategy(), t in text_strategy()) {
            for case in [Case::Sensitive, Case::Insensitive] {
                let want = reference(&wild_chars(&p), &t, case);
                prop_assert_eq!(Wildcard::new(&p, case).matches(&t), want, "{} {} {:?}", p, t, case);
            }
            prop_assert_eq!(glob(&p, &t), reference(&wild_chars(&p), &t, Case::Insensitive));
        }

        #[test]
        fn template_parts_agree_with_reference(
            pieces in proptest::collection::vec((pat_strategy(), any::<bool>()), 0..4),
            t in text_strategy(),
        ) {
            // Each piece is either wildcard text or (when the flag is set) its first char as an
            // escaped literal.
            let mut parts = Vec::new();
            let mut chars = Vec::new();
            let lits: Vec<Option<char>> = pieces.iter().map(|(s, l)| if *l { s.chars().next() } else { None }).collect();
            for ((s, _), lit) in pieces.iter().zip(&lits) {
                match lit {
                    Some(c) => { parts.push(Piece::Literal(*c)); chars.push((*c, false)); }
                    None => { parts.push(Piece::Text(s)); chars.extend(wild_chars(s)); }
                }
            }
            let w = Wildcard::from_template_parts(&parts, Case::Sensitive);
            prop_assert_eq!(w.matches(&t), reference(&chars, &t, Case::Sensitive));
        }
    }
}
