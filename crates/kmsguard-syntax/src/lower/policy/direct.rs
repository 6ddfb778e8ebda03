//! A direct reader for the common bare policy: bytes to AST without the JSON tree.
//!
//! Most files are plain identity policies (`Version` 2012-10-17, statements of `Sid`, `Effect`,
//! `Action`, `Resource` and `Condition`) or key and resource policies (the same with
//! `Principal` or `NotPrincipal`). For those, building the spanned tree and walking it
//! again costs about as much as the lowering itself, so this reader lowers as it reads, using
//! the same grammar functions as the JSON reader and the same per-value lowering as
//! [`super::lower_policy`], with the kind [`super::detect_kind`] would infer. It gives up
//! (returns `None`) on anything else: a syntax error, an unknown, repeated or misplaced
//! member, a value of another type, another version, a trust policy, or any diagnostic at
//! all. The caller then reads the document again from the start
//! the ordinary way, so a result from here is the one that way gives by construction.

use std::borrow::Cow;
use std::cell::Cell;

use super::super::Sink;
use super::super::condition::check_overly_permissive;
use super::super::principal::aws_principal;
use super::{
    ACTION, CONDITION, EFFECT, NOT_ACTION, NOT_PRINCIPAL, NOT_RESOURCE, PRINCIPAL, RESOURCE, SID,
    STATEMENT_ELEMENTS, check_action, check_sids, parse_resource, template,
};
use crate::ast::{
    ActionBlock, ActionPattern, BaseOperator, Condition, ConditionKey, ConditionOperator,
    ConditionValue, Effect, Policy, PolicyKind, PrincipalBlock, PrincipalEntry, Principals,
    Qualifier, ResourceBlock, ResourcePattern, ScalarKind, SpannedList, Statement, Template,
    Version,
};
use crate::json::{Limits, Reader};
use crate::source::{Span, Spanned};
use crate::swar;
use wide::i8x16;

/// Lowers `text` as a bare policy, with its span, if it is the plain kind this reader handles
/// and reads without a single diagnostic; `None` otherwise. The kind is inferred when `infer`
/// is set; otherwise only an identity policy is read.
pub(crate) fn bare_policy(text: &str, limits: &Limits, infer: bool) -> Option<(Policy, Span)> {
    // The reader opens up to four containers itself (document, `Statement` array, statement,
    // `Action` array) without checking the depth limit.
    // Every span is made by [`span`], which needs each offset to fit a `u32`.
    if text.len() > limits.max_bytes || u32::try_from(text.len()).is_err() || limits.max_depth < 4 {
        return None;
    }
    let mut d = Direct {
        r: Reader::new(text, limits),
        sink: Sink::default(),
        scratch: SCRATCH.with(Cell::take),
        max_depth: limits.max_depth,
        infer,
        has_principal: false,
    };
    let result = d.document();
    d.scratch.clear();
    SCRATCH.with(|s| s.set(d.scratch));
    let result = result?;
    d.sink.diags.is_empty().then_some(result)
}

/// The span from `start` to `end`, offsets into a text [`bare_policy`] reads (so at most
/// `u32::MAX` bytes, which it checks) with `start <= end`, as every span this reader makes
/// has (it ends after the text it starts at): what [`Span::new`] makes of them, without its
/// clamping of each offset to a `u32` and of `end` to `start`. The clamping took eight
/// instructions a span, and the reader makes one for nearly every string it reads.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "bare_policy reads no text of more than u32::MAX bytes, so every offset fits"
)]
fn span(start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        end: end as u32,
    }
}

/// Lists the reader gathers items in before moving them into a vector of exactly their
/// number (the tree path sizes each list from its array).
#[derive(Default)]
struct Scratch {
    statements: Vec<Spanned<Statement>>,
    actions: Vec<Spanned<ActionPattern>>,
    resources: Vec<Spanned<ResourcePattern>>,
    conditions: Vec<Condition>,
    values: Vec<Spanned<ConditionValue>>,
}

impl Scratch {
    fn clear(&mut self) {
        self.statements.clear();
        self.actions.clear();
        self.resources.clear();
        self.conditions.clear();
        self.values.clear();
    }
}

thread_local! {
    // Kept from one document to the next, so a thread's lists stop growing (and copying
    // their items on the way) after its first few documents.
    static SCRATCH: Cell<Scratch> = Cell::new(Scratch::default());
}

/// At a list: steps over the `[` and the white space after it, and gives the list's start;
/// `None` if no list starts here.
#[inline(always)]
fn open_list(r: &mut Reader<'_>) -> Option<usize> {
    let start = r.pos();
    if r.peek() != Some(b'[') {
        return None;
    }
    r.bump();
    r.skip_ws();
    Some(start)
}

/// After a list item: steps over the `,` (and the line break after it) and gives `true`, or
/// over the closing `]` and gives `false`; `None` for anything else.
#[inline(always)]
fn list_continues(r: &mut Reader<'_>) -> Option<bool> {
    // The usual comma right after the item needs no whitespace skip first.
    if r.peek() == Some(b',') {
        r.bump();
        skip_line_break(r);
        return Some(true);
    }
    r.skip_ws();
    match r.peek() {
        Some(b',') => {
            r.bump();
            skip_line_break(r);
            Some(true)
        }
        Some(b']') => {
            r.bump();
            Some(false)
        }
        _ => None,
    }
}

/// Moves the items of `scratch` into a vector of exactly their number, or, for a list of more
/// than a kilobyte, of the next power of two: the allocator keeps freed blocks by size class
/// (about four classes to each doubling above a kilobyte), and the long lists of one policy
/// after another (a thousand actions are 64 KiB) each took a block of a class not freed
/// before, in memory never touched before: a page fault for every 4 KiB. Rounded up, they
/// reuse the blocks of the policies before them; the room past the items is not written, so
/// it costs no page. About 60 fewer page faults in a `kmsguard lint` of the 1,645 managed
/// policies (medians of 11 runs), 0.988 of the wall time (`scripts/ab.py`, four copies, 40
/// rounds).
fn exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let n = scratch.len();
    let cap = if n.saturating_mul(std::mem::size_of::<T>()) > 1024 {
        n.checked_next_power_of_two().unwrap_or(n)
    } else {
        n
    };
    let mut items = Vec::with_capacity(cap);
    items.append(scratch);
    items
}

/// The members of a document this reader reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Member {
    Version,
    Id,
    Statement,
}

struct Direct<'a> {
    r: Reader<'a>,
    sink: Sink,
    scratch: Scratch,
    max_depth: usize,
    // Whether a kind other than identity may be inferred (none is forced).
    infer: bool,
    has_principal: bool,
}

impl<'a> Direct<'a> {
    fn document(&mut self) -> Option<(Policy, Span)> {
        self.r.skip_ws();
        let start = self.r.pos();
        self.open(b'{')?;
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        loop {
            match self.document_key()? {
                Member::Version if version.is_none() => {
                    // Statements are read assuming 2012-10-17 (policy variables interpreted),
                    // which is what nearly every policy says; anything else is read the
                    // ordinary way.
                    let at = self.r.pos();
                    if !self.literal(b"\"2012-10-17\"") {
                        let (s, _) = self.string()?;
                        if s != "2012-10-17" {
                            return None;
                        }
                    }
                    version = Some(Spanned::new(Version::V2012_10_17, span(at, self.r.pos())));
                }
                Member::Id if id.is_none() => {
                    let (s, span) = self.string()?;
                    id = Some(Spanned::new(s.into_owned(), span));
                }
                Member::Statement if statements.is_none() => {
                    statements = Some(self.statements()?);
                }
                _ => return None,
            }
            if self.close(b'}')? {
                break;
            }
        }
        let span = span(start, self.r.pos());
        self.r.skip_ws();
        if !self.r.at_end() {
            return None;
        }
        let statements = statements?;
        version.as_ref()?;
        let kind = self.kind(&statements)?;
        check_sids(&statements, kind, &mut self.sink);
        let policy = Policy {
            kind,
            version,
            id,
            statements,
        };
        Some((policy, span))
    }

    /// The kind [`super::detect_kind`] infers from the statements, when the statements read
    /// as that kind without a diagnostic the reader has not already given up on: every
    /// statement has a resource in an identity policy and a principal in the others, and a
    /// key policy has no `ForAllValues` condition on a single-valued key. `None` for a trust
    /// policy, which this reader does not read.
    fn kind(&mut self, statements: &[Spanned<Statement>]) -> Option<PolicyKind> {
        if !self.has_principal {
            let all_resources = statements.iter().all(|s| s.node.resource.is_some());
            return all_resources.then_some(PolicyKind::Identity);
        }
        if !statements.iter().all(|s| s.node.principal.is_some()) {
            return None;
        }
        // Every statement has an action list, and the lists are never empty.
        let actions = || {
            statements.iter().flat_map(|s| match &s.node.action {
                Some(ActionBlock::Action(list) | ActionBlock::NotAction(list)) => {
                    list.node.as_slice()
                }
                None => &[],
            })
        };
        let prefixed = |a: &str, prefix: &str| {
            a.as_bytes()
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
        };
        if actions().all(|a| prefixed(a.node.text(), "sts:")) {
            return None;
        }
        let key = actions().any(|a| prefixed(a.node.text(), "kms:") || a.node.text() == "*");
        if !key {
            return Some(PolicyKind::Resource);
        }
        for c in statements.iter().flat_map(|s| &s.node.conditions) {
            check_overly_permissive(&c.operator, &c.key, PolicyKind::Key, &mut self.sink);
        }
        Some(PolicyKind::Key)
    }

    /// Steps over `open` and the whitespace after it; `None` when the next byte is not
    /// `open` or the container is empty (an empty document, list or statement is reported).
    /// Always inlined, as `close`: called for every list and element, and left out of line by
    /// the compiler's own choice they cost 1.4 M more instructions per pass over the managed
    /// corpus.
    #[inline(always)]
    fn open(&mut self, open: u8) -> Option<()> {
        if self.r.peek() != Some(open) {
            return None;
        }
        self.r.bump();
        self.r.skip_ws();
        match self.r.peek() {
            Some(b'}' | b']') => None,
            _ => Some(()),
        }
    }

    /// After a value: steps over `,` (then `Some(false)`) or the closing `close` (then
    /// `Some(true)`); `None` on anything else.
    #[inline(always)]
    fn close(&mut self, close: u8) -> Option<bool> {
        // The usual comma right after the value needs no whitespace skip first.
        if self.r.peek() == Some(b',') {
            self.r.bump();
            skip_line_break(&mut self.r);
            return Some(false);
        }
        self.r.skip_ws();
        let b = self.r.peek()?;
        if b == b',' {
            self.r.bump();
            skip_line_break(&mut self.r);
            Some(false)
        } else if b == close {
            self.r.bump();
            Some(true)
        } else {
            None
        }
    }

    /// A member's key and the `:` after it, leaving the reader at the value.
    fn key(&mut self) -> Option<Cow<'a, str>> {
        self.spanned_key().map(|(key, _)| key)
    }

    /// [`Direct::key`] with the key's span (quotes included). Always inlined: it runs for
    /// every condition operator and key, and out of line it cost 0.4 M more instructions
    /// per pass over the managed corpus (the key and span returned through memory).
    #[inline(always)]
    fn spanned_key(&mut self) -> Option<(Cow<'a, str>, Span)> {
        if self.r.peek() != Some(b'"') {
            return None;
        }
        let start = self.r.pos();
        let key = quoted_text(&mut self.r)?;
        let span = span(start, self.r.pos());
        member_colon(&mut self.r)?;
        Some((key, span))
    }

    /// A document member's key, and the `:` after it; `None` for a key this reader does not
    /// read. `Version` and `Statement` written without escapes are compared whole with
    /// constants, as in [`Direct::statement_key`]; any other key goes through [`Direct::key`].
    fn document_key(&mut self) -> Option<Member> {
        let at = self.r.pos();
        let rest = self.r.bytes().get(at..).unwrap_or_default();
        let usual = |member: Member, quoted: &'static [u8]| {
            rest.starts_with(quoted).then_some((member, quoted.len()))
        };
        let found = match rest.get(1) {
            Some(b'V') => usual(Member::Version, b"\"Version\""),
            Some(b'S') => usual(Member::Statement, b"\"Statement\""),
            _ => None,
        };
        if let Some((member, len)) = found {
            self.r.set_pos(at + len);
            member_colon(&mut self.r)?;
            return Some(member);
        }
        match self.key()?.as_ref() {
            "Version" => Some(Member::Version),
            "Id" => Some(Member::Id),
            "Statement" => Some(Member::Statement),
            _ => None,
        }
    }

    /// A statement member's key, as an index into [`STATEMENT_ELEMENTS`], and the `:` after
    /// it; `None` for an unknown key. The usual keys, written without escapes, are recognised
    /// by their bytes; any other goes through [`Direct::key`].
    fn statement_key(&mut self) -> Option<usize> {
        let at = self.r.pos();
        let rest = self.r.bytes().get(at..).unwrap_or_default();
        // Each usual key is compared whole, quotes included, with a constant: a fixed-size
        // compare, where a name looked up in `STATEMENT_ELEMENTS` has a length known only at
        // run time.
        let usual = |element: usize, quoted: &'static [u8]| {
            rest.starts_with(quoted).then_some((element, quoted.len()))
        };
        let found = match rest.get(1) {
            Some(b'A') => usual(ACTION, b"\"Action\""),
            Some(b'C') => usual(CONDITION, b"\"Condition\""),
            Some(b'E') => usual(EFFECT, b"\"Effect\""),
            Some(b'R') => usual(RESOURCE, b"\"Resource\""),
            Some(b'S') => usual(SID, b"\"Sid\""),
            _ => None,
        };
        if let Some((element, len)) = found {
            self.r.set_pos(at + len);
            member_colon(&mut self.r)?;
            return Some(element);
        }
        let key = self.key()?;
        STATEMENT_ELEMENTS.iter().position(|e| *e == key.as_ref())
    }

    /// Steps over `lit` if the input continues with it.
    fn literal(&mut self, lit: &[u8]) -> bool {
        let at = self.r.pos();
        let found = self.r.bytes().get(at..at + lit.len()) == Some(lit);
        if found {
            self.r.set_pos(at + lit.len());
        }
        found
    }

    /// A string value and its span (quotes included).
    fn string(&mut self) -> Option<(Cow<'a, str>, Span)> {
        if self.r.peek() != Some(b'"') {
            return None;
        }
        let start = self.r.pos();
        let s = quoted_text(&mut self.r)?;
        Some((s, span(start, self.r.pos())))
    }

    /// The `Statement` value: one statement object or a non-empty array of them.
    fn statements(&mut self) -> Option<Vec<Spanned<Statement>>> {
        if self.r.peek() == Some(b'{') {
            let mut list = vec![blank_statement(0)];
            self.statement(list.last_mut()?, 1)?;
            return Some(list);
        }
        self.open(b'[')?;
        // Taken out of the scratch lists while statements are read into it, and put back
        // whatever the outcome.
        let mut list = std::mem::take(&mut self.scratch.statements);
        list.clear();
        let read = self.statement_items(&mut list);
        let items = read.map(|()| exact(&mut list));
        self.scratch.statements = list;
        items
    }

    /// The statements of a `Statement` array, each read in place into the next item of
    /// `list` (a statement is large: built apart and moved in, it cost a call to `memcpy`).
    fn statement_items(&mut self, list: &mut Vec<Spanned<Statement>>) -> Option<()> {
        loop {
            list.push(blank_statement(list.len()));
            self.statement(list.last_mut()?, 2)?;
            if self.close(b']')? {
                return Some(());
            }
        }
    }

    /// One statement object, whose `depth` enclosing containers are already open, read into
    /// `out` (a [`blank_statement`]).
    fn statement(&mut self, out: &mut Spanned<Statement>, depth: usize) -> Option<()> {
        let start = self.r.pos();
        self.open(b'{')?;
        let stmt = &mut out.node;
        // Each element is read once (`seen`), into a field still empty: filled with
        // `get_or_insert`, which writes it without the call that drops the old value an
        // assignment makes (the compiler cannot tell the field is empty).
        let mut seen = 0u16;
        let mut effect = None;
        loop {
            let element = self.statement_key()?;
            let bit = 1u16 << element;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match element {
                SID => {
                    // A plain Sid (ASCII without escapes, control characters or `$`) is read
                    // by the inlined one-pass scan of resources; `Direct::string` (out of line,
                    // a result returned through memory) cost 116 instructions a Sid. `check`
                    // of the managed corpus, medians of 3: a Sid scan of its own saved 0.47 M
                    // instructions (48.01 M → 47.54 M), this one 0.19 M more (47.46 M →
                    // 47.27 M, measured against that scan in another build).
                    let at = self.r.pos();
                    let sid = if let Some((text, _, end)) = (self.r.bytes().get(at) == Some(&b'"'))
                        .then(|| plain_text(self.r.bytes(), self.r.text(), at))
                        .flatten()
                    {
                        self.r.set_pos(end);
                        Spanned::new(text.to_owned(), span(at, end))
                    } else {
                        let (s, span) = self.string()?;
                        Spanned::new(s.into_owned(), span)
                    };
                    stmt.sid.get_or_insert(sid);
                }
                EFFECT if self.literal(b"\"Allow\"") => {
                    let span = span(self.r.pos() - 7, self.r.pos());
                    effect = Some(Spanned::new(Effect::Allow, span));
                }
                EFFECT => {
                    let (s, span) = self.string()?;
                    let e = match s.as_ref() {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        _ => return None,
                    };
                    effect = Some(Spanned::new(e, span));
                }
                // `Action` and `NotAction` together are reported, as are the two resources.
                ACTION | NOT_ACTION if stmt.action.is_none() => {
                    let list = self.actions()?;
                    stmt.action.get_or_insert(if element == NOT_ACTION {
                        ActionBlock::NotAction(list)
                    } else {
                        ActionBlock::Action(list)
                    });
                }
                RESOURCE | NOT_RESOURCE if stmt.resource.is_none() => {
                    let list = self.resources()?;
                    stmt.resource.get_or_insert(if element == NOT_RESOURCE {
                        ResourceBlock::NotResource(list)
                    } else {
                        ResourceBlock::Resource(list)
                    });
                }
                CONDITION => {
                    let (list, span) = self.conditions(depth)?;
                    stmt.conditions = list;
                    stmt.condition_span = Some(span);
                }
                // Both together are reported.
                PRINCIPAL | NOT_PRINCIPAL if stmt.principal.is_none() && self.infer => {
                    let principals = self.principals(depth)?;
                    self.has_principal = true;
                    stmt.principal.get_or_insert(if element == NOT_PRINCIPAL {
                        PrincipalBlock::NotPrincipal(principals)
                    } else {
                        PrincipalBlock::Principal(principals)
                    });
                }
                // A second action, resource or principal block, or a principal when only an
                // identity policy is read (where it is reported).
                _ => return None,
            }
            if self.close(b'}')? {
                break;
            }
        }
        out.span = span(start, self.r.pos());
        // A statement without an effect or (outside key policies) an action is reported; so is
        // one without a resource in an identity policy, which the kind decides.
        out.node.effect = effect?;
        out.node.action.as_ref()?;
        Some(())
    }

    /// A string or a non-empty array of strings, each read and converted by `item` (which
    /// starts at the opening quote and returns `None` after reporting a bad one), gathered
    /// through `scratch`.
    fn list<T>(
        r: &mut Reader<'a>,
        sink: &mut Sink,
        scratch: &mut Vec<Spanned<T>>,
        mut item: impl FnMut(&mut Reader<'a>, &mut Sink) -> Option<(T, Span)>,
    ) -> Option<SpannedList<T>> {
        if r.peek() == Some(b'"') {
            let (v, span) = item(r, sink)?;
            return Some(Spanned::new(vec![Spanned::new(v, span)], span));
        }
        let start = open_list(r)?;
        scratch.clear();
        loop {
            r.skip_ws();
            if r.peek() != Some(b'"') {
                // Also an empty list, which is reported.
                return None;
            }
            let (v, span) = item(r, sink)?;
            scratch.push(Spanned::new(v, span));
            if !list_continues(r)? {
                break;
            }
        }
        Some(Spanned::new(exact(scratch), span(start, r.pos())))
    }

    /// A statement's `Condition` object, the statement's `depth` enclosing containers being
    /// open: what [`super::super::condition::conditions`] makes of it, and its span. Gives up
    /// on an empty object, a repeated operator or key, an operator not written canonically,
    /// and values that are not strings or booleans; anything else those report is in the
    /// sink.
    fn conditions(&mut self, depth: usize) -> Option<(Vec<Condition>, Span)> {
        // The statement, the `Condition` object, an operator's object and a value list are
        // four more levels, which the tree path would check against the limit.
        if self.max_depth < depth + 4 {
            return None;
        }
        let start = self.r.pos();
        self.open(b'{')?;
        self.scratch.conditions.clear();
        loop {
            let (name, op_span) = self.spanned_key()?;
            // A name in another case is reported; an unknown one too.
            let op = match canonical_operator(&name) {
                Some(op) => op,
                None => match ConditionOperator::parse(&name) {
                    Ok((op, true)) => op,
                    _ => return None,
                },
            };
            // Only canonical names get here, so equal operators were written the same: a
            // repeated member, which is reported.
            if self
                .scratch
                .conditions
                .iter()
                .any(|c| c.operator.node == op)
            {
                return None;
            }
            let operator = Spanned::new(op, op_span);
            let first = self.scratch.conditions.len();
            self.open(b'{')?;
            loop {
                let (key, key_span) = self.spanned_key()?;
                let repeated = self
                    .scratch
                    .conditions
                    .get(first..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|c| c.key.node.text() == key);
                if repeated {
                    return None;
                }
                // Only a key policy reports a key with this operator, which the kind decides.
                let key = Spanned::new(ConditionKey::new(&key), key_span);
                let values = self.condition_values()?;
                self.scratch.conditions.push(Condition {
                    operator,
                    key,
                    values,
                });
                if self.close(b'}')? {
                    break;
                }
            }
            if self.close(b'}')? {
                break;
            }
        }
        let list = exact(&mut self.scratch.conditions);
        Some((list, span(start, self.r.pos())))
    }

    /// A statement's `Principal` or `NotPrincipal` value, the statement's `depth` enclosing
    /// containers being open: `"*"` or an object of the four principal types, each a string
    /// or a non-empty list of strings, as [`super::super::principal::principal_block`] makes
    /// it. Gives up on another string, an empty object, an unknown or repeated type and
    /// values of another type; anything else that reports is in the sink.
    fn principals(&mut self, depth: usize) -> Option<Spanned<Principals>> {
        // The statement, the principal object and a value list.
        if self.max_depth < depth + 3 {
            return None;
        }
        let start = self.r.pos();
        if self.r.peek() == Some(b'"') {
            let (s, span) = self.string()?;
            return (s == "*").then_some(Spanned::new(Principals::Any, span));
        }
        self.open(b'{')?;
        let mut entries: Vec<PrincipalEntry> = Vec::new();
        loop {
            let key = self.key()?;
            let (r, sink) = (&mut self.r, &mut self.sink);
            let plain = |r: &mut Reader<'a>, _: &mut Sink| {
                let start = r.pos();
                let s = r.string().ok()?;
                Some((s.into_owned(), span(start, r.pos())))
            };
            let entry = match key.as_ref() {
                "AWS" => PrincipalEntry::Aws(Self::list(r, sink, &mut Vec::new(), |r, sink| {
                    let start = r.pos();
                    let s = r.string().ok()?;
                    let span = span(start, r.pos());
                    Some((aws_principal(sink, &s, span)?, span))
                })?),
                "Service" => PrincipalEntry::Service(Self::list(r, sink, &mut Vec::new(), plain)?),
                "Federated" => {
                    PrincipalEntry::Federated(Self::list(r, sink, &mut Vec::new(), plain)?)
                }
                "CanonicalUser" => {
                    PrincipalEntry::CanonicalUser(Self::list(r, sink, &mut Vec::new(), plain)?)
                }
                _ => return None,
            };
            // Each type has its own variant, so a repeated variant is a repeated member.
            let kind = std::mem::discriminant(&entry);
            if entries.iter().any(|e| std::mem::discriminant(e) == kind) {
                return None;
            }
            entries.push(entry);
            if self.close(b'}')? {
                break;
            }
        }
        Some(Spanned::new(
            Principals::Map(entries),
            span(start, self.r.pos()),
        ))
    }

    /// A condition key's value: a string or boolean, or a non-empty array of them.
    fn condition_values(&mut self) -> Option<SpannedList<ConditionValue>> {
        if self.r.peek() != Some(b'[') {
            let value = self.condition_value()?;
            let span = value.span;
            return Some(Spanned::new(vec![value], span));
        }
        let start = self.r.pos();
        // An empty list is reported, and `open` gives up on it.
        self.open(b'[')?;
        self.scratch.values.clear();
        loop {
            let value = self.condition_value()?;
            self.scratch.values.push(value);
            if self.close(b']')? {
                break;
            }
        }
        let items = exact(&mut self.scratch.values);
        Some(Spanned::new(items, span(start, self.r.pos())))
    }

    /// One condition value, as `values` in the condition lowering makes it; `None` for a
    /// number (left to the tree's number grammar) or any other type. Always inlined into
    /// its two call sites: out of line it cost 0.3 M more instructions per pass over the
    /// managed corpus (the value returned through memory).
    #[inline(always)]
    fn condition_value(&mut self) -> Option<Spanned<ConditionValue>> {
        let start = self.r.pos();
        let (template, kind) = match self.r.peek()? {
            b'"' => {
                // Text without a `$` holds no variable: the template is the literal text.
                if let Some((text, _, end)) = plain_text(self.r.bytes(), self.r.text(), start) {
                    self.r.set_pos(end);
                    let value = ConditionValue {
                        template: Template::literal(text),
                        kind: ScalarKind::String,
                    };
                    return Some(Spanned::new(value, span(start, end)));
                }
                let s = self.r.string().ok()?;
                let span = span(start, self.r.pos());
                (template(&s, span, true, &mut self.sink), ScalarKind::String)
            }
            b't' if self.literal(b"true") => (Template::literal("true"), ScalarKind::Bool),
            b'f' if self.literal(b"false") => (Template::literal("false"), ScalarKind::Bool),
            _ => return None,
        };
        let value = ConditionValue { template, kind };
        Some(Spanned::new(value, span(start, self.r.pos())))
    }

    /// The `Action` or `NotAction` value: [`Direct::list`] specialised, so that the common
    /// plain action is scanned and pushed in the loop itself rather than built by a closure
    /// and returned through memory (a saving of about a tenth of the cost per action).
    fn actions(&mut self) -> Option<SpannedList<ActionPattern>> {
        let (r, sink) = (&mut self.r, &mut self.sink);
        if r.peek() == Some(b'"') {
            let (v, span) = action(r, sink)?;
            return Some(Spanned::new(vec![Spanned::new(v, span)], span));
        }
        let start = open_list(r)?;
        let scratch = &mut self.scratch.actions;
        scratch.clear();
        loop {
            let at = r.pos();
            if r.peek() != Some(b'"') {
                // Also an empty list, which is reported.
                return None;
            }
            if let Some((text, colon, end)) = plain_action(r.bytes(), r.text(), at) {
                r.set_pos(end);
                // Filled in place, which saves moving the finished pattern into the list.
                scratch.push(Spanned::new(ActionPattern::placeholder(), span(at, end)));
                if let Some(last) = scratch.last_mut() {
                    last.node.set_checked(text, colon);
                }
            } else {
                let (v, span) = action_slow(r, sink)?;
                scratch.push(Spanned::new(v, span));
            }
            if !list_continues(r)? {
                break;
            }
        }
        Some(Spanned::new(exact(scratch), span(start, r.pos())))
    }

    /// The `Resource` or `NotResource` value: [`Direct::list`] specialised as
    /// [`Direct::actions`] is, each resource read by [`resource`] in the loop itself rather
    /// than by a closure called through the list (about a fifth of the cost per resource).
    /// The list's whitespace is skipped where [`open_list`] and [`list_continues`] skip it.
    fn resources(&mut self) -> Option<SpannedList<ResourcePattern>> {
        let (r, sink) = (&mut self.r, &mut self.sink);
        if r.peek() == Some(b'"') {
            let (v, span) = resource(r, sink)?;
            return Some(Spanned::new(vec![Spanned::new(v, span)], span));
        }
        let start = open_list(r)?;
        let scratch = &mut self.scratch.resources;
        scratch.clear();
        loop {
            if r.peek() != Some(b'"') {
                // Also an empty list, which is reported.
                return None;
            }
            let (v, span) = resource(r, sink)?;
            scratch.push(Spanned::new(v, span));
            if !list_continues(r)? {
                break;
            }
        }
        Some(Spanned::new(exact(scratch), span(start, r.pos())))
    }
}

/// One resource string starting at its opening quote: what [`parse_resource`] makes of it,
/// with its span. Always inlined into the two places [`Direct::resources`] reads one.
#[inline(always)]
fn resource(r: &mut Reader<'_>, sink: &mut Sink) -> Option<(ResourcePattern, Span)> {
    let start = r.pos();
    // `"*"`, the most common resource, is what `parse_resource` makes of it.
    if r.bytes().get(start..start + 3) == Some(b"\"*\"") {
        r.set_pos(start + 3);
        let any = ResourcePattern {
            template: Template::literal("*"),
        };
        return Some((any, span(start, start + 3)));
    }
    // A plain ARN: what `parse_resource` keeps as the literal text.
    if let Some((text, colons, end)) = plain_text(r.bytes(), r.text(), start)
        && colons >= 5
        && text.starts_with("arn:")
    {
        r.set_pos(end);
        let arn = ResourcePattern {
            template: Template::literal(text),
        };
        return Some((arn, span(start, end)));
    }
    let s = r.string().ok()?;
    let span = span(start, r.pos());
    Some((parse_resource(&s, span, true, sink)?, span))
}

/// The string whose opening quote is at the reader, read by [`plain_text`] when it is plain
/// (one pass of 16-byte masks, inlined) and by [`Reader::string`] otherwise: the same text
/// either way. Sids, condition operators and condition keys are read so; the call to
/// `Reader::string` cost more than the scan.
#[inline(always)]
fn quoted_text<'a>(r: &mut Reader<'a>) -> Option<Cow<'a, str>> {
    if let Some((text, _, end)) = plain_text(r.bytes(), r.text(), r.pos()) {
        r.set_pos(end);
        return Some(Cow::Borrowed(text));
    }
    r.string().ok()
}

/// A statement with nothing read yet, for [`Direct::statement`] to fill in place.
fn blank_statement(index: usize) -> Spanned<Statement> {
    let statement = Statement {
        index,
        sid: None,
        effect: Spanned::new(Effect::Allow, Span::default()),
        principal: None,
        action: None,
        resource: None,
        conditions: Vec::new(),
        condition_span: None,
    };
    Spanned::new(statement, Span::default())
}

/// Steps over the `:` after a member's key and the whitespace around it, leaving the reader
/// at the value; `None` when no colon follows. The usual `": "` before a value is checked at
/// once, where the ordinary way calls the whitespace skip twice.
#[inline(always)]
fn member_colon(r: &mut Reader<'_>) -> Option<()> {
    let at = r.pos();
    if let Some(&[b':', b' ', next]) = r.bytes().get(at..at + 3)
        && !matches!(next, b' ' | b'\t' | b'\n' | b'\r')
    {
        r.set_pos(at + 2);
        return Some(());
    }
    r.skip_ws();
    if r.peek() != Some(b':') {
        return None;
    }
    r.bump();
    r.skip_ws();
    Some(())
}

/// [`Reader::skip_ws`] after an item of a list, with a quick way over the usual layout of
/// one item a line: a line break and up to sixteen spaces of indentation before a quote
/// are stepped over with one block read.
#[inline(always)]
fn skip_line_break(r: &mut Reader<'_>) {
    let at = r.pos();
    let bytes = r.bytes();
    if bytes.get(at) == Some(&b'\n')
        && let Some((v, 0)) = swar::block(bytes, at + 1)
    {
        // Bits 16 and up are set, so the count stops there when all sixteen are spaces.
        let other = !swar::bits(swar::lanes_eq(v, b' '), 0);
        let next = at + 1 + other.trailing_zeros() as usize;
        if bytes.get(next) == Some(&b'"') {
            r.set_pos(next);
            return;
        }
    }
    r.skip_ws();
}

/// One action string starting at its opening quote, plain or not.
fn action(r: &mut Reader<'_>, sink: &mut Sink) -> Option<(ActionPattern, Span)> {
    let start = r.pos();
    if let Some((text, colon, end)) = plain_action(r.bytes(), r.text(), start) {
        r.set_pos(end);
        return Some((ActionPattern::checked(text, colon), span(start, end)));
    }
    action_slow(r, sink)
}

/// An action string the one-pass scan does not take, read and checked the ordinary way.
#[inline(never)]
fn action_slow(r: &mut Reader<'_>, sink: &mut Sink) -> Option<(ActionPattern, Span)> {
    let start = r.pos();
    let s = r.string().ok()?;
    let span = span(start, r.pos());
    let colon = check_action(&s, span, sink)?;
    Some((ActionPattern::checked(&s, colon), span))
}

/// The operator `name` spells canonically, for the names policies use most; `None` for any
/// other, which [`ConditionOperator::parse`] then reads. A match on the whole name costs a
/// length switch and a compare, where the general parse folds case against every operator.
fn canonical_operator(name: &str) -> Option<ConditionOperator> {
    let (qualifier, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (Some(Qualifier::ForAnyValue), rest)
    } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (Some(Qualifier::ForAllValues), rest)
    } else {
        (None, name)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let base = match base {
        "StringEquals" => BaseOperator::StringEquals,
        "StringLike" => BaseOperator::StringLike,
        "StringNotEquals" => BaseOperator::StringNotEquals,
        "StringNotLike" => BaseOperator::StringNotLike,
        "StringEqualsIgnoreCase" => BaseOperator::StringEqualsIgnoreCase,
        "ArnLike" => BaseOperator::ArnLike,
        "ArnEquals" => BaseOperator::ArnEquals,
        "ArnNotLike" => BaseOperator::ArnNotLike,
        "ArnNotEquals" => BaseOperator::ArnNotEquals,
        "Bool" => BaseOperator::Bool,
        // `Null` takes neither a qualifier nor `IfExists`.
        "Null" if qualifier.is_none() && !if_exists => BaseOperator::Null,
        _ => return None,
    };
    Some(ConditionOperator {
        qualifier,
        base,
        if_exists,
    })
}

/// The string whose opening quote is at `open`, when it is a plain valid action: ASCII, no
/// escapes, `*` or `service:name` with one colon and no wildcard in the service. Then the
/// text, the colon's offset (what [`check_action`] returns for it) and the offset after the
/// closing quote; `None` for anything else, which the caller reads the ordinary way.
///
/// One pass of 16-byte masks finds the closing quote, the colon and the service's wildcards
/// together, where the ordinary way scans the text three times after reading it. Each mask
/// flags every byte the scan must stop at, so only the first flagged byte is looked at. The
/// block holding the colon is searched on for the name's end rather than read again.
///
/// Always inlined: called for nearly every action, and left out of line it cost 1.1 M more
/// instructions per pass over the managed corpus (its prologue, epilogue and a result
/// returned through memory).
#[inline(always)]
fn plain_action<'a>(
    bytes: &[u8],
    text: &'a str,
    open: usize,
) -> Option<(&'a str, Option<usize>, usize)> {
    let content = open + 1;
    if let Some((colon, end)) = bytes
        .get(content..)
        .and_then(<[u8]>::first_chunk::<32>)
        .and_then(action_in_32)
    {
        let Some(end) = end else {
            // The name runs past the 32 bytes: nearly always (13.9 k of the 15 k such actions
            // in the managed policies) it ends in the next 16, read here with one block. Out
            // of line, each cost 88 instructions (the general block read, a result returned
            // through memory). `check` of the managed corpus: 48.85 M → 48.01 M instructions
            // (medians of 3).
            if let Some(next) = bytes
                .get(content + 32..)
                .and_then(<[u8]>::first_chunk::<16>)
            {
                let stop = swar::bits(stops(swar::load(next)), 0);
                if stop != 0 {
                    let end = 32 + stop.trailing_zeros() as usize;
                    let s = quoted(bytes, text, content, content + end)?;
                    // The name is empty only when the colon is the last of the 32 bytes.
                    return (end > colon + 1).then_some((s, Some(colon), content + end + 1));
                }
            }
            return plain_action_name(bytes, text, content, colon);
        };
        let s = text.get(content..content + end)?;
        return Some((s, Some(colon), content + end + 1));
    }
    // Looked for only now, off the usual path: `action_in_32` takes no text starting with
    // `*` (its first stop is then no colon), so the bare `*` always gets here.
    if bytes.get(content..content + 2) == Some(b"*\"") {
        return Some((text.get(content..content + 1)?, None, content + 2));
    }
    plain_action_blocks(bytes, text, content)
}

/// [`plain_action`] for a name that runs past the 32 bytes at the string's `content`, which
/// hold the `colon` and no stop after it: the scan goes on from there, a block at a time,
/// where [`plain_action_blocks`] would scan those 32 bytes again (a quarter of the actions
/// in the managed policies are that long). Out of line, as that one.
#[inline(never)]
fn plain_action_name<'a>(
    bytes: &[u8],
    text: &'a str,
    content: usize,
    colon: usize,
) -> Option<(&'a str, Option<usize>, usize)> {
    let mut at = content + 32;
    loop {
        let (v, skip) = swar::block(bytes, at)?;
        let stop = swar::bits(stops(v), skip);
        if stop != 0 {
            let end = at + stop.trailing_zeros() as usize;
            let s = quoted(bytes, text, content, end)?;
            // The name is empty only when the colon is the last of the 32 bytes.
            return (end > content + colon + 1).then_some((s, Some(colon), end + 1));
        }
        at += 16;
    }
}

/// [`plain_action`] for the rest, a block at a time from the string's `content`. Kept out
/// of line so that the usual case saves no registers for it.
#[inline(never)]
fn plain_action_blocks<'a>(
    bytes: &[u8],
    text: &'a str,
    content: usize,
) -> Option<(&'a str, Option<usize>, usize)> {
    let mut at = content;
    // The service: it must end at a colon, before any wildcard, quote, escape, control or
    // non-ASCII byte.
    let (colon, v, skip) = loop {
        let (v, skip) = swar::block(bytes, at)?;
        let stop = swar::bits(service_stops(v), skip);
        if stop != 0 {
            break (at + stop.trailing_zeros() as usize, v, skip);
        }
        at += 16;
    };
    if bytes.get(colon) != Some(&b':') || colon == content {
        return None;
    }
    // The name: it must end at the closing quote, before a second colon, an escape, a control
    // or a non-ASCII byte, and not be empty. In the colon's block, only the bytes after it.
    let mut stop = swar::bits(stops(v), skip) & (u32::MAX << (colon + 1 - at));
    while stop == 0 {
        at += 16;
        let (v, skip) = swar::block(bytes, at)?;
        stop = swar::bits(stops(v), skip);
    }
    let end = at + stop.trailing_zeros() as usize;
    let s = quoted(bytes, text, content, end)?;
    (end > colon + 1).then_some((s, Some(colon - content), end + 1))
}

/// [`plain_action`] for the most common case, an action whose colon is within the 32 bytes
/// at its content: the offsets in them of its colon and closing quote, or of the colon alone
/// when no byte after it stops the scan (the name goes on past them). Both blocks are
/// masked at once, without the general loop; `None` for anything else, which the general
/// loop then decides.
#[inline(always)]
fn action_in_32(two: &[u8; 32]) -> Option<(usize, Option<usize>)> {
    let (lo, hi) = (
        swar::load(two.first_chunk()?),
        swar::load(two.last_chunk()?),
    );
    let both = |f: fn(i8x16) -> i8x16| {
        u64::from(swar::bits(f(lo), 0)) | u64::from(swar::bits(f(hi), 0)) << 16
    };
    let colon = both(service_stops).trailing_zeros() as usize;
    if two.get(colon) != Some(&b':') || colon == 0 {
        return None;
    }
    // `colon` is below 32, so the shift keeps the bits after it.
    let after = both(stops) & (u64::MAX << (colon + 1));
    if after == 0 {
        return Some((colon, None));
    }
    let end = after.trailing_zeros() as usize;
    (two.get(end) == Some(&b'"') && end > colon + 1).then_some((colon, Some(end)))
}

/// The lanes of `v` an action's service stops at: those of [`specials`], a colon, `*` or
/// `?`.
#[inline(always)]
fn service_stops(v: i8x16) -> i8x16 {
    // Setting bit 0x10 makes `*` (0x2a) a colon (0x3a) and no other byte one, so one
    // compare flags both.
    specials(v) | swar::lanes_eq(v | i8x16::splat(0x10), b':') | swar::lanes_eq(v, b'?')
}

/// The lanes of `v` an action scan stops at: a quote, a backslash, a control character,
/// non-ASCII or a colon.
#[inline(always)]
fn stops(v: i8x16) -> i8x16 {
    specials(v) | swar::lanes_eq(v, b':')
}

/// The lanes of `v` every plain-string scan stops at: a quote, a backslash, a control
/// character or non-ASCII.
#[inline(always)]
fn specials(v: i8x16) -> i8x16 {
    swar::lanes_eq(v, b'"') | swar::lanes_eq(v, b'\\') | swar::lanes_control_or_non_ascii(v)
}

/// The string whose opening quote is at `open`, when it is ASCII without escapes, control
/// characters or `$` (so no placeholder and no policy variable): the text, its number of
/// colons and the offset after the closing quote, found in one pass of 16-byte masks where
/// the ordinary way scans the text once to read it and again for each check. `None` for
/// anything else, which the caller reads the ordinary way.
///
/// Always inlined, as [`plain_action`]: out of line it cost 0.3 M more instructions per
/// pass over the managed corpus.
#[inline(always)]
fn plain_text<'a>(bytes: &[u8], text: &'a str, open: usize) -> Option<(&'a str, u32, usize)> {
    let content = open + 1;
    let mut at = content;
    let mut colons = 0;
    // While 32 bytes are left, two blocks a step into one mask, without the bookkeeping of
    // the last block.
    while let Some(two) = bytes.get(at..).and_then(<[u8]>::first_chunk::<32>) {
        let (lo, hi) = (
            swar::load(two.first_chunk()?),
            swar::load(two.last_chunk()?),
        );
        let both = |f: fn(i8x16) -> i8x16| {
            u64::from(swar::bits(f(lo), 0)) | u64::from(swar::bits(f(hi), 0)) << 16
        };
        if let Some(end) = text_step(&mut colons, at, both(text_stops), both(colon_lanes)) {
            return Some((quoted(bytes, text, content, end)?, colons, end + 1));
        }
        at += 32;
    }
    loop {
        let (v, skip) = swar::block(bytes, at)?;
        let (stop, colon) = (
            swar::bits(text_stops(v), skip),
            swar::bits(colon_lanes(v), skip),
        );
        if let Some(end) = text_step(&mut colons, at, stop.into(), colon.into()) {
            return Some((quoted(bytes, text, content, end)?, colons, end + 1));
        }
        at += 16;
    }
}

/// The lanes of `v` holding a colon.
#[inline(always)]
fn colon_lanes(v: i8x16) -> i8x16 {
    swar::lanes_eq(v, b':')
}

/// One step of [`plain_text`] over the bytes at `at`, given the bit masks of its stops and
/// colons: adds the colons before the first stop (all of them without a stop) to `colons`,
/// and gives the stop's offset, if there is one.
#[inline(always)]
fn text_step(colons: &mut u32, at: usize, stop: u64, colon: u64) -> Option<usize> {
    if stop == 0 {
        *colons += colon.count_ones();
        return None;
    }
    // No byte is both a colon and a stop, so `stop - 1` keeps exactly the colons before the
    // first stop.
    *colons += (colon & stop.wrapping_sub(1)).count_ones();
    Some(at + stop.trailing_zeros() as usize)
}

/// The lanes of `v` a plain text scan stops at: those of [`specials`] and `$`.
#[inline(always)]
fn text_stops(v: i8x16) -> i8x16 {
    specials(v) | swar::lanes_eq(v, b'$')
}

/// The text from `content` to `end`, if a closing quote is at `end`.
fn quoted<'a>(bytes: &[u8], text: &'a str, content: usize, end: usize) -> Option<&'a str> {
    if bytes.get(end) != Some(&b'"') {
        return None;
    }
    text.get(content..end)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// A list keeps its items in order and empties the scratch; up to a kilobyte it gets room
    /// for exactly its items, beyond it the next power of two.
    #[test]
    fn lists_get_exact_or_power_of_two_room() {
        for (n, room) in [
            (0, 0),
            (1, 1),
            (100, 100),
            (128, 128),
            (129, 256),
            (200, 256),
            (1024, 1024),
        ] {
            let mut scratch: Vec<u64> = (0..n).collect();
            let list = exact(&mut scratch);
            assert!(scratch.is_empty());
            assert_eq!(list, (0..n).collect::<Vec<u64>>());
            assert_eq!(list.capacity(), room as usize, "{n} items");
        }
    }

    /// Calls `f` on every JSON string of up to `max_len` pieces of `alphabet`, alone and with
    /// 8 or 16 letters before or after (so that word-at-a-time scans see every alignment),
    /// followed by the bytes a document might have next.
    fn each_quoted(alphabet: &[&str], max_len: u32, mut f: impl FnMut(&str)) {
        each_string(alphabet, max_len, |body| {
            for pad in ["", "abcdefgh", "abcdefghijklmnop"] {
                for inner in [format!("{pad}{body}"), format!("{body}{pad}")] {
                    f(&format!("\"{inner}\"  ,        "));
                }
            }
        });
    }

    /// Calls `f` with every string of up to `max_len` pieces of `alphabet`.
    fn each_string(alphabet: &[&str], max_len: u32, mut f: impl FnMut(&str)) {
        for len in 0..=max_len {
            for mut n in 0..alphabet.len().pow(len) {
                let mut text = String::new();
                for _ in 0..len {
                    text.push_str(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                f(&text);
            }
        }
    }

    /// Whenever the one-pass action scan accepts a string, the ordinary way reads the same
    /// text and colon without a diagnostic.
    #[test]
    fn plain_action_agrees_with_check_action() {
        let alphabet = [
            "a", ":", "*", "?", "\"", "\\", "\u{e9}", "\u{27ea}", "\u{1}",
        ];
        let mut accepted = 0;
        each_quoted(&alphabet, 6, |text| {
            let Some((s, colon, end)) = plain_action(text.as_bytes(), text, 0) else {
                return;
            };
            accepted += 1;
            let mut r = Reader::new(text, &Limits::default());
            let read = r.string().unwrap();
            let mut sink = Sink::default();
            let want = check_action(&read, Span::new(0, r.pos()), &mut sink);
            assert_eq!((s, Some(colon), end), (read.as_ref(), want, r.pos()));
            assert!(sink.diags.is_empty());
        });
        assert!(accepted > 1000, "{accepted}");
    }

    /// The quick match of the usual statement keys gives the element and position the
    /// ordinary way (read the key, look it up) does, on every key name, near misses of them,
    /// escapes and each layout of the colon after them.
    #[test]
    fn statement_key_agrees_with_the_ordinary_way() {
        let mut names: Vec<String> = STATEMENT_ELEMENTS.iter().map(|e| (*e).to_owned()).collect();
        for e in STATEMENT_ELEMENTS {
            names.push(format!("{e}x"));
            names.push(e.to_ascii_lowercase());
            names.push(e[..e.len() - 1].to_owned());
            names.push(format!("\\u0041{}", &e[1..]));
        }
        names.extend(["", "A", "S", "Sidx", "\\\"", "\u{e9}"].map(str::to_owned));
        let mut known = 0;
        for name in &names {
            for colon in [": \"", ":\"", " : [", ":  {", "", ":"] {
                let text = format!("\"{name}\"{colon}");
                let mut quick = direct(&text);
                let got = quick.statement_key().map(|e| (e, quick.r.pos()));
                let mut ordinary = direct(&text);
                let want = ordinary.key().and_then(|key| {
                    let e = STATEMENT_ELEMENTS.iter().position(|e| *e == key.as_ref())?;
                    Some((e, ordinary.r.pos()))
                });
                assert_eq!(got, want, "{text:?}");
                known += usize::from(got.is_some());
            }
        }
        // Every name with each layout but the one without a colon, and the escaped `Action`.
        assert_eq!(known, (STATEMENT_ELEMENTS.len() + 1) * 5);
    }

    /// The quick match of the usual document keys gives the member and position the
    /// ordinary way (read the key, name the member) does, on every member name, near misses,
    /// escapes and each layout of the colon after them.
    #[test]
    fn document_key_agrees_with_the_ordinary_way() {
        let mut names = vec![String::new(), "V".to_owned(), "S".to_owned()];
        for name in ["Version", "Id", "Statement"] {
            names.push(name.to_owned());
            names.push(format!("{name}x"));
            names.push(name.to_ascii_lowercase());
            names.push(name[..name.len() - 1].to_owned());
            names.push(format!("\\u00{:x}{}", name.as_bytes()[0], &name[1..]));
        }
        let mut known = 0;
        for name in &names {
            for colon in [": \"", ":\"", " : [", ":  {", "", ":"] {
                let text = format!("\"{name}\"{colon}");
                let mut quick = direct(&text);
                let got = quick.document_key().map(|m| (m, quick.r.pos()));
                let mut ordinary = direct(&text);
                let want = ordinary.key().and_then(|key| {
                    let member = match key.as_ref() {
                        "Version" => Member::Version,
                        "Id" => Member::Id,
                        "Statement" => Member::Statement,
                        _ => return None,
                    };
                    Some((member, ordinary.r.pos()))
                });
                assert_eq!(got, want, "{text:?}");
                known += usize::from(got.is_some());
            }
        }
        // Each name, plain and escaped, with each layout but the one without a colon.
        assert_eq!(known, 3 * 2 * 5);
    }

    /// A reader at the start of `text`, reading any kind.
    fn direct(text: &str) -> Direct<'_> {
        Direct {
            r: Reader::new(text, &Limits::default()),
            sink: Sink::default(),
            scratch: Scratch::default(),
            max_depth: 10,
            infer: true,
            has_principal: false,
        }
    }

    /// For offsets that fit a `u32`, in order, the span without clamping is the clamped one.
    #[test]
    fn span_agrees_with_span_new() {
        let max = u32::MAX as usize;
        let offsets = [0, 1, 2, 7, 255, 256, 65_535, 65_536, 1 << 31, max - 1, max];
        for &start in &offsets {
            for &end in offsets.iter().filter(|&&end| end >= start) {
                assert_eq!(span(start, end), Span::new(start, end), "{start} {end}");
            }
        }
    }

    /// The quick way over a line break and indentation stops where the ordinary whitespace
    /// skip does, on every string of up to 11 pieces of a whitespace-heavy alphabet.
    #[test]
    fn skip_line_break_agrees_with_skip_ws() {
        let alphabet = ["\n", " ", "\t", "\r", "\"", "a", "        "];
        each_string(&alphabet, 7, |text| {
            let (mut quick, mut ordinary) = (
                Reader::new(text, &Limits::default()),
                Reader::new(text, &Limits::default()),
            );
            skip_line_break(&mut quick);
            ordinary.skip_ws();
            assert_eq!(quick.pos(), ordinary.pos(), "{text:?}");
        });
    }

    /// After a value or a list item, the quick step over a comma gives what the ordinary way
    /// (skip whitespace, then a comma and the whitespace after it, or the closing bracket)
    /// gives, and ends where it does, on every string of up to six pieces of an alphabet of
    /// separators, whitespace and value bytes.
    #[test]
    fn close_and_list_continues_agree_with_the_ordinary_way() {
        let alphabet = [",", "]", "}", " ", "\n", "\"", "a", "\n        "];
        each_string(&alphabet, 6, |text| {
            for close in [b'}', b']'] {
                let mut r = Reader::new(text, &Limits::default());
                r.skip_ws();
                let want = match r.peek() {
                    Some(b',') => {
                        r.bump();
                        r.skip_ws();
                        Some((false, r.pos()))
                    }
                    Some(b) if b == close => Some((true, r.pos() + 1)),
                    _ => None,
                };
                let mut d = direct(text);
                let got = d.close(close).map(|done| (done, d.r.pos()));
                assert_eq!(got, want, "{text:?}");
                if close == b']' {
                    let mut r = Reader::new(text, &Limits::default());
                    let got = list_continues(&mut r).map(|more| (!more, r.pos()));
                    assert_eq!(got, want, "{text:?}");
                }
            }
        });
    }

    /// The quick step over a member's colon ends where the ordinary way (skip, colon, skip)
    /// does, and fails where it does, on every string of up to 7 pieces of an alphabet of
    /// colons, whitespace and value bytes.
    #[test]
    fn member_colon_agrees_with_the_ordinary_way() {
        let alphabet = [":", " ", "\t", "\n", "\r", "\"", "a"];
        each_string(&alphabet, 7, |text| {
            let mut quick = Reader::new(text, &Limits::default());
            let got = member_colon(&mut quick).map(|()| quick.pos());
            let mut r = Reader::new(text, &Limits::default());
            r.skip_ws();
            let want = (r.peek() == Some(b':')).then(|| {
                r.bump();
                r.skip_ws();
                r.pos()
            });
            assert_eq!(got, want, "{text:?}");
        });
    }

    /// The string read with the one-pass scan or the ordinary way is what the ordinary way
    /// alone reads, and ends where it does; both fail together.
    #[test]
    fn quoted_text_agrees_with_reader_string() {
        let alphabet = [
            "a",
            ":",
            "$",
            "\"",
            "\\",
            "\\n",
            "\u{e9}",
            "\u{1}",
            "abcdefghijklmnop",
        ];
        let mut plain = 0;
        each_quoted(&alphabet, 4, |text| {
            let mut quick = Reader::new(text, &Limits::default());
            let got = quoted_text(&mut quick).map(|s| (s.into_owned(), quick.pos()));
            let mut r = Reader::new(text, &Limits::default());
            let want = r.string().ok().map(|s| (s.into_owned(), r.pos()));
            assert_eq!(got, want, "{text:?}");
            plain += usize::from(plain_text(text.as_bytes(), text, 0).is_some());
        });
        assert!(plain > 1000, "{plain}");
    }

    /// Whenever the one-pass scan takes a string, the ordinary way reads the same text and
    /// makes the same literal resource (given `arn:` and five colons) and condition value
    /// template of it, without a diagnostic.
    #[test]
    fn plain_text_agrees_with_the_ordinary_way() {
        let alphabet = [
            "a", ":", "*", "$", "{", "}", "\"", "\\", "\u{e9}", "\u{27ea}", "\u{1}", "arn:",
        ];
        let (mut accepted, mut arns) = (0, 0);
        each_quoted(&alphabet, 5, |text| {
            let Some((s, colons, end)) = plain_text(text.as_bytes(), text, 0) else {
                return;
            };
            accepted += 1;
            let mut r = Reader::new(text, &Limits::default());
            let read = r.string().unwrap();
            assert_eq!((s, end), (read.as_ref(), r.pos()));
            assert_eq!(colons as usize, read.matches(':').count());
            let span = Span::new(0, r.pos());
            let mut sink = Sink::default();
            let value = template(&read, span, true, &mut sink);
            assert_eq!(value, Template::literal(s));
            if colons >= 5 && s.starts_with("arn:") {
                arns += 1;
                let resource = parse_resource(&read, span, true, &mut sink);
                let want = ResourcePattern {
                    template: Template::literal(s),
                };
                assert_eq!(resource, Some(want));
            }
            assert!(sink.diags.is_empty());
        });
        assert!(accepted > 1000 && arns > 50, "{accepted} {arns}");
    }

    /// Every string of `base` with one byte of `specials` put at each position of it, and
    /// each of the bytes after its closing quote cut at every length: so that the 16-byte
    /// scans meet each byte in every lane, in a first or a later block, and in the last
    /// block of the input, which overlaps bytes before the scan.
    fn each_placed(base: &str, specials: &[&str], mut f: impl FnMut(&str)) {
        let after = "  ,\n        ]\n      }";
        for special in specials {
            for at in 0..=base.len() {
                let body = format!("{}{special}{}", &base[..at], &base[at..]);
                for cut in 0..=after.len() {
                    f(&format!("\"{body}\"{}", &after[..cut]));
                }
            }
        }
    }

    /// What the one-pass action scan must give, byte by byte: a plain valid action (`*` or
    /// `service:name`, ASCII without escapes or controls, no wildcard in the service).
    fn plain_action_by_bytes(text: &str) -> Option<(&str, Option<usize>, usize)> {
        let end = 1 + text[1..].find('"')?;
        let s = &text[1..end];
        if s == "*" {
            return Some((s, None, end + 1));
        }
        let plain = |b: &u8| b.is_ascii() && *b >= 0x20 && *b != b'\\';
        let colon = s.find(':')?;
        let ok = s.bytes().all(|b| plain(&b))
            && colon > 0
            && colon + 1 < s.len()
            && s.matches(':').count() == 1
            && !s[..colon].contains(['*', '?']);
        ok.then_some((s, Some(colon), end + 1))
    }

    /// Puts each of `specials` at every position of each of `bases` (see `each_placed`) and
    /// checks that `scan` agrees exactly with `reference` on every input of 16 bytes or more
    /// (shorter ones the scans may leave to the ordinary way) and on every input it takes;
    /// over a thousand inputs must be taken.
    fn agrees_at_every_position<T: PartialEq + std::fmt::Debug>(
        bases: &[&str],
        specials: &[&str],
        scan: impl Fn(&str) -> Option<T>,
        reference: impl Fn(&str) -> Option<T>,
    ) {
        let mut accepted = 0;
        for base in bases {
            each_placed(base, specials, |text| {
                let got = scan(text);
                if text.len() >= 16 || got.is_some() {
                    assert_eq!(got, reference(text), "{text:?}");
                    accepted += usize::from(got.is_some());
                }
            });
        }
        assert!(accepted > 1000, "{accepted}");
    }

    /// Byte by byte, the one-pass action scan agrees exactly.
    #[test]
    fn plain_action_agrees_at_every_position() {
        agrees_at_every_position(
            &[
                "backup:StartBackupJobAndSomeMore",
                "kms:Decrypt",
                "servicenamelonger:x",
                // Names past the first 32 bytes, and a colon as the 32nd byte.
                "ec2:DescribeTransitGatewayMulticastDomainAssociations",
                "abcdefghijklmnopqrstuvwxyz01234:Name",
            ],
            &[
                ":", "*", "?", "\"", "\\", "\u{1}", "\u{1f}", " ", "\u{7f}", "\u{e9}", "a",
            ],
            |text| plain_action(text.as_bytes(), text, 0).map(|(s, c, e)| (s.to_owned(), c, e)),
            |text| plain_action_by_bytes(text).map(|(s, c, e)| (s.to_owned(), c, e)),
        );
    }

    /// The bare `*`, with every length of text after it (so that it is met both with and
    /// without 32 bytes to read at once), and texts starting with `*`, scan as the byte-by-byte
    /// reference says.
    #[test]
    fn plain_action_takes_the_bare_star_with_any_text_after_it() {
        let after =
            "  ,\n                \"kms:Decrypt\",\n                \"kms:Encrypt\"\n            ]";
        for body in ["*", "*:a", "**", "*a:b", "a*:b", ":*"] {
            for cut in 0..=after.len() {
                let text = format!("\"{body}\"{}", &after[..cut]);
                let got = plain_action(text.as_bytes(), &text, 0);
                assert_eq!(got, plain_action_by_bytes(&text), "{text:?}");
            }
        }
        let text = format!("\"*\"{after}");
        assert_eq!(
            plain_action(text.as_bytes(), &text, 0),
            Some(("*", None, 3))
        );
    }

    /// Byte by byte, the one-pass text scan agrees exactly.
    #[test]
    fn plain_text_agrees_at_every_position() {
        agrees_at_every_position(
            &[
                "arn:aws:kms:us-east-1:111122223333:key/",
                "a:b",
                "abcdefghijklmnopq",
            ],
            &[
                ":", "$", "\"", "\\", "\u{1}", "\u{1f}", " ", "\u{7f}", "\u{e9}", "a",
            ],
            |text| plain_text(text.as_bytes(), text, 0).map(|(s, c, e)| (s.to_owned(), c, e)),
            |text| {
                text[1..].find('"').and_then(|end| {
                    let s = &text[1..=end];
                    let plain = |b: u8| b.is_ascii() && b >= 0x20 && b != b'\\' && b != b'$';
                    let colons = s.matches(':').count() as u32;
                    s.bytes()
                        .all(plain)
                        .then_some((s.to_owned(), colons, end + 2))
                })
            },
        );
    }

    /// The quick operator match gives what the general parse gives a canonical name, and
    /// nothing for a name in another case or no operator at all.
    #[test]
    fn canonical_operator_agrees_with_parse() {
        let mut matched = 0;
        for base in BaseOperator::ALL {
            for q in ["", "ForAnyValue:", "ForAllValues:", "forAnyValue:", "Foo:"] {
                for suffix in ["", "IfExists", "ifExists", "IfExistsIfExists"] {
                    let name = format!("{q}{}{suffix}", base.name());
                    for name in [name.clone(), name.to_ascii_lowercase(), format!("{name}x")] {
                        let Some(op) = canonical_operator(&name) else {
                            continue;
                        };
                        matched += 1;
                        assert_eq!(ConditionOperator::parse(&name), Ok((op, true)), "{name}");
                    }
                }
            }
        }
        assert_eq!(matched, 10 * 3 * 2 + 1);
    }
}
