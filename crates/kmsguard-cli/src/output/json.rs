//! JSON output. The schema is documented in README.md ("JSON output") and versioned by the
//! `version` field; fields are only ever added.

use std::io::{self, Write};

use kmsguard_syntax::{Diagnostic, SourceFile, Span};
use serde::Serialize;

use crate::check::{FileReport, counts};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: Vec<FileOut<'a>>,
    summary: Summary,
}

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
    let files = reports
        .iter()
        .map(|r| FileOut {
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
        })
        .collect();
    let documents = reports.iter().map(|r| r.summary.documents.len()).sum();
    let out = Output {
        version: 1,
        files,
        summary: Summary {
            files: reports.len(),
            documents,
            errors,
            warnings,
            infos,
        },
    };
    let stdout = io::stdout();
    let mut lock = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut lock, &out).map_err(io::Error::other)?;
    lock.write_all(b"\n")?;
    lock.flush()
}
