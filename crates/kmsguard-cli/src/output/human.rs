//! Human output: each finding with its source snippet, then a summary on standard error.

use std::io::{self, IoSlice, Write};

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
        let texts: Vec<&str> = reports
            .iter()
            .filter_map(|r| r.rendered.as_deref())
            .collect();
        write_all_texts(&mut out, &texts)?;
    } else {
        let rendered: Vec<String> = reports
            .par_iter()
            .with_max_len(crate::check::FILES_PER_TASK)
            .map(|report| match &report.rendered {
                Some(text) => text.clone(),
                None => render_findings(&report.findings, &report.source, options),
            })
            .collect();
        let texts: Vec<&str> = rendered.iter().map(String::as_str).collect();
        write_all_texts(&mut out, &texts)?;
    }
    out.flush()?;
    let documents: usize = reports.iter().map(|r| r.summary.document_count()).sum();
    let (errors, warnings, infos) = counts(reports);
    // Made whole, then written at once: standard error is unbuffered, and `eprintln!` wrote
    // each of the line's 19 pieces with a system call of its own. A summary that cannot be
    // written (standard error closed) does not fail the run.
    let summary = format!(
        "kmsguard: checked {} file{}, {documents} document{}: {errors} error{}, {warnings} warning{}, {infos} info\n",
        reports.len(),
        plural(reports.len()),
        plural(documents),
        plural(errors),
        plural(warnings),
    );
    let _ = io::stderr().write_all(summary.as_bytes());
    Ok(())
}

/// Writes `texts` one after the other, handed to the system together (`writev`): written one
/// by one, the findings of a corpus run took 48 `write` calls, since a text longer than the
/// output buffer goes out on its own.
fn write_all_texts(out: &mut impl Write, texts: &[&str]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = texts
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| IoSlice::new(t.as_bytes()))
        .collect();
    let mut rest = slices.as_mut_slice();
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::write_all_texts;
    use std::io::{self, Write};

    /// A writer that takes at most `step` bytes per call, and first fails once with
    /// `Interrupted`, as a pipe may.
    struct Stingy {
        out: Vec<u8>,
        step: usize,
        interrupted: bool,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Every text arrives whole and in order, whatever each call takes: all at once (a
    /// `Vec`), a few bytes at a time (each `write_vectored` then writes part of one slice),
    /// with empty texts between.
    #[test]
    fn texts_arrive_whole_and_in_order() {
        let texts = [
            "first\n",
            "",
            "second text\n",
            "x",
            "",
            "the last one, longer\n",
        ];
        let whole: String = texts.concat();
        let mut all = Vec::new();
        write_all_texts(&mut all, &texts).unwrap();
        assert_eq!(String::from_utf8(all).unwrap(), whole);
        for step in [1, 2, 3, 7, 100] {
            let mut stingy = Stingy {
                out: Vec::new(),
                step,
                interrupted: false,
            };
            write_all_texts(&mut stingy, &texts).unwrap();
            assert_eq!(String::from_utf8(stingy.out).unwrap(), whole, "step {step}");
        }
        let mut none = Vec::new();
        write_all_texts(&mut none, &[]).unwrap();
        assert!(none.is_empty());
    }
}
