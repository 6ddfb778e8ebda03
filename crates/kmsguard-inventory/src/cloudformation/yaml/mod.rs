//! YAML templates to the spanned JSON tree ([`Node`]) that the rest of the reader (and the
//! policy lowering) works on.
//!
//! `saphyr-parser` gives an event stream whose markers count *characters*; they are converted to
//! byte offsets here, so every span is a byte range of the file like the JSON reader's. A
//! scalar's span covers the scalar as written (quotes, block indicators), without its tag.
//!
//! Short-form intrinsics (`!Sub x`, `!GetAtt [A, B]`) become the long form CloudFormation
//! documents (`{"Fn::Sub": x}`): the object's span covers the tag and its value, the member key's
//! span the tag alone. Scalars are typed as CloudFormation's YAML reader types them for
//! policies: plain `true`/`false` are booleans, plain `null`/`~`/empty are null, plain numbers
//! in JSON syntax are numbers (borrowing the source text), everything else is a string.
//! Aliases are refused, as CloudFormation refuses them.

use std::borrow::Cow;

use kmsguard_syntax::json::{Limits, Member, Node, Value};
use kmsguard_syntax::{Code, Diagnostic, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::codes;

mod scalars;
#[cfg(test)]
mod tests;

use scalars::{Positions, intrinsic_name, is_json_number, skip_properties, trim_end};

/// Reads a YAML template. Returns `None` (after recording why in `diags`) when the text is not
/// well-formed YAML, holds no document, or exceeds `limits`.
#[must_use]
pub fn parse<'a>(text: &'a str, limits: &Limits, diags: &mut Vec<Diagnostic>) -> Option<Node<'a>> {
    if text.len() > limits.max_bytes {
        diags.push(
            Diagnostic::error(
                Code::P005,
                format!(
                    "input too large ({} bytes, limit {})",
                    text.len(),
                    limits.max_bytes
                ),
            )
            .label(Span::at(0), "input too large")
            .help("split the file, or check that this is the intended file"),
        );
        return None;
    }
    let mut builder = Builder::new(text, limits.max_depth);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                let start = builder.pos.byte(span.start.index());
                let end = builder.pos.byte(span.end.index());
                if builder.event(event, start, end) == Flow::Stop {
                    break;
                }
            }
            Err(e) => {
                let d = builder.scan_error(&e);
                builder.diags.push(d);
                builder.failed = true;
                break;
            }
        }
    }
    builder.finish(diags)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

enum FrameKind<'a> {
    Seq(Vec<Node<'a>>),
    Map {
        members: Vec<Member<'a>>,
        key: Option<(Cow<'a, str>, Span)>,
    },
}

struct Frame<'a> {
    kind: FrameKind<'a>,
    /// Where the node starts, tag included.
    outer_start: usize,
    /// Where the collection itself starts (`[`, `{`, `-`, or the first key).
    inner_start: usize,
    tag: Option<Tag>,
}

struct Builder<'a> {
    text: &'a str,
    pos: Positions<'a>,
    stack: Vec<Frame<'a>>,
    root: Option<Node<'a>>,
    documents: usize,
    max_depth: usize,
    failed: bool,
    diags: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, max_depth: usize) -> Self {
        Self {
            text,
            pos: Positions::new(text),
            stack: Vec::new(),
            root: None,
            documents: 0,
            max_depth,
            failed: false,
            diags: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'a>, start: usize, end: usize) -> Flow {
        match event {
            Event::DocumentStart(_) => {
                self.documents = self.documents.saturating_add(1);
                if self.documents > 1 {
                    self.diags.push(
                        Diagnostic::error(
                            codes::P304,
                            "more than one YAML document in the template",
                        )
                        .label(
                            Span::new(start, end.max(start.saturating_add(1))),
                            "a second document starts here",
                        )
                        .note("CloudFormation reads one document per template")
                        .help("split the documents into separate templates"),
                    );
                    return Flow::Stop;
                }
            }
            Event::Alias(_) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::P302,
                        "YAML aliases are not allowed in CloudFormation templates",
                    )
                    .label(Span::new(start, end), "alias")
                    .note("CloudFormation rejects a template that uses a YAML alias (`*name`)")
                    .help("repeat the value instead of referring to an anchor"),
                );
                let span = Span::new(start, end);
                self.complete(Node {
                    value: Value::Null,
                    span,
                });
            }
            Event::Scalar(value, style, _anchor, tag) => {
                let end = trim_end(self.text, start, end);
                let inner = skip_properties(self.text, start, end);
                let node = self.scalar(value, style, tag.as_deref(), Span::new(inner, end));
                let node = self.wrap(node, tag.as_deref(), start, end);
                self.complete(node);
            }
            Event::SequenceStart(_, tag) => {
                return self.start_collection(FrameKind::Seq(Vec::new()), tag, start, end);
            }
            Event::MappingStart(_, tag) => {
                let kind = FrameKind::Map {
                    members: Vec::new(),
                    key: None,
                };
                return self.start_collection(kind, tag, start, end);
            }
            Event::SequenceEnd | Event::MappingEnd => self.end_collection(start, end),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Flow::Continue
    }

    fn start_collection(
        &mut self,
        kind: FrameKind<'a>,
        tag: Option<Cow<'a, Tag>>,
        start: usize,
        end: usize,
    ) -> Flow {
        if self.stack.len() >= self.max_depth {
            self.diags.push(
                Diagnostic::error(
                    Code::P004,
                    format!("nesting deeper than {} levels", self.max_depth),
                )
                .label(
                    Span::new(start, end.max(start.saturating_add(1))),
                    "too deeply nested",
                )
                .help("templates nest a few levels; check that this is the intended file"),
            );
            self.failed = true;
            return Flow::Stop;
        }
        let inner_start = skip_properties(self.text, start, end.max(start));
        self.stack.push(Frame {
            kind,
            outer_start: start,
            inner_start,
            tag: tag.map(Cow::into_owned),
        });
        Flow::Continue
    }

    fn end_collection(&mut self, start: usize, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (value, last_end) = match frame.kind {
            FrameKind::Seq(items) => {
                let last = items.last().map(|n| n.span.end as usize);
                (Value::Array(items), last)
            }
            FrameKind::Map { mut members, key } => {
                if let Some((key, key_span)) = key {
                    members.push(Member {
                        key,
                        key_span,
                        value: Node {
                            value: Value::Null,
                            span: Span::at(key_span.end as usize),
                        },
                    });
                }
                let last = members.last().map(|m| m.value.span.end as usize);
                (Value::Object(members), last)
            }
        };
        // A flow collection ends at its `]` or `}`; a block collection at its last child.
        let close = if end > start { Some(end) } else { None };
        let end = close
            .or(last_end)
            .unwrap_or(frame.inner_start)
            .max(frame.inner_start);
        let node = Node {
            value,
            span: Span::new(frame.inner_start, end),
        };
        let node = self.wrap(node, frame.tag.as_ref(), frame.outer_start, end);
        self.complete(node);
    }

    /// Adds a finished node to the collection being built (or makes it the document).
    fn complete(&mut self, node: Node<'a>) {
        let awaiting_key = matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        );
        let key_text = if awaiting_key {
            Some(self.key_text(&node))
        } else {
            None
        };
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { members, key } => match key.take() {
                Some((key, key_span)) => members.push(Member {
                    key,
                    key_span,
                    value: node,
                }),
                None => *key = Some((key_text.unwrap_or_default(), node.span)),
            },
        }
    }

    /// The text of a mapping key: strings as they are, other scalars as written.
    fn key_text(&mut self, node: &Node<'a>) -> Cow<'a, str> {
        match &node.value {
            Value::String(s) => s.clone(),
            Value::Number(n) => Cow::Borrowed(n),
            Value::Null | Value::Bool(_) => {
                Cow::Borrowed(self.text.get(node.span.range()).unwrap_or(""))
            }
            Value::Array(_) | Value::Object(_) => {
                self.diags.push(
                    Diagnostic::error(codes::P303, "a mapping key must be a plain value")
                        .label(node.span, "collection or tagged value used as a key")
                        .note("CloudFormation keys are names: logical ids, property names, intrinsic function names")
                        .help("write the key as a plain string"),
                );
                Cow::Borrowed(self.text.get(node.span.range()).unwrap_or(""))
            }
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Node<'a> {
        let forced_string = match tag {
            Some(t) if t.handle == "tag:yaml.org,2002:" => {
                !matches!(t.suffix.as_str(), "int" | "float" | "bool" | "null")
            }
            _ => false,
        };
        let value = if style != ScalarStyle::Plain || forced_string {
            Value::String(value)
        } else {
            self.plain(value, span)
        };
        Node { value, span }
    }

    /// Types a plain scalar (YAML 1.2 core schema, restricted to what JSON can hold).
    fn plain(&self, value: Cow<'a, str>, span: Span) -> Value<'a> {
        match value.as_ref() {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            s if is_json_number(s) => match self.text.get(span.range()) {
                Some(source) if source == s => Value::Number(source),
                _ => Value::String(value),
            },
            _ => Value::String(value),
        }
    }

    /// Turns a short-form intrinsic (`!Sub x`) into its long form (`{"Fn::Sub": x}`).
    fn wrap(
        &mut self,
        node: Node<'a>,
        tag: Option<&Tag>,
        outer_start: usize,
        end: usize,
    ) -> Node<'a> {
        let Some(tag) = tag else {
            return node;
        };
        if tag.handle == "tag:yaml.org,2002:" {
            return node;
        }
        let long = if tag.handle == "!" {
            intrinsic_name(&tag.suffix)
        } else {
            None
        };
        let Some(long) = long else {
            let tag_text = format!("{}{}", tag.handle, tag.suffix);
            self.diags.push(
                Diagnostic::warning(codes::P303, format!("unknown YAML tag `{tag_text}`"))
                    .label(Span::new(outer_start, node.span.start as usize), "not a CloudFormation intrinsic function")
                    .note("CloudFormation's short forms are `!Ref`, `!Sub`, `!GetAtt`, `!Join`, `!If`, `!Select`, `!Split`, `!FindInMap`, `!ImportValue`, `!Base64`, `!GetAZs`, `!Cidr`, `!Equals`, `!Not`, `!And`, `!Or`, `!Condition`")
                    .help("use an intrinsic function's short form, or remove the tag; the value is read untagged"),
            );
            return node;
        };
        let tag_len = 1usize.saturating_add(tag.suffix.len());
        let key_span = Span::new(outer_start, outer_start.saturating_add(tag_len).min(end));
        Node {
            value: Value::Object(vec![Member {
                key: Cow::Owned(long),
                key_span,
                value: node,
            }]),
            span: Span::new(outer_start, end),
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> Diagnostic {
        let at = self.pos.byte(e.marker().index());
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Diagnostic::error(codes::P301, format!("invalid YAML: {}", e.info()))
            .label(
                Span::new(at, at.saturating_add(len)),
                "YAML reading stopped here",
            )
            .help("check the indentation, the `:` after each key and the quoting around this place")
    }

    fn finish(mut self, diags: &mut Vec<Diagnostic>) -> Option<Node<'a>> {
        diags.append(&mut self.diags);
        if self.failed {
            return None;
        }
        if self.root.is_none() && self.documents <= 1 {
            diags.push(
                Diagnostic::error(codes::P304, "the template is empty")
                    .label(Span::at(0), "no YAML document")
                    .help("a template is a mapping with at least a `Resources` section"),
            );
        }
        self.root
    }
}
