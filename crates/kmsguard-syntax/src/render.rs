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
    RENDERER.with(|cell| {
        let mut renderer = cell.borrow_mut();
        renderer.configure(options);
        renderer.render(diag, source)
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
}

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
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(options.width)
                .with_links(false),
            footers: HashMap::new(),
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
        let help = help_text(diag);
        let report = Report {
            diag,
            source: Named(source),
        };
        let mut out = String::new();
        let mut ok = self.handler.render_report(&mut out, &report).is_ok();
        if let Some(help) = help {
            match self.footer(help, diag.severity) {
                Some(footer) => out.push_str(footer),
                None => ok = false,
            }
        }
        if !ok {
            // Rendering into a String cannot fail except on a formatting bug; fall back to one line.
            out = format!("{}[{}]: {}\n", diag.severity, diag.code, diag.message);
        }
        out
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

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text_len = self.source.0.text().len();
        Some(Box::new(self.diag.labels.iter().map(move |l| {
            // Clamp so that a span past the end (an error at end of input) still renders.
            let start = (l.span.start as usize).min(text_len);
            let len = l.span.len().min(text_len.saturating_sub(start));
            LabeledSpan::new_with_span(l.text.clone(), (start, len))
        })))
    }
}

struct Named<'a>(&'a SourceFile);

impl SourceCode for Named<'_> {
    /// miette's own `read_span` scans the text from its start for every label, which is
    /// quadratic over a large template with many findings. This runs it on a window of lines
    /// around the span (found by scanning from the span outwards) and shifts the result back,
    /// with line numbers from the file's cached line index.
    fn read_span<'b>(
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
