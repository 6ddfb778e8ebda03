//! Human rendering of diagnostics with source snippets (miette's graphical handler, without
//! colour when asked, at a fixed width so that snapshots are stable).

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            color: false,
            width: 100,
        }
    }
}

/// Renders `diag` against `source` as text.
#[must_use]
pub fn render(diag: &Diagnostic, source: &SourceFile, options: RenderOptions) -> String {
    RENDERER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut renderer) => {
            renderer.configure(options);
            renderer.render(diag, source)
        }
        // Rendering does not call itself; if it ever did, a fresh renderer answers instead of
        // a panic.
        Err(_) => Renderer::new(options).render(diag, source),
    })
}

thread_local! {
    /// The handler and footers of the last options used on this thread: building a handler
    /// per finding and wrapping the same help text again for each finding are measurable.
    static RENDERER: RefCell<Renderer> = RefCell::new(Renderer::new(RenderOptions::default()));
}

/// How many wrapped help footers a thread keeps before starting over.
const FOOTER_CACHE_LIMIT: usize = 4096;

struct Renderer {
    color: bool,
    width: usize,
    handler: GraphicalReportHandler,
    /// Help text to miette's wrapped footer for it (`  help: ...` lines).
    footers: HashMap<String, String>,
    /// Without colour: the footers of the last few helps and notes, as [`wrap_ascii`] wrote
    /// them, or `None` for a help it leaves to miette. Findings of one rule share their help,
    /// and a few rules make most findings, so a short list compared by length first finds most
    /// footers without making the help text or hashing it.
    plain_footers: Vec<PlainFooter>,
}

/// A footer in [`Renderer::plain_footers`].
struct PlainFooter {
    help: Option<String>,
    note: Option<String>,
    footer: Option<String>,
}

/// How many footers [`Renderer::plain_footers`] keeps.
const PLAIN_FOOTER_LIMIT: usize = 16;

impl Renderer {
    fn new(options: RenderOptions) -> Self {
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Self {
            color: options.color,
            width: options.width,
            handler: handler(theme, options.width),
            footers: HashMap::new(),
            plain_footers: Vec::new(),
        }
    }

    fn configure(&mut self, options: RenderOptions) {
        if self.color != options.color || self.width != options.width {
            *self = Self::new(options);
        }
    }

    /// miette writes the help footer last, after the snippets, and it depends only on the help
    /// text and the handler: the report is rendered without help and the footer, cached per help
    /// text, is appended.
    fn render(&mut self, diag: &Diagnostic, source: &SourceFile) -> String {
        // miette writes the snippets after the header and message: without colour, the common
        // shapes are rendered here, and the report is rendered by miette without labels.
        let snippets = if self.color {
            None
        } else {
            plain_snippets(diag, source)
        };
        // A finding renders to about a kilobyte, the help and note included: room for it up
        // front saves growing the text several times.
        let extra = |t: &Option<String>| t.as_ref().map_or(0, String::len);
        let mut out = String::with_capacity(
            1024_usize
                .saturating_add(diag.message.len())
                .saturating_add(extra(&diag.help))
                .saturating_add(extra(&diag.note)),
        );
        let mut ok = true;
        match snippets {
            Some(snippets) if plain_head(&mut out, diag, self.width) => {
                out.push_str(&snippets);
            }
            snippets => {
                let report = Report {
                    diag,
                    source: Named(source),
                    labels: snippets.is_none(),
                    help: None,
                };
                ok = self.handler.render_report(&mut out, &report).is_ok();
                if let Some(snippets) = snippets {
                    out.push_str(&snippets);
                }
            }
        }
        let plain = if self.color {
            None
        } else {
            self.plain_footer(diag)
        };
        match plain {
            Some(footer) => out.push_str(footer),
            None => {
                if let Some(help) = help_text(diag) {
                    match self.footer(help, diag.severity) {
                        Some(footer) => out.push_str(footer),
                        None => ok = false,
                    }
                }
            }
        }
        if !ok {
            // Rendering into a String cannot fail except on a formatting bug; fall back to one line.
            out = format!("{}[{}]: {}\n", diag.severity, diag.code, diag.message);
        }
        out
    }

    /// The footer of `diag`'s help and note as [`wrap_ascii`] writes it (`""` without either),
    /// or `None` for a help that miette wraps ([`Renderer::footer`]).
    fn plain_footer(&mut self, diag: &Diagnostic) -> Option<&str> {
        let found = self.plain_footers.iter().position(|f| {
            f.help.as_deref() == diag.help.as_deref() && f.note.as_deref() == diag.note.as_deref()
        });
        let index = match found {
            Some(i) => i,
            None => {
                let footer = match help_text(diag) {
                    Some(help) => {
                        let mut footer = String::new();
                        wrap_ascii(&mut footer, &help, self.width, HELP_INDENTS).then_some(footer)
                    }
                    None => Some(String::new()),
                };
                if self.plain_footers.len() >= PLAIN_FOOTER_LIMIT {
                    self.plain_footers.clear();
                }
                self.plain_footers.push(PlainFooter {
                    help: diag.help.clone(),
                    note: diag.note.clone(),
                    footer,
                });
                self.plain_footers.len().saturating_sub(1)
            }
        };
        self.plain_footers.get(index)?.footer.as_deref()
    }

    fn footer(&mut self, help: String, severity: Severity) -> Option<&str> {
        if self.footers.len() >= FOOTER_CACHE_LIMIT && !self.footers.contains_key(&help) {
            self.footers.clear();
        }
        match self.footers.entry(help) {
            Entry::Occupied(e) => Some(e.into_mut().as_str()),
            Entry::Vacant(e) => {
                // A report with an empty message, no code and no source renders as one line (the
                // severity icon), then the footer.
                let only = HelpOnly {
                    help: e.key(),
                    severity,
                };
                let mut text = String::new();
                self.handler.render_report(&mut text, &only).ok()?;
                let footer = text.split_once('\n').map(|(_, f)| f.to_owned())?;
                Some(e.insert(footer).as_str())
            }
        }
    }
}

/// The miette handler for `theme` at `width` columns. Lines wrap at spaces only: miette's
/// default (Unicode line-break opportunities, and hyphenation) split identifiers such as
/// `aws-marketplace:GetAgreementRequest` or `key-administrator` across lines, which is hard to
/// read and to copy from.
fn handler(theme: GraphicalTheme, width: usize) -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Display width of miette's message indent without colour (`"  ⚠ "`: two spaces, the
/// one-column severity icon, a space).
const MESSAGE_INDENT_WIDTH: usize = 4;

/// The first-line and other-line indents of miette's message without colour (the severity
/// icon, then its bar), each [`MESSAGE_INDENT_WIDTH`] columns wide.
fn message_indents(severity: Severity) -> Indents {
    let first = match severity {
        Severity::Error => "  × ",
        Severity::Warning => "  ⚠ ",
        Severity::Info => "  ☞ ",
    };
    Indents {
        first,
        rest: "  │ ",
        width: MESSAGE_INDENT_WIDTH,
    }
}

/// The indents of miette's help footer.
const HELP_INDENTS: Indents = Indents {
    first: "  help: ",
    rest: "        ",
    width: 8,
};

/// How a wrapped text's lines start: `first` the first line, `rest` the others; both `width`
/// columns wide.
#[derive(Clone, Copy)]
struct Indents {
    first: &'static str,
    rest: &'static str,
    width: usize,
}

/// Appends `text` wrapped as miette wraps a message or help text without colour, then a line
/// break, and returns `true`; returns `false` with `out` unchanged for a text outside the case
/// done here, which miette then wraps itself.
///
/// The case: printable ASCII and `\n` only (a column per byte), and no word wider than a line
/// (miette would break it). miette's wrapping (textwrap's `fill` with the handler's options)
/// then comes down to this: each `\n`-separated line is cut into words, a word being a run of
/// non-spaces with the spaces after it (a line's leading spaces make a first, empty word); words
/// fill an output line while the line's words, their spaces between and the new word fit in
/// `columns - 2 - indent` columns (the spaces after the last word do not count: they are
/// dropped).
fn wrap_ascii(out: &mut String, text: &str, columns: usize, indents: Indents) -> bool {
    let room = columns.saturating_sub(2).saturating_sub(indents.width);
    if !printable_ascii_lines(text.as_bytes()) {
        return false;
    }
    let mark = out.len();
    let mut indent = indents.first;
    for line in split_lines(text) {
        let bytes = line.as_bytes();
        // The spaces after the last word are dropped, wherever the line is cut.
        let len = bytes.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        // In the terms above, an output line from `start` takes every word that ends (`end`)
        // within `room` columns of `start`, so it ends where the last run of spaces at or
        // before `start + room` begins (at `start` itself for a line's leading spaces, whose
        // empty word is then alone); the next starts at the word after those spaces. Words
        // wider than a line are found here too: one that starts an output line has no space
        // within `room` after its start.
        let mut start = 0;
        while len.saturating_sub(start) > room {
            let cut = start.saturating_add(room);
            let Some(space) = bytes
                .get(start..=cut)
                .and_then(|run| run.iter().rposition(|&b| b == b' '))
                .map(|i| start + i)
            else {
                out.truncate(mark);
                return false;
            };
            let end = bytes
                .get(start..space)
                .and_then(|run| run.iter().rposition(|&b| b != b' '))
                .map_or(start, |i| start + i + 1);
            push_line(out, indent, line.get(start..end).unwrap_or(""));
            indent = indents.rest;
            start = bytes
                .get(space..)
                .and_then(|run| run.iter().position(|&b| b != b' '))
                .map_or(len, |i| space + i);
        }
        push_line(out, indent, line.get(start..len).unwrap_or(""));
        indent = indents.rest;
    }
    true
}

/// `text.split('\n')`, with the line index's byte search (sixteen bytes at a time) rather than
/// a `char` pattern.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut next = Some(0);
    std::iter::from_fn(move || {
        let from = next?;
        match crate::source::nth_newline(bytes, from, 1) {
            Ok(p) => {
                next = Some(p.saturating_add(1));
                text.get(from..p)
            }
            Err(_) => {
                next = None;
                text.get(from..)
            }
        }
    })
}

/// Whether `bytes` holds only printable ASCII (`' '..='~'`) and `\n`, sixteen bytes compared
/// at a time.
fn printable_ascii_lines(bytes: &[u8]) -> bool {
    use crate::swar::{bits, lanes_control_or_non_ascii, lanes_eq, load};

    let mut blocks = bytes.chunks_exact(16);
    for chunk in blocks.by_ref() {
        if let Some(block) = chunk.first_chunk::<16>() {
            let v = load(block);
            let other = bits(lanes_control_or_non_ascii(v), 0) & !bits(lanes_eq(v, b'\n'), 0);
            if other | bits(lanes_eq(v, 0x7f), 0) != 0 {
                return false;
            }
        }
    }
    blocks
        .remainder()
        .iter()
        .all(|&b| b == b'\n' || (b' '..=b'~').contains(&b))
}

fn push_line(out: &mut String, indent: &str, line: &str) {
    out.push_str(indent);
    out.push_str(line);
    out.push('\n');
}

/// miette's header and message for a diagnostic without colour: the code, a blank line, then
/// the message after its icon, wrapped as [`wrap_ascii`] does. `false` (with `out` unchanged)
/// for a message [`wrap_ascii`] leaves to miette.
fn plain_head(out: &mut String, diag: &Diagnostic, width: usize) -> bool {
    let mark = out.len();
    out.push_str(diag.code.as_str());
    out.push('(');
    out.push_str(diag.code.name());
    out.push_str(")\n\n");
    if wrap_ascii(out, &diag.message, width, message_indents(diag.severity)) {
        true
    } else {
        out.truncate(mark);
        false
    }
}

/// A diagnostic that carries only help text.
struct HelpOnly<'a> {
    help: &'a str,
    severity: Severity,
}

impl fmt::Debug for HelpOnly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.help)
    }
}

impl fmt::Display for HelpOnly<'_> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for HelpOnly<'_> {}

impl miette::Diagnostic for HelpOnly<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.severity))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.help))
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn help_text(diag: &Diagnostic) -> Option<String> {
    match (&diag.help, &diag.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    }
}

struct Report<'a> {
    diag: &'a Diagnostic,
    source: Named<'a>,
    /// Whether miette renders the snippets (otherwise they are rendered by [`plain_snippets`]).
    labels: bool,
    /// Help for miette to render (the footer is otherwise appended from the cache).
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.diag.code.as_str(),
            self.diag.code.name()
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.diag.severity))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.labels {
            return None;
        }
        Some(Box::new(labeled_spans(self.diag, self.source.0)))
    }
}

/// The diagnostic's labels as miette spans.
fn labeled_spans<'a>(
    diag: &'a Diagnostic,
    source: &SourceFile,
) -> impl Iterator<Item = LabeledSpan> + 'a {
    let text_len = source.text().len();
    diag.labels.iter().map(move |l| {
        // Clamp so that a span past the end (an error at end of input) still renders.
        let start = (l.span.start as usize).min(text_len);
        let len = l.span.len().min(text_len.saturating_sub(start));
        LabeledSpan::new_with_span(l.text.clone(), (start, len))
    })
}

struct Named<'a>(&'a SourceFile);

impl SourceCode for Named<'_> {
    /// miette's own `read_span` scans the text from its start for every label, which is
    /// quadratic over a large template with many findings. This computes the same contents from
    /// the file's cached line index ([`Named::read_span_indexed`]), or, when a carriage return
    /// is near (miette also breaks lines at a lone `\r`), runs miette's on a window of lines
    /// around the span ([`Named::read_span_windowed`]).
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        if let Some(contents) =
            self.read_span_indexed(span, context_lines_before, context_lines_after)
        {
            return Ok(Box::new(contents));
        }
        self.read_span_windowed(span, context_lines_before, context_lines_after)
    }
}

impl Named<'_> {
    /// What miette's `read_span` (its `context_info`) returns on text whose only line breaks
    /// are `\n`, from the newline index: `None` when the window that
    /// [`Named::read_span_windowed`] would read holds a `\r`.
    ///
    /// With `\n` breaks only, miette's scan comes down to this: the data starts at the span
    /// (no lines before) or at the first of the `before` lines above the span's line; it ends
    /// after the byte `B = (start + len) - 1` (saturating) when no lines after are wanted, and
    /// otherwise after the `after + 1`-th `\n` past `B` (or at the end of the text); `line` is
    /// the first line's index, `line_count` the number of `\n`s scanned, and `column` (only
    /// without lines before) the bytes from the line start to the span, or 0 once a `\n` past
    /// `B` was scanned.
    fn read_span_indexed(
        &self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<MietteSpanContents<'_>> {
        let shown = self.shown_indexed(span, before, after)?;
        Some(MietteSpanContents::new_named(
            self.0.name().to_owned(),
            shown.data,
            (shown.offset, shown.data.len()).into(),
            shown.line,
            shown.column,
            shown.line_count,
        ))
    }

    /// [`Named::read_span_indexed`] without the name and the box around it, which the plain
    /// snippets do not need.
    fn shown_indexed(
        &self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<Shown<'_>> {
        use crate::source::{count_newlines, nth_newline, nth_newline_back};

        // The lines around the span are found by searching out from it, and only the span's
        // line number needs the text before it (counted by `lines_before`, which remembers
        // its last count), rather than indexing the whole text. In the terms above, with `k`
        // the line breaks before the span: the `m`-th break back from the span is the
        // `(k - m)`-th of the text.
        let bytes = self.0.text().as_bytes();
        let n = bytes.len();
        let start = span.offset().min(n);
        let end = span.offset().saturating_add(span.len()).min(n);
        let after_break = |from: usize| from.saturating_add(1);
        // The window the windowed read would use must be free of carriage returns.
        let base = nth_newline_back(bytes, start, before.saturating_add(2)).map_or(0, after_break);
        let limit = nth_newline(bytes, end, after.saturating_add(3)).unwrap_or(n);
        if has_carriage_return(bytes.get(base..limit)?) {
            return None;
        }

        let k = self.0.lines_before(start);
        let b = end.saturating_sub(1);
        // Line breaks at or before `B`: those before the span, and those in it up to `B`.
        let after_b = k.saturating_add(count_newlines(
            bytes.get(start..b.saturating_add(1).min(n)).unwrap_or(&[]),
        ));
        let (stop, line_count, more) = if after == 0 {
            (b.saturating_add(1).min(n), after_b, false)
        } else {
            match nth_newline(bytes, b.saturating_add(1), after.saturating_add(1)) {
                Ok(p) => (
                    after_break(p),
                    after_b.saturating_add(after).saturating_add(1),
                    true,
                ),
                Err(found) => (n, after_b.saturating_add(found), found > 0),
            }
        };
        let first = if before == 0 {
            start
        } else {
            nth_newline_back(bytes, start, before.saturating_add(1)).map_or(0, after_break)
        };
        let column = if before != 0 || more {
            0
        } else {
            start.saturating_sub(nth_newline_back(bytes, start, 1).map_or(0, after_break))
        };
        Some(Shown {
            data: bytes.get(first..stop)?,
            offset: first,
            line: k.saturating_sub(before),
            column,
            line_count,
        })
    }

    /// What `read_span` returns, as a [`Shown`]: from the line index, or from the windowed
    /// read when a carriage return is near.
    fn shown(&self, span: &miette::SourceSpan, before: usize, after: usize) -> Option<Shown<'_>> {
        if let Some(shown) = self.shown_indexed(span, before, after) {
            return Some(shown);
        }
        let contents = self.read_span_windowed(span, before, after).ok()?;
        Some(Shown {
            data: contents.data(),
            offset: contents.span().offset(),
            line: contents.line(),
            column: contents.column(),
            line_count: contents.line_count(),
        })
    }

    /// The line (from 0) and column (in bytes, from 0) of the start of `span`, as
    /// `read_span(span, 0, 0)` gives them. Without a carriage return between the start of the
    /// line before the span's and the span (the window's start and the span for the windowed
    /// read), miette counts the `\n`s before the span, and the column is the distance from the
    /// last of them; otherwise this asks `read_span`.
    fn position(&self, span: &LabeledSpan) -> Option<(usize, usize)> {
        use crate::source::nth_newline_back;

        let bytes = self.0.text().as_bytes();
        let start = span.offset().min(bytes.len());
        let line_start = nth_newline_back(bytes, start, 1).map_or(0, |n| n.saturating_add(1));
        let base = nth_newline_back(bytes, start, 2).map_or(0, |n| n.saturating_add(1));
        if has_carriage_return(bytes.get(base..start)?) {
            let contents = self.read_span(span.inner(), 0, 0).ok()?;
            return Some((contents.line(), contents.column()));
        }
        Some((self.0.lines_before(start), start.saturating_sub(line_start)))
    }

    /// miette's `read_span` run on a window of lines around the span (found by scanning from
    /// the span outwards) and shifted back, with line numbers from the file's line index.
    fn read_span_windowed<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.0.text();
        let bytes = text.as_bytes();
        let start = span.offset().min(bytes.len());
        let end = span.offset().saturating_add(span.len()).min(bytes.len());
        // The window starts at a line start one line above the context, and ends two line
        // breaks after it, so that miette sees the same lines as in the whole text.
        let mut base = start;
        let mut seen = 0;
        while base > 0 {
            if bytes.get(base - 1) == Some(&b'\n') {
                seen += 1;
                if seen > context_lines_before.saturating_add(1) {
                    break;
                }
            }
            base -= 1;
        }
        let mut limit = end;
        let mut seen = 0;
        while limit < bytes.len() {
            if bytes.get(limit) == Some(&b'\n') {
                seen += 1;
                if seen > context_lines_after.saturating_add(2) {
                    break;
                }
            }
            limit += 1;
        }
        let window = text.get(base..limit).ok_or(MietteError::OutOfBounds)?;
        let inner = window.read_span(
            &(start - base, end - start).into(),
            context_lines_before,
            context_lines_after,
        )?;
        let lines = self.0.lines_before(base);
        let shifted: miette::SourceSpan = (inner.span().offset() + base, inner.span().len()).into();
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name().to_owned(),
            inner.data(),
            shifted,
            inner.line() + lines,
            inner.column(),
            inner.line_count() + lines,
        )))
    }
}

/// Whether `bytes` holds a `\r`, sixteen bytes compared at a time: `contains` (memchr's loop of
/// words) cost more on the few hundred bytes around each span read.
fn has_carriage_return(bytes: &[u8]) -> bool {
    use crate::swar::{bits, lanes_eq, load};

    let found = |block: &[u8; 16]| bits(lanes_eq(load(block), b'\r'), 0) != 0;
    let mut blocks = bytes.chunks_exact(16);
    if blocks
        .by_ref()
        .any(|chunk| chunk.first_chunk::<16>().is_some_and(found))
    {
        return true;
    }
    // The bytes after the last whole block: within the last sixteen bytes, when there are that
    // many, or else one by one.
    match bytes.last_chunk::<16>() {
        Some(last) => found(last),
        None => blocks.remainder().contains(&b'\r'),
    }
}

/// The lines around a span as miette's `read_span` finds them: the fields of its
/// `SpanContents` that the plain snippets use.
struct Shown<'a> {
    data: &'a [u8],
    /// Where `data` starts in the text.
    offset: usize,
    line: usize,
    column: usize,
    line_count: usize,
}

/// miette's snippets (`render_snippets` and `render_context` of its graphical handler, without
/// colour, context of one line), for the common shape only: every label covers a non-empty part
/// of one line, no two labels start at the same offset or are equal, and the shown lines are
/// printable ASCII (so that every character is one column wide). `None` for anything else, which
/// miette then renders itself.
fn plain_snippets(diag: &Diagnostic, source: &SourceFile) -> Option<String> {
    const CONTEXT: usize = 1;
    let named = Named(source);
    let mut labels: Vec<LabeledSpan> = labeled_spans(diag, source).collect();
    labels.sort_unstable_by_key(LabeledSpan::offset);
    // miette's unstable sort leaves equal offsets in an unspecified order.
    if labels
        .iter()
        .zip(labels.iter().skip(1))
        .any(|(a, b)| a.offset() == b.offset())
    {
        return None;
    }
    if labels
        .iter()
        .any(|l| l.is_empty() || l.label().is_some_and(|t| t.contains('\n')))
    {
        return None;
    }

    // A label whose lines (with their context) reach the previous snippet's shares that
    // snippet: it then covers from its first label's start to the furthest end so far, under
    // the first label. Otherwise the label opens a snippet of its own.
    let mut contexts: Vec<(LabeledSpan, Shown<'_>)> = Vec::with_capacity(labels.len());
    for label in &labels {
        let shown = named.shown(label.inner(), CONTEXT, CONTEXT)?;
        let shared = contexts.last().and_then(|(first, first_shown)| {
            if first_shown.line + first_shown.line_count < shown.line {
                return None;
            }
            let end = (first.offset() + first.len()).max(label.offset() + label.len());
            let span = LabeledSpan::new(
                first.label().map(String::from),
                first.offset(),
                end - first.offset(),
            );
            let span_shown = named.shown(span.inner(), CONTEXT, CONTEXT)?;
            Some((span, span_shown))
        });
        match shared {
            Some(shared) => {
                contexts.pop();
                contexts.push(shared);
            }
            None => contexts.push((label.clone(), shown)),
        }
    }

    // A snippet of three lines and a label takes a few hundred bytes.
    let mut out = String::with_capacity(contexts.len().saturating_mul(512));
    for (context, contents) in &contexts {
        plain_context(&mut out, &named, context, contents, &labels)?;
    }
    Some(out)
}

/// A line of a snippet, as miette's `get_lines` splits it.
struct Line<'a> {
    line_number: usize,
    offset: usize,
    length: usize,
    text: &'a str,
}

impl Line<'_> {
    fn end(&self) -> usize {
        self.offset + self.length
    }

    /// Whether `span` meets this line: the bytes it covers (at least one, for an empty span)
    /// and the line's bytes overlap.
    fn applies(&self, span: &LabeledSpan) -> bool {
        span.offset() < self.end() && span.offset() + span.len().max(1) > self.offset
    }

    /// Whether `span` lies within this line.
    fn line_only(&self, span: &LabeledSpan) -> bool {
        span.offset() >= self.offset && span.offset() + span.len() <= self.end()
    }

    /// miette's `visual_offset` for a printable ASCII line.
    fn column(&self, offset: usize) -> usize {
        let index = offset.saturating_sub(self.offset);
        if index > self.text.len() {
            self.text.len() + 1
        } else {
            index
        }
    }
}

/// miette's `get_lines` for contents of printable ASCII and `\n` only: each `\n` ends a line,
/// and the last line, when it has no `\n`, ends with the data. The text is taken from the file
/// (whose slice at a printable ASCII byte is on a character boundary) rather than checked as
/// UTF-8 again, and its lines are found with the line index's byte search (sixteen bytes at a
/// time) rather than a `char` pattern.
fn ascii_lines_of<'a>(source: &Named<'a>, contents: &Shown<'a>) -> Option<Vec<Line<'a>>> {
    let data = contents.data;
    if !printable_ascii_lines(data) {
        return None;
    }
    let first = contents.offset;
    let text = source
        .0
        .text()
        .get(first..first.saturating_add(data.len()))?;
    let mut lines = Vec::with_capacity(4);
    let mut start = 0;
    while start < data.len() {
        let (end, stop) = match crate::source::nth_newline(data, start, 1) {
            Ok(p) => (p, p.saturating_add(1)),
            Err(_) => (data.len(), data.len()),
        };
        lines.push(Line {
            line_number: contents.line + lines.len() + 1,
            offset: first + start,
            length: stop - start,
            text: text.get(start..end)?,
        });
        start = stop;
    }
    Some(lines)
}

/// miette's `render_context` for the shape [`plain_snippets`] accepts (no gutter, single-line
/// labels only).
fn plain_context(
    out: &mut String,
    source: &Named<'_>,
    context: &LabeledSpan,
    contents: &Shown<'_>,
    labels: &[LabeledSpan],
) -> Option<()> {
    // Other text (a tab, a carriage return, non-ASCII) is left to miette.
    let lines = ascii_lines_of(source, contents)?;
    let last = lines.last()?;
    // A label over several lines needs the gutter.
    if lines
        .iter()
        .any(|line| labels.iter().any(|l| line.applies(l) && !line.line_only(l)))
    {
        return None;
    }
    let primary = labels.iter().find(|l| {
        context.offset() <= l.offset() && l.offset() + l.len() <= context.offset() + context.len()
    })?;
    // The primary label's position is that of its start, found without reading the lines
    // around it again.
    let (line, column) = source.position(primary)?;
    let width = digits(last.line_number);

    push_spaces(out, width + 2);
    out.push_str("╭─[");
    out.push_str(source.0.name());
    out.push(':');
    push_number(out, line + 1, 0);
    out.push(':');
    push_number(out, column + 1, 0);
    out.push_str("]\n");
    let mut single: Vec<&LabeledSpan> = Vec::new();
    let mut vbars: Vec<(&LabeledSpan, usize)> = Vec::new();
    for line in &lines {
        out.push(' ');
        push_number(out, line.line_number, width);
        out.push_str(" │ ");
        out.push_str(line.text);
        out.push('\n');
        single.clear();
        single.extend(labels.iter().filter(|l| line.applies(l)));
        if single.is_empty() {
            continue;
        }
        push_no_linum(out, width);
        let mut highest = 0;
        vbars.clear();
        for hl in &single {
            let start = line.column(hl.offset()).max(highest);
            let end = line.column(hl.offset() + hl.len()).max(start + 1);
            let vbar = (start + end) / 2;
            push_spaces(out, start.saturating_sub(highest));
            push_rules(out, vbar - start);
            out.push(if hl.label().is_some() { '┬' } else { '─' });
            push_rules(out, end - vbar - 1);
            highest = highest.max(end);
            vbars.push((hl, vbar));
        }
        out.push('\n');
        for hl in single.iter().rev() {
            let Some(label) = hl.label() else {
                continue;
            };
            push_no_linum(out, width);
            let mut current = 1usize;
            for &(other, vbar) in &vbars {
                if current <= vbar {
                    push_spaces(out, vbar + 1 - current);
                    current = vbar + 1;
                }
                if std::ptr::eq(other, *hl) {
                    out.push_str("╰── ");
                    out.push_str(label);
                    out.push('\n');
                    break;
                }
                out.push('│');
                current += 1;
            }
        }
    }
    push_spaces(out, width + 2);
    out.push_str("╰────\n");
    Some(())
}

/// miette's `write_no_linum`: a space, the line number's width of spaces, then ` · `.
fn push_no_linum(out: &mut String, width: usize) {
    push_spaces(out, width + 1);
    out.push_str(" · ");
}

/// How many decimal digits `n` has.
fn digits(n: usize) -> usize {
    let mut count = 1;
    let mut rest = n / 10;
    while rest != 0 {
        count += 1;
        rest /= 10;
    }
    count
}

/// `n` in decimal, right-aligned in `width` columns (`{:>width$}`): the formatting machinery
/// costs more than the digits of a line number.
fn push_number(out: &mut String, n: usize, width: usize) {
    let mut buf = [b'0'; 20];
    let mut rest = n;
    let mut len = 0;
    for slot in buf.iter_mut().rev() {
        // A digit, below ten: the cast keeps it.
        *slot = b'0'.saturating_add((rest % 10) as u8);
        rest /= 10;
        len += 1;
        if rest == 0 {
            break;
        }
    }
    push_spaces(out, width.saturating_sub(len));
    // Digit by digit: checking the digits as UTF-8 to push them at once costs more.
    for &digit in buf.get(buf.len().saturating_sub(len)..).unwrap_or(&[]) {
        out.push(char::from(digit));
    }
}

/// Thirty-two spaces, for [`push_spaces`].
const SPACES: &str = "                                ";

/// Sixteen `─`, for [`push_rules`].
const RULES: &str = "────────────────";

/// Appends `n` spaces: pushed whole from [`SPACES`], a run costs a fraction of pushing its
/// characters one by one (the indents and underlines of a snippet are mostly such runs).
fn push_spaces(out: &mut String, n: usize) {
    push_run(out, SPACES, 1, n);
}

/// Appends `n` times `─`, as [`push_spaces`] does spaces.
fn push_rules(out: &mut String, n: usize) {
    push_run(out, RULES, '─'.len_utf8(), n);
}

/// Appends `n` characters of `run`, a string of one character `char_len` bytes long, in
/// pieces of at most the whole of `run`.
fn push_run(out: &mut String, run: &str, char_len: usize, n: usize) {
    let per_piece = (run.len() / char_len.max(1)).max(1);
    let mut left = n;
    while left > 0 {
        let count = left.min(per_piece);
        out.push_str(run.get(..count.saturating_mul(char_len)).unwrap_or(""));
        left -= count;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diagnostic::{Code, Label};
    use crate::source::Span;

    /// A repeatable stream of numbers below `n` (xorshift), for random test inputs.
    fn picks(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    /// The rendering before the caches and the plain paths: miette with everything.
    fn reference(diag: &Diagnostic, source: &SourceFile, options: RenderOptions) -> String {
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = handler(theme, options.width);
        let report = Report {
            diag,
            source: Named(source),
            labels: true,
            help: help_text(diag),
        };
        let mut out = String::new();
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}[{}]: {}\n", diag.severity, diag.code, diag.message);
        }
        out
    }

    const TEXT: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"é–x\",\r\n\t\"Effect\": \"Allow\",\n\n      \"Action\": \"kms:*\",\r      \"Resource\": \"*\"\n    }\n  ]\n}";

    fn diag(
        severity: Severity,
        message: &str,
        help: Option<&str>,
        labels: &[(usize, usize, Option<&str>)],
    ) -> Diagnostic {
        let mut d = Diagnostic::new(severity, Code::new("K001", "test-code"), message);
        d.help = help.map(str::to_owned);
        d.labels = labels
            .iter()
            .map(|&(start, len, text)| Label {
                span: Span::new(start, start + len),
                text: text.map(str::to_owned),
                primary: false,
            })
            .collect();
        d
    }

    fn check(d: &Diagnostic, source: &SourceFile) {
        for color in [false, true] {
            for width in [100, 60] {
                let options = RenderOptions { color, width };
                assert_eq!(
                    render(d, source, options),
                    reference(d, source, options),
                    "{d:?} {options:?}"
                );
            }
        }
    }

    #[test]
    fn indexed_read_span_agrees_with_the_windowed_read() {
        let texts = [
            "",
            "x",
            "\n",
            "\n\n",
            "\n\n\n\n",
            "a\nb",
            "a\nb\n",
            "ab\n\ncd\nef\n\n\ngh",
            "{\n  \"a\": \"é\u{1F600}x\",\n\n  \"b\": 1\n}\n",
            TEXT,
            "a\r\nb\rc\nd\n\ne\nf\ng\nh\ni\nj",
        ];
        let mut indexed = 0;
        for text in texts {
            let source = SourceFile::new("t", text);
            let named = Named(&source);
            for start in 0..=text.len() + 1 {
                for len in 0..=(text.len() + 2 - start) {
                    let span: miette::SourceSpan = (start, len).into();
                    for before in 0..4 {
                        for after in 0..4 {
                            let Some(fast) = named.read_span_indexed(&span, before, after) else {
                                continue;
                            };
                            indexed += 1;
                            let slow = named.read_span_windowed(&span, before, after).unwrap();
                            let what = format!("{text:?} {start}+{len} {before}/{after}");
                            assert_eq!(fast.data(), slow.data(), "{what}");
                            assert_eq!(fast.span(), slow.span(), "{what}");
                            assert_eq!(fast.line(), slow.line(), "{what}");
                            assert_eq!(fast.column(), slow.column(), "{what}");
                            assert_eq!(fast.line_count(), slow.line_count(), "{what}");
                            assert_eq!(fast.name(), slow.name(), "{what}");
                        }
                    }
                }
            }
        }
        assert!(indexed > 10_000, "{indexed}");
    }

    /// The position of a span (a plain snippet's primary label) is the line and column that
    /// `read_span` gives, with carriage returns alone and before `\n` near the span.
    #[test]
    fn positions_agree_with_read_span() {
        let texts = [
            TEXT,
            "a\rb\nc\r\nd\nef\ngh\rij\nkl\r\r\nmn\nop",
            "x\r\r\nab\ncd\ne\rf\ng\n\rh\n",
            "ab\ncd\nef",
            "\r\n\n\r",
        ];
        let mut checked = 0;
        for text in texts {
            let source = SourceFile::new("t", text);
            let named = Named(&source);
            for start in 0..text.len() {
                for len in 1..=3 {
                    let span = LabeledSpan::new(None, start, len);
                    let contents = named.read_span(span.inner(), 0, 0).unwrap();
                    let expected = (contents.line(), contents.column());
                    let what = format!("{text:?} {start}+{len}");
                    assert_eq!(named.position(&span), Some(expected), "{what}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }

    #[test]
    fn single_labels_render_as_miette_does() {
        let texts = [TEXT, "ab\ncd\n", "", "x"];
        for text in texts {
            let source = SourceFile::new("f.json", text);
            for start in 0..=text.len() + 1 {
                for len in [0, 1, 2, 3, 7, 40] {
                    for label in [Some("here"), None, Some("")] {
                        check(
                            &diag(
                                Severity::Warning,
                                "short message",
                                Some("do this\nnote: that"),
                                &[(start, len, label)],
                            ),
                            &source,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn label_pairs_render_as_miette_does() {
        let source = SourceFile::new("f.json", TEXT);
        let n = TEXT.len();
        let mut seed = 7u64;
        for _ in 0..3000 {
            seed = crate::source::lcg_step(seed);
            let a = (seed >> 33) as usize % (n + 1);
            let b = (seed >> 13) as usize % (n + 1);
            let la = (seed >> 7) as usize % 9;
            let lb = (seed >> 3) as usize % 5;
            let labels = [(a, la, Some("first")), (b, lb, Some("second"))];
            check(&diag(Severity::Error, "m", None, &labels), &source);
            let three = [
                (a, la, Some("first")),
                (b, lb, None),
                ((a + b) / 2, 2, Some("third")),
            ];
            check(&diag(Severity::Info, "m", Some("h"), &three), &source);
        }
    }

    /// Random texts of short and long words, runs of spaces and line breaks, around the wrap
    /// widths: the plain wrapping agrees with miette's on every one, and some of them are
    /// outside its case (a word wider than a line) and go to miette.
    #[test]
    fn random_texts_wrap_as_miette_does() {
        let source = SourceFile::new("f.json", TEXT);
        let pieces = [
            "a",
            "key",
            "kms:Decrypt",
            "aws-marketplace:Agreement",
            " ",
            " ",
            "  ",
            "\n",
            "/",
            "-",
            "`x`",
            ",",
        ];
        let mut next = picks(0x2545_f491_4f6c_dd1d);
        let (mut plain, mut outside) = (0, 0);
        for _ in 0..300 {
            let mut text = String::new();
            let target = 40 + next(160);
            while text.len() < target {
                if next(40) == 0 {
                    text.push_str(&"w".repeat(50 + next(50)));
                } else {
                    text.push_str(pieces[next(pieces.len())]);
                }
            }
            let fits = wrap_ascii(&mut String::new(), &text, 100, HELP_INDENTS);
            if fits {
                plain += 1
            } else {
                outside += 1
            }
            let d = diag(
                Severity::Warning,
                &text,
                Some(&text),
                &[(30, 9, Some("label"))],
            );
            check(&d, &source);
        }
        assert!(plain > 100 && outside > 10, "{plain} {outside}");
    }

    #[test]
    fn messages_and_help_render_as_miette_does() {
        let source = SourceFile::new("f.json", TEXT);
        let long = "word ".repeat(30);
        let mut messages = vec![
            String::new(),
            "short".to_owned(),
            "trailing spaces   ".to_owned(),
            "  leading spaces".to_owned(),
            "two\nlines".to_owned(),
            "non-ASCII “quotes” é".to_owned(),
            "tab\there".to_owned(),
            "a-hyphenated-word-that-is-long".repeat(5),
        ];
        for len in 85..100 {
            messages.push(long[..len].to_owned());
            messages.push("x".repeat(len));
            messages.push(format!("{} y", "z".repeat(len - 2)));
        }
        let helps = [None, Some("short help"), Some(long.as_str()), Some("")];
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            for message in &messages {
                for help in helps {
                    let d = diag(severity, message, help, &[(30, 9, Some("label"))]);
                    check(&d, &source);
                    let mut noted = d.clone();
                    noted.note = Some("a note".to_owned());
                    check(&noted, &source);
                }
            }
        }
    }

    #[test]
    fn numbers_format_as_fmt_does() {
        for n in [0, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            assert_eq!(digits(n), n.to_string().len());
            for width in [0, 1, 3, 25] {
                let mut out = String::new();
                push_number(&mut out, n, width);
                assert_eq!(out, format!("{n:>width$}"));
            }
        }
    }

    #[test]
    fn lines_split_as_str_split_does() {
        let texts = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "\na",
            "ab\ncd",
            "é\n–\n",
            TEXT,
            "0123456789abcdef\n0123456789abcdef0123456789abcdef\n\n",
        ];
        for text in texts {
            let ours: Vec<&str> = split_lines(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn carriage_returns_are_found_as_contains_finds_them() {
        for len in 0..70 {
            let mut bytes = vec![b'a'; len];
            assert!(!has_carriage_return(&bytes), "{len}");
            for at in 0..len {
                bytes[at] = b'\r';
                assert!(has_carriage_return(&bytes), "{len} {at}");
                bytes[at] = b'\n';
                assert!(!has_carriage_return(&bytes), "{len} {at}");
            }
        }
    }

    #[test]
    fn runs_push_as_many_characters_as_asked() {
        for n in [0, 1, 15, 16, 17, 31, 32, 33, 64, 100] {
            let mut out = String::from("x");
            push_spaces(&mut out, n);
            push_rules(&mut out, n);
            assert_eq!(out, format!("x{}{}", " ".repeat(n), "─".repeat(n)));
        }
    }

    /// More helps than the plain footer list keeps, each rendered again after the others.
    #[test]
    fn many_helps_render_as_miette_does() {
        let source = SourceFile::new("f.json", TEXT);
        for round in 0..3 {
            for i in 0..(PLAIN_FOOTER_LIMIT + 5) {
                let help = format!("help number {i} ").repeat(i % 7 + 1);
                let mut d = diag(
                    Severity::Warning,
                    "m",
                    Some(&help),
                    &[(30, 9, Some("label"))],
                );
                if (i + round) % 3 == 0 {
                    d.note = Some(format!("note {round}"));
                }
                check(&d, &source);
                d.help = None;
                check(&d, &source);
            }
        }
    }

    /// The cuts of the plain wrapping near their edges: words that end just before, at and
    /// just after the last column, lines of leading spaces, runs of spaces across the cut, and
    /// words as wide as a line or one wider.
    #[test]
    fn wrap_cuts_render_as_miette_does() {
        let source = SourceFile::new("f.json", TEXT);
        let mut next = picks(0x9e37_79b9_7f4a_7c15);
        for _ in 0..400 {
            let mut text = String::new();
            let target = 60 + next(200);
            while text.len() < target {
                match next(8) {
                    0 => text.push_str(&" ".repeat(1 + next(6))),
                    1 => text.push('\n'),
                    2 => text.push_str(&"w".repeat(50 + next(50))),
                    3 => text.push_str(&"x".repeat(85 + next(12))),
                    _ => {
                        text.push_str(&"y".repeat(1 + next(9)));
                        text.push(' ');
                    }
                }
            }
            let d = diag(Severity::Error, &text, Some(&text), &[(30, 9, None)]);
            check(&d, &source);
        }
    }
}
