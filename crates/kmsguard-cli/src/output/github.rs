//! GitHub Actions workflow commands: one annotation per finding, shown on the pull request.
//! <https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>

use std::io::{self, Write};

use kmsguard_syntax::Severity;

use crate::check::FileReport;

/// Escapes a message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn write(reports: &[FileReport]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for r in reports {
        for d in &r.findings {
            let span = d.primary_span();
            let (a, b) = (r.source.line_col(span.start), r.source.line_col(span.end));
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nFix: ");
                message.push_str(help);
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(r.source.name()),
                a.line,
                a.column,
                b.line,
                b.column,
                property(&format!("{} {}", d.code.as_str(), d.code.name())),
                data(&message),
            )?;
        }
    }
    out.flush()
}
