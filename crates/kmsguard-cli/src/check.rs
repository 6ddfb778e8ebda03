//! `kmsguard check`: read every input and report what AWS would reject.

use std::path::PathBuf;

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::Limits;
use kmsguard_syntax::{
    Code, Diagnostic, InputFormat, ParseOptions, ParsedFile, Severity, SourceFile, Span,
    parse_bytes,
};
use rayon::prelude::*;

use crate::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, files, output};

/// Arguments of `kmsguard check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Files or directories to check (directories are searched for `*.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Read every file as this format instead of detecting it: policy, get-key-policy,
    /// list-grants, grant, describe-key, get-policy-version, get-inline-policy,
    /// account-authorization-details.
    #[arg(long, value_parser = parse_input_format)]
    input_format: Option<InputFormat>,
    /// Treat every policy as this kind instead of inferring it: key, resource, trust, identity,
    /// scp, rcp, boundary, session, vpc-endpoint.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<PolicyKind>,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t)]
    color: ColorChoice,
}

fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown input format `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

fn parse_kind(s: &str) -> Result<PolicyKind, String> {
    PolicyKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = PolicyKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown policy kind `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

/// One checked file.
#[derive(Debug)]
pub(crate) struct FileReport {
    pub(crate) source: SourceFile,
    pub(crate) parsed: ParsedFile,
}

pub(crate) fn run(args: &CheckArgs) -> u8 {
    let paths = match files::discover(&args.paths) {
        Ok(p) => p,
        Err((path, e)) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
    };
    let options = ParseOptions {
        format: args.input_format,
        kind: args.kind,
        limits: Limits::default(),
    };
    let results: Vec<Result<FileReport, String>> =
        paths.par_iter().map(|p| check_file(p, &options)).collect();
    let mut reports = Vec::with_capacity(results.len());
    let mut io_failed = false;
    for r in results {
        match r {
            Ok(report) => reports.push(report),
            Err(message) => {
                eprintln!("error: {message}");
                io_failed = true;
            }
        }
    }
    let color = crate::use_color(args.color);
    let written = match args.format {
        Format::Human => output::human::write(&reports, color),
        Format::Json => output::json::write(&reports),
    };
    if let Err(e) = written {
        // A closed pipe (`kmsguard check . | head`) is not worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
        }
        return EXIT_USAGE;
    }
    if io_failed {
        EXIT_USAGE
    } else if reports.iter().any(|r| r.parsed.has_errors()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn check_file(path: &std::path::Path, options: &ParseOptions) -> Result<FileReport, String> {
    let name = path.display().to_string();
    let bytes = match files::read_bounded(path, options.limits.max_bytes) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(size)) => {
            // Refused before reading: report it against an empty source.
            let d = Diagnostic::error(
                Code::P005,
                format!(
                    "input is {size} bytes, larger than the {}-byte limit",
                    options.limits.max_bytes
                ),
            )
            .label(Span::at(0), "input too large")
            .help("split the file, or check that this is the intended file");
            let parsed = ParsedFile {
                format: None,
                documents: Vec::new(),
                diagnostics: vec![d],
            };
            return Ok(FileReport {
                source: SourceFile::new(name, ""),
                parsed,
            });
        }
        Err(e) => return Err(format!("cannot read `{name}`: {e}")),
    };
    let parsed = parse_bytes(&bytes, options);
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(FileReport {
        source: SourceFile::new(name, text),
        parsed,
    })
}

/// Counts findings by severity: (errors, warnings, infos).
pub(crate) fn counts(reports: &[FileReport]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for d in reports.iter().flat_map(|r| &r.parsed.diagnostics) {
        match d.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
            Severity::Info => c.2 += 1,
        }
    }
    c
}
