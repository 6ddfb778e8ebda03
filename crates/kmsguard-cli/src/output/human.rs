//! Human output: each finding with its source snippet, then a summary on standard error.

use std::io::{self, Write};

use kmsguard_syntax::render::{RenderOptions, render};
use kmsguard_syntax::{Diagnostic, SourceFile};
use rayon::prelude::*;

use crate::check::{FileReport, counts};

/// How findings are rendered, with colour or without.
pub(crate) fn options(color: bool) -> RenderOptions {
    RenderOptions { color, width: 100 }
}

/// A file's findings as human output shows them, each followed by a blank line.
pub(crate) fn render_findings(
    findings: &[Diagnostic],
    source: &SourceFile,
    options: RenderOptions,
) -> String {
    let mut text = String::new();
    for d in findings {
        text.push_str(&render(d, source, options));
        text.push('\n');
    }
    text
}

pub(crate) fn write(reports: &[FileReport], color: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let options = options(color);
    // Files read for human output come rendered (`check::Keep::Rendered`); the others are
    // rendered here, in parallel (a snippet costs far more than writing it), then written in
    // their order.
    if reports
        .iter()
        .all(|r| r.findings.is_empty() || r.rendered.is_some())
    {
        for text in reports.iter().filter_map(|r| r.rendered.as_deref()) {
            out.write_all(text.as_bytes())?;
        }
    } else {
        let rendered: Vec<String> = reports
            .par_iter()
            .with_max_len(crate::check::FILES_PER_TASK)
            .map(|report| match &report.rendered {
                Some(text) => text.clone(),
                None => render_findings(&report.findings, &report.source, options),
            })
            .collect();
        for text in &rendered {
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    let documents: usize = reports.iter().map(|r| r.summary.document_count()).sum();
    let (errors, warnings, infos) = counts(reports);
    eprintln!(
        "kmsguard: checked {} file{}, {documents} document{}: {errors} error{}, {warnings} warning{}, {infos} info",
        reports.len(),
        plural(reports.len()),
        plural(documents),
        plural(errors),
        plural(warnings),
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
