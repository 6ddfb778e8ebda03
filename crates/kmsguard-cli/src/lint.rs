//! `kmsguard lint`: the reader's findings plus every enabled lint rule, filtered by
//! configuration, suppressions and a baseline.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::formats::ParsedFile;
use kmsguard_syntax::json::Limits;
use kmsguard_syntax::{Diagnostic, InputFormat, ParseOptions, Severity, SourceFile};

use crate::check::{FileReport, Keep, read_all, sid_among, statement_sids, write_reports};
use crate::config::Config;
use crate::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, baseline};

/// The lowest severity that fails the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Errors only.
    #[default]
    Error,
    /// Errors and warnings.
    Warning,
    /// Any finding.
    Info,
}

impl FailOn {
    pub(crate) fn severity(self) -> Severity {
        match self {
            Self::Error => Severity::Error,
            Self::Warning => Severity::Warning,
            Self::Info => Severity::Info,
        }
    }
}

/// Arguments of `kmsguard lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint (directories are searched for `*.json`).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    /// Read every file as this format instead of detecting it.
    #[arg(long, value_parser = crate::check::parse_input_format)]
    input_format: Option<InputFormat>,
    /// Read every file as a CloudFormation template, a Terraform plan, or AWS CLI output /
    /// policy, instead of recognising templates and plans by their content.
    #[arg(long, value_enum)]
    input_family: Option<crate::check::Family>,
    /// Treat every policy as this kind instead of inferring it.
    #[arg(long, value_parser = crate::check::parse_kind)]
    kind: Option<PolicyKind>,
}

/// What `lint` and `scan` share: output, exit status, configuration and baseline.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) fail_on: FailOn,
    /// Configuration file (default: `kmsguard.toml` in the working directory or a parent).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore any `kmsguard.toml`.
    #[arg(long)]
    pub(crate) no_config: bool,
    /// Report only findings that are not in this baseline file; if it does not exist, record
    /// today's findings in it.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Rewrite the baseline file with today's findings.
    #[arg(long, requires = "baseline")]
    pub(crate) update_baseline: bool,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) color: ColorChoice,
}

impl ReportArgs {
    /// The configuration these arguments select.
    pub(crate) fn config(&self) -> Result<Config, String> {
        load_config_from(self.config.as_deref(), self.no_config)
    }

    /// Applies the baseline (if any), writes the reports and returns the exit status: 2 when
    /// `input_failed` or a template or plan could not be read, 1 for findings at or above
    /// `--fail-on`, else 0.
    pub(crate) fn finish(&self, reports: &mut [FileReport], input_failed: bool) -> u8 {
        if let Some(path) = &self.baseline {
            match baseline::apply(path, reports, self.update_baseline) {
                Ok(Some(note)) => eprintln!("kmsguard: {note}"),
                Ok(None) => {}
                Err(message) => {
                    eprintln!("error: {message}");
                    return EXIT_USAGE;
                }
            }
        }
        if let Err(code) = write_reports(reports, self.format, self.color) {
            return code;
        }
        if input_failed || reports.iter().any(FileReport::unreadable_template) {
            EXIT_USAGE
        } else if reports
            .iter()
            .any(|r| r.has_at_least(self.fail_on.severity()))
        {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}

pub(crate) fn run(args: &LintArgs) -> u8 {
    let config = match load_config(args) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let options = ParseOptions {
        format: args.input_format,
        kind: args.kind,
        limits: Limits::default(),
    };
    let post = |source: &SourceFile, parsed: &ParsedFile, findings: &mut Vec<Diagnostic>| {
        lint_file(&config, source, parsed, findings, true);
    };
    let skip = |p: &Path| config.excluded(p);
    let Ok((mut reports, io_failed)) = read_all(
        &args.paths,
        &options,
        args.input_family,
        &skip,
        &post,
        Keep::for_output(
            args.report.format,
            args.report.color,
            args.report.baseline.is_some(),
        ),
    ) else {
        return EXIT_USAGE;
    };
    let code = args.report.finish(&mut reports, io_failed);
    crate::skip_drop(reports);
    code
}

fn load_config(args: &LintArgs) -> Result<Config, String> {
    args.report.config()
}

/// The configuration: `path`, or `kmsguard.toml` found upward from the working directory,
/// or none with `no_config`.
pub(crate) fn load_config_from(path: Option<&Path>, no_config: bool) -> Result<Config, String> {
    if no_config {
        return Ok(Config::default());
    }
    let path = match path {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| Config::discover(&d)),
    };
    path.map_or_else(|| Ok(Config::default()), |p| Config::load(&p))
}

/// Runs the rules (when `rules`) on one file's documents, adds their findings to the reader's,
/// then applies the configuration and sorts.
pub(crate) fn lint_file(
    config: &Config,
    source: &SourceFile,
    parsed: &ParsedFile,
    findings: &mut Vec<Diagnostic>,
    rules: bool,
) {
    if rules {
        let mut found = kmsguard_lint::lint_file(parsed, source, &|m| config.enabled(m.code));
        findings.append(&mut found);
    }
    // Read only when a suppression names a Sid.
    let statements = std::cell::OnceCell::new();
    let sid_of = |d: &Diagnostic| sid_among(statements.get_or_init(|| statement_sids(parsed)), d);
    config.apply(source.name(), findings, &sid_of);
    kmsguard_syntax::diagnostic::sort(findings);
}
