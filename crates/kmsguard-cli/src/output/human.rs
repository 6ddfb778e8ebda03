//! Human output: each finding with its source snippet, then a summary on standard error.

use std::io::{self, Write};

use kmsguard_syntax::render::{RenderOptions, render};

use crate::check::{FileReport, counts};

pub(crate) fn write(reports: &[FileReport], color: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let options = RenderOptions { color, width: 100 };
    for report in reports {
        for d in &report.findings {
            out.write_all(render(d, &report.source, options).as_bytes())?;
            out.write_all(b"\n")?;
        }
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
