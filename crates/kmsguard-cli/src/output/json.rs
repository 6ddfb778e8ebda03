//! JSON output. The schema is documented in README.md ("JSON output") and versioned by the
//! `version` field; fields are only ever added.

use std::io::{self, Write};

use kmsguard_syntax::{Diagnostic, SourceFile, Span};
use rayon::prelude::*;
use serde::Serialize;

use crate::check::{FileReport, counts};

#[derive(Serialize)]
struct Summary {
    files: usize,
    documents: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct FileOut<'a> {
    path: &'a str,
    format: Option<&'static str>,
    documents: Vec<DocumentOut<'a>>,
    diagnostics: Vec<DiagnosticOut<'a>>,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    location: &'a str,
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    policy_kind: Option<&'static str>,
    statements: Option<usize>,
    span: SpanOut,
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    /// The Sid of the statement the finding is in, when it has one.
    sid: Option<String>,
    span: SpanOut,
    labels: Vec<LabelOut<'a>>,
    note: Option<&'a str>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct LabelOut<'a> {
    span: SpanOut,
    message: Option<&'a str>,
    primary: bool,
}

#[derive(Serialize)]
struct SpanOut {
    start: u32,
    end: u32,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn span(source: &SourceFile, s: Span) -> SpanOut {
    let a = source.line_col(s.start);
    let b = source.line_col(s.end);
    SpanOut {
        start: s.start,
        end: s.end,
        line: a.line,
        column: a.column,
        end_line: b.line,
        end_column: b.column,
    }
}

fn diagnostic<'a>(
    source: &SourceFile,
    summary: &crate::check::Summary,
    d: &'a Diagnostic,
) -> DiagnosticOut<'a> {
    DiagnosticOut {
        code: d.code.as_str(),
        name: d.code.name(),
        severity: d.severity.name(),
        message: &d.message,
        sid: summary.sid_at(d),
        span: span(source, d.primary_span()),
        labels: d
            .labels
            .iter()
            .map(|l| LabelOut {
                span: span(source, l.span),
                message: l.text.as_deref(),
                primary: l.primary,
            })
            .collect(),
        note: d.note.as_deref(),
        help: d.help.as_deref(),
    }
}

pub(crate) fn write(reports: &[FileReport]) -> io::Result<()> {
    let (errors, warnings, infos) = counts(reports);
    // Each file is serialised on its own, in parallel (line and column lookups and formatting
    // are most of the cost), then spliced into the document at the nesting depth of the
    // `files` array. Pretty output puts a raw newline only between tokens (a newline inside a
    // string is escaped), so indenting after each newline nests the file's text exactly as
    // serialising the whole document at once would.
    let files = reports
        .par_iter()
        .with_max_len(crate::check::FILES_PER_TASK)
        .map(|r| {
            let mut text = serde_json::to_vec_pretty(&file(r)).map_err(io::Error::other)?;
            let lines = text.iter().filter(|&&b| b == b'\n').count();
            let mut nested = Vec::with_capacity(text.len().saturating_add(lines.saturating_mul(4)));
            for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    nested.extend_from_slice(b"\n    ");
                }
                nested.extend_from_slice(line);
            }
            text.clear();
            Ok(nested)
        })
        .collect::<io::Result<Vec<Vec<u8>>>>()?;
    let documents = reports.iter().map(|r| r.summary.document_count()).sum();
    let summary = Summary {
        files: reports.len(),
        documents,
        errors,
        warnings,
        infos,
    };
    let stdout = io::stdout();
    let mut lock = io::BufWriter::new(stdout.lock());
    lock.write_all(b"{\n  \"version\": 1,\n  \"files\": [")?;
    for (i, f) in files.iter().enumerate() {
        lock.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        lock.write_all(f)?;
    }
    lock.write_all(if files.is_empty() {
        b"],\n"
    } else {
        b"\n  ],\n"
    })?;
    lock.write_all(b"  \"summary\": ")?;
    let summary = serde_json::to_vec_pretty(&summary).map_err(io::Error::other)?;
    for (i, line) in summary.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            lock.write_all(b"\n  ")?;
        }
        lock.write_all(line)?;
    }
    lock.write_all(b"\n}\n")?;
    lock.flush()
}

fn file(r: &FileReport) -> FileOut<'_> {
    FileOut {
        path: r.source.name(),
        format: r.summary.format.map(|f| f.name()),
        documents: r
            .summary
            .documents
            .iter()
            .map(|d| DocumentOut {
                location: &d.location,
                name: d.name.as_deref(),
                kind: d.kind,
                policy_kind: d.policy_kind,
                statements: d.statements,
                span: span(&r.source, d.span),
            })
            .collect(),
        diagnostics: r
            .findings
            .iter()
            .map(|d| diagnostic(&r.source, &r.summary, d))
            .collect(),
    }
}
