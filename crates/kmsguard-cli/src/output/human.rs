//! Human output: each finding with its source snippet, then a summary on standard error.

use std::io::{self, Write};

use kmsguard_syntax::render::{RenderOptions, render};
use rayon::prelude::*;

use crate::check::{FileReport, counts};

pub(crate) fn write(reports: &[FileReport], color: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let options = RenderOptions { color, width: 100 };
    // Rendering a snippet costs far more than writing it: files are rendered in parallel,
    // then written in their order.
    let rendered: Vec<String> = reports
        .par_iter()
        .with_max_len(crate::check::FILES_PER_TASK)
        .map(|report| {
            let mut text = String::new();
            for d in &report.findings {
                text.push_str(&render(d, &report.source, options));
                text.push('\n');
            }
            text
        })
        .collect();
    for text in &rendered {
        out.write_all(text.as_bytes())?;
    }
    out.flush()?;
    let documents: usize = reports.iter().map(|r| r.summary.documents.len()).sum();
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
