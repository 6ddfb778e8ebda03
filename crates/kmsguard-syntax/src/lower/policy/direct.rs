//! A direct reader for the common bare identity policy: bytes to AST without the JSON tree.
//!
//! Most files are plain identity policies (`Version` 2012-10-17, statements of `Sid`, `Effect`,
//! `Action`, `Resource` and `Condition`). For those, building the spanned tree and walking it
//! again costs about as much as the lowering itself, so this reader lowers as it reads, using
//! the same grammar functions as the JSON reader and the same per-value lowering as
//! [`super::lower_policy`]. It gives up (returns `None`) on anything else: a syntax error, an
//! unknown, repeated or misplaced member, a value of another type, a `Principal`, another
//! version, or any diagnostic at all. The caller then reads the document again from the start
//! the ordinary way, so a result from here is the one that way gives by construction.

use std::borrow::Cow;

use super::super::Sink;
use super::super::condition::conditions;
use super::{
    ACTION, CONDITION, EFFECT, NOT_ACTION, NOT_RESOURCE, RESOURCE, SID, STATEMENT_ELEMENTS,
    check_action, check_sids, parse_resource,
};
use crate::ast::{
    ActionBlock, ActionPattern, Effect, Policy, PolicyKind, ResourceBlock, ResourcePattern,
    SpannedList, Statement, Version,
};
use crate::json::{Limits, Reader};
use crate::source::{Span, Spanned};

/// Lowers `text` as a bare identity policy, with its span, if it is the plain kind this
/// reader handles and reads without a single diagnostic; `None` otherwise.
pub(crate) fn identity_policy(text: &str, limits: &Limits) -> Option<(Policy, Span)> {
    // The reader opens up to four containers itself (document, `Statement` array, statement,
    // `Action` array) without checking the depth limit.
    if text.len() > limits.max_bytes || limits.max_depth < 4 {
        return None;
    }
    let mut d = Direct {
        r: Reader::new(text, limits),
        sink: Sink::default(),
        actions: Vec::new(),
        resources: Vec::new(),
    };
    let result = d.document()?;
    d.sink.diags.is_empty().then_some(result)
}

struct Direct<'a> {
    r: Reader<'a>,
    sink: Sink,
    // Scratch lists: items are gathered here and moved into a vector of exactly their number.
    actions: Vec<Spanned<ActionPattern>>,
    resources: Vec<Spanned<ResourcePattern>>,
}

const KIND: PolicyKind = PolicyKind::Identity;

impl<'a> Direct<'a> {
    fn document(&mut self) -> Option<(Policy, Span)> {
        self.r.skip_ws();
        let start = self.r.pos();
        self.open(b'{')?;
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        loop {
            let key = self.key()?;
            match key.as_ref() {
                "Version" if version.is_none() => {
                    let (s, span) = self.string()?;
                    // Statements are read assuming 2012-10-17 (policy variables interpreted),
                    // which is what nearly every policy says; anything else is read the
                    // ordinary way.
                    if s != "2012-10-17" {
                        return None;
                    }
                    version = Some(Spanned::new(Version::V2012_10_17, span));
                }
                "Id" if id.is_none() => {
                    let (s, span) = self.string()?;
                    id = Some(Spanned::new(s.into_owned(), span));
                }
                "Statement" if statements.is_none() => statements = Some(self.statements()?),
                _ => return None,
            }
            if self.close(b'}')? {
                break;
            }
        }
        let span = Span::new(start, self.r.pos());
        self.r.skip_ws();
        if !self.r.at_end() {
            return None;
        }
        let statements = statements?;
        version.as_ref()?;
        check_sids(&statements, KIND, &mut self.sink);
        let policy = Policy {
            kind: KIND,
            version,
            id,
            statements,
        };
        Some((policy, span))
    }

    /// Steps over `open` and the whitespace after it; `None` when the next byte is not
    /// `open` or the container is empty (an empty document, list or statement is reported).
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
    fn close(&mut self, close: u8) -> Option<bool> {
        self.r.skip_ws();
        let b = self.r.peek()?;
        if b == b',' {
            self.r.bump();
            self.r.skip_ws();
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
        if self.r.peek() != Some(b'"') {
            return None;
        }
        let key = self.r.string().ok()?;
        self.r.skip_ws();
        if self.r.peek() != Some(b':') {
            return None;
        }
        self.r.bump();
        self.r.skip_ws();
        Some(key)
    }

    /// A string value and its span (quotes included).
    fn string(&mut self) -> Option<(Cow<'a, str>, Span)> {
        if self.r.peek() != Some(b'"') {
            return None;
        }
        let start = self.r.pos();
        let s = self.r.string().ok()?;
        Some((s, Span::new(start, self.r.pos())))
    }

    /// The `Statement` value: one statement object or a non-empty array of them.
    fn statements(&mut self) -> Option<Vec<Spanned<Statement>>> {
        if self.r.peek() == Some(b'{') {
            return Some(vec![self.statement(0, 1)?]);
        }
        self.open(b'[')?;
        let mut out = Vec::new();
        loop {
            out.push(self.statement(out.len(), 2)?);
            if self.close(b']')? {
                return Some(out);
            }
        }
    }

    /// One statement object, whose `depth` enclosing containers are already open.
    fn statement(&mut self, index: usize, depth: usize) -> Option<Spanned<Statement>> {
        let start = self.r.pos();
        self.open(b'{')?;
        let mut seen = 0u16;
        let mut sid = None;
        let mut effect = None;
        let mut action = None;
        let mut resource = None;
        let mut conditions_found = None;
        loop {
            let key = self.key()?;
            let element = STATEMENT_ELEMENTS.iter().position(|e| *e == key.as_ref())?;
            let bit = 1u16 << element;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match element {
                SID => {
                    let (s, span) = self.string()?;
                    sid = Some(Spanned::new(s.into_owned(), span));
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
                ACTION | NOT_ACTION if action.is_none() => {
                    let list = self.actions()?;
                    action = Some(if element == NOT_ACTION {
                        ActionBlock::NotAction(list)
                    } else {
                        ActionBlock::Action(list)
                    });
                }
                RESOURCE | NOT_RESOURCE if resource.is_none() => {
                    let list = self.resources()?;
                    resource = Some(if element == NOT_RESOURCE {
                        ResourceBlock::NotResource(list)
                    } else {
                        ResourceBlock::Resource(list)
                    });
                }
                CONDITION => {
                    // Conditions are read as a tree and lowered as the ordinary path does.
                    self.r.set_depth(depth + 1);
                    let node = self.r.value().ok()?;
                    let list = conditions(&node, KIND, true, &mut self.sink);
                    conditions_found = Some((list, node.span));
                }
                // `Principal` and `NotPrincipal` (prohibited here, and they make the document
                // another kind), or a repeated block.
                _ => return None,
            }
            if self.close(b'}')? {
                break;
            }
        }
        let span = Span::new(start, self.r.pos());
        let (conditions, condition_span) = match conditions_found {
            Some((list, span)) => (list, Some(span)),
            None => (Vec::new(), None),
        };
        // An identity policy statement without an effect, an action or a resource is reported.
        let stmt = Statement {
            index,
            sid,
            effect: effect?,
            principal: None,
            action: Some(action?),
            resource: Some(resource?),
            conditions,
            condition_span,
        };
        Some(Spanned::new(stmt, span))
    }

    /// A string or a non-empty array of strings, each converted by `item` (which returns
    /// `None` after reporting a bad one), gathered through `scratch`.
    fn list<T>(
        r: &mut Reader<'a>,
        sink: &mut Sink,
        scratch: &mut Vec<Spanned<T>>,
        mut item: impl FnMut(&mut Sink, &str, Span) -> Option<T>,
    ) -> Option<SpannedList<T>> {
        let start = r.pos();
        if r.peek() == Some(b'"') {
            let s = r.string().ok()?;
            let span = Span::new(start, r.pos());
            let v = item(sink, &s, span)?;
            return Some(Spanned::new(vec![Spanned::new(v, span)], span));
        }
        if r.peek() != Some(b'[') {
            return None;
        }
        r.bump();
        r.skip_ws();
        scratch.clear();
        loop {
            r.skip_ws();
            if r.peek() != Some(b'"') {
                // Also an empty list, which is reported.
                return None;
            }
            let at = r.pos();
            let s = r.string().ok()?;
            let span = Span::new(at, r.pos());
            scratch.push(Spanned::new(item(sink, &s, span)?, span));
            r.skip_ws();
            match r.peek() {
                Some(b',') => r.bump(),
                Some(b']') => {
                    r.bump();
                    break;
                }
                _ => return None,
            }
        }
        // Exactly sized (the tree path sizes the list from the array), and the scratch keeps
        // its capacity for the next list.
        let mut items = Vec::with_capacity(scratch.len());
        items.append(scratch);
        Some(Spanned::new(items, Span::new(start, r.pos())))
    }

    fn actions(&mut self) -> Option<SpannedList<ActionPattern>> {
        Self::list(
            &mut self.r,
            &mut self.sink,
            &mut self.actions,
            |sink, text, span| {
                check_action(text, span, sink).map(|colon| ActionPattern::checked(text, colon))
            },
        )
    }

    fn resources(&mut self) -> Option<SpannedList<ResourcePattern>> {
        Self::list(
            &mut self.r,
            &mut self.sink,
            &mut self.resources,
            |sink, text, span| parse_resource(text, span, true, sink),
        )
    }
}
