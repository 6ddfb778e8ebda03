//! Human rendering of diagnostics with source snippets (miette's graphical handler, without
//! colour when asked, at a fixed width so that snapshots are stable).

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
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let report = Report {
        diag,
        source: Named(source),
        help: help_text(diag),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail except on a formatting bug; fall back to one line.
        out = format!("{}[{}]: {}\n", diag.severity, diag.code, diag.message);
    }
    out
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
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
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
