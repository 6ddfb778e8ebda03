//! `kmsguard check`: read every input and report what AWS would reject.

use std::path::PathBuf;

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::formats::Content;
use kmsguard_syntax::json::Limits;
use kmsguard_syntax::render::RenderOptions;
use kmsguard_syntax::{
    Code, Diagnostic, InputFormat, ParseOptions, ParsedFile, Severity, SourceFile, Span,
    parse_bytes,
};

use crate::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, files, output};

/// The families of input, for `--input-family`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Family {
    /// Policies, grants and AWS CLI outputs.
    AwsCli,
    /// CloudFormation templates (JSON or YAML).
    Cloudformation,
    /// Terraform plans (`terraform show -json`).
    Terraform,
}

impl Family {
    pub(crate) fn source_format(self) -> kmsguard_inventory::SourceFormat {
        match self {
            Self::AwsCli => kmsguard_inventory::SourceFormat::AwsCli,
            Self::Cloudformation => kmsguard_inventory::SourceFormat::CloudFormation,
            Self::Terraform => kmsguard_inventory::SourceFormat::Terraform,
        }
    }
}

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
    /// Read every file as a CloudFormation template, a Terraform plan, or AWS CLI output /
    /// policy, instead of recognising templates and plans by their content.
    #[arg(long, value_enum)]
    input_family: Option<Family>,
    /// Treat every policy as this kind instead of inferring it: key, resource, trust, identity,
    /// scp, rcp, boundary, session, vpc-endpoint.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<PolicyKind>,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t)]
    color: ColorChoice,
}

pub(crate) fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown input format `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

pub(crate) fn parse_kind(s: &str) -> Result<PolicyKind, String> {
    PolicyKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = PolicyKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown policy kind `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

/// One checked file: its text, a summary of what was read from it, and its findings (the
/// reader's, then the linter's), in print order.
///
/// The typed documents themselves are not kept: every file is parsed, linted and summarised
/// in one pass on a worker thread, and its AST is dropped there. Holding the ASTs of a whole
/// directory until the output is written made the process touch several times the input's size
/// in fresh memory, and zeroing those pages cost more than a quarter of a corpus lint.
///
/// The report is kept behind one pointer: a thousand reports move from each thread's list of
/// results into file order, and at 144 bytes each those lists and their copies were about 0.4
/// MiB of fresh memory (a page fault per 4 KiB) on the way, the last copy on the main thread
/// after the workers were done. A pointer is 8 bytes; the report itself is written once, where
/// the file is read.
#[derive(Debug)]
pub(crate) struct FileReport(Box<Report>);

/// What [`FileReport`] points to.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) source: SourceFile,
    pub(crate) summary: Summary,
    pub(crate) findings: Vec<Diagnostic>,
    /// The findings as human output shows them, rendered on the worker thread while the text
    /// was at hand ([`Keep::Rendered`]); the text itself is then not kept.
    pub(crate) rendered: Option<String>,
    /// [`FileReport::unreadable_template`], decided before the text was let go.
    unreadable: Option<bool>,
}

/// What the outputs and the baseline need of a file's documents.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) format: Option<InputFormat>,
    /// Each document, for JSON output; other outputs need only their number, and the list
    /// is dropped on the worker thread (see `keep_text`).
    pub(crate) documents: Vec<DocumentSummary>,
    /// How many documents the file holds.
    count: usize,
    /// Each policy statement's span and Sid, in document order; only for a file with
    /// findings, the only ones whose Sids are asked for.
    statements: Vec<(Span, Option<String>)>,
}

/// One document of a file, as the JSON output lists it.
#[derive(Debug)]
pub(crate) struct DocumentSummary {
    pub(crate) location: String,
    pub(crate) name: Option<String>,
    /// `policy`, `grant`, `key-metadata` or `other`.
    pub(crate) kind: &'static str,
    pub(crate) policy_kind: Option<&'static str>,
    pub(crate) statements: Option<usize>,
    pub(crate) span: Span,
}

impl Summary {
    /// Summarises `parsed`; `sids` keeps the statements' spans and Sids for [`Self::sid_at`].
    pub(crate) fn of(parsed: &mut ParsedFile, sids: bool) -> Self {
        let statements = if sids {
            statement_sids(parsed)
        } else {
            Vec::new()
        };
        let documents: Vec<DocumentSummary> = parsed
            .documents
            .iter_mut()
            .map(|d| {
                let (kind, policy_kind, statements) = match &d.content {
                    Content::Policy(p) => ("policy", Some(p.kind.name()), Some(p.statements.len())),
                    Content::Grant(_) => ("grant", None, None),
                    Content::KeyMetadata(_) => ("key-metadata", None, None),
                    _ => ("other", None, None),
                };
                DocumentSummary {
                    location: std::mem::take(&mut d.location),
                    name: d.name.take(),
                    kind,
                    policy_kind,
                    statements,
                    span: d.span,
                }
            })
            .collect();
        Self {
            format: parsed.format,
            count: documents.len(),
            documents,
            statements,
        }
    }

    /// How many documents the file holds (also once [`Self::documents`] is dropped).
    pub(crate) fn document_count(&self) -> usize {
        self.count
    }

    /// The Sid of the statement that holds a finding's primary span.
    pub(crate) fn sid_at(&self, d: &Diagnostic) -> Option<String> {
        sid_among(&self.statements, d)
    }
}

/// The Sid of the statement among `statements` (from [`statement_sids`]) that holds a
/// finding's primary span.
pub(crate) fn sid_among(statements: &[(Span, Option<String>)], d: &Diagnostic) -> Option<String> {
    let at = d.primary_span();
    statements
        .iter()
        .find(|(span, _)| span.start <= at.start && at.end <= span.end)
        .and_then(|(_, sid)| sid.clone())
}

/// Every policy statement's span and Sid, in document order.
pub(crate) fn statement_sids(parsed: &ParsedFile) -> Vec<(Span, Option<String>)> {
    parsed
        .documents
        .iter()
        .filter_map(|doc| match &doc.content {
            Content::Policy(p) => Some(p),
            _ => None,
        })
        .flat_map(|p| {
            p.statements
                .iter()
                .map(|s| (s.span, s.node.sid.as_ref().map(|sid| sid.node.clone())))
        })
        .collect()
}

/// What runs on a file's findings while its documents are at hand: the lint rules, the
/// configuration, sorting. It gets the source, the documents and the reader's findings.
pub(crate) type Post<'a> = dyn Fn(&SourceFile, &ParsedFile, &mut Vec<Diagnostic>) + Sync + 'a;

impl std::ops::Deref for FileReport {
    type Target = Report;

    fn deref(&self) -> &Report {
        &self.0
    }
}

impl std::ops::DerefMut for FileReport {
    fn deref_mut(&mut self) -> &mut Report {
        &mut self.0
    }
}

impl FileReport {
    /// Runs `post` on the file's findings and keeps what the outputs need; drops the AST.
    pub(crate) fn new(source: SourceFile, mut parsed: ParsedFile, post: &Post<'_>) -> Self {
        let mut findings = std::mem::take(&mut parsed.diagnostics);
        post(&source, &parsed, &mut findings);
        let summary = Summary::of(&mut parsed, !findings.is_empty());
        Self(Box::new(Report {
            source,
            summary,
            findings,
            rendered: None,
            unreadable: None,
        }))
    }

    /// Whether this is a CloudFormation template or Terraform plan that could not be read at
    /// all (invalid YAML or JSON, not a plan): an input error, exit status 2, as for an
    /// unreadable file. A policy or CLI output with invalid JSON stays a finding (status 1).
    pub(crate) fn unreadable_template(&self) -> bool {
        if let Some(unreadable) = self.unreadable {
            return unreadable;
        }
        self.findings.iter().any(|d| {
            d.severity == Severity::Error
                && matches!(
                    d.code.as_str(),
                    "P001" | "P002" | "P003" | "P004" | "P005" | "P301" | "P401"
                )
        }) && kmsguard_inventory::SourceFormat::detect(
            std::path::Path::new(self.source.name()),
            self.source.text(),
        ) != kmsguard_inventory::SourceFormat::AwsCli
    }

    /// Whether any finding is at least `level` (errors first).
    pub(crate) fn has_at_least(&self, level: Severity) -> bool {
        self.findings.iter().any(|d| d.severity <= level)
    }
}

/// At most this many files are one task of the threads reading them (see [`crate::crew`]). A
/// few managed policies are a hundred times larger than most: with a thread's share fixed up
/// front, or cut in large pieces, one thread finished up to 5 ms before the other. Small tasks
/// keep both busy to the end; each costs well under a microsecond.
pub(crate) const FILES_PER_TASK: usize = 4;

/// From how many input files a run is one over many small files, which keeps
/// [`crate::small_pages`]; fewer files get [`crate::large_pages`].
const MANY_FILES: usize = 32;

/// What the output needs of each file's text once the file is read and linted.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Keep {
    /// Every text: JSON output gives every document's line and column.
    All,
    /// The texts of files with findings, whose lines the output shows.
    WithFindings,
    /// No text: the findings are rendered for human output on the worker thread, while the
    /// text is at hand, instead of after all files are read. Each file's rendering then shares
    /// the work of both threads with the reading, and the text of a file with findings need
    /// not be copied out of the thread's read buffer to be kept.
    Rendered(RenderOptions),
}

impl Keep {
    /// What output `format` needs; `filtered` says that findings are dropped after reading (a
    /// baseline), so they cannot be rendered before.
    pub(crate) fn for_output(format: Format, color: ColorChoice, filtered: bool) -> Self {
        match format {
            Format::Json => Self::All,
            Format::Human if !filtered => {
                Self::Rendered(crate::output::human::options(crate::use_color(color)))
            }
            _ => Self::WithFindings,
        }
    }
}

/// Discovers and reads every input in parallel, skipping the paths `skip` selects, and runs
/// `post` on each file's findings while its documents are at hand; `keep` says what of each
/// text the output needs. `Err` is a usage or IO failure already reported on standard error;
/// the `bool` says whether some file could not be read.
pub(crate) fn read_all(
    paths: &[PathBuf],
    options: &ParseOptions,
    family: Option<Family>,
    skip: &(dyn Fn(&std::path::Path) -> bool + Sync),
    post: &Post<'_>,
    keep: Keep,
) -> Result<(Vec<FileReport>, bool), ()> {
    let mut inputs = match files::discover(paths) {
        Ok(p) => p,
        Err((path, e)) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return Err(());
        }
    };
    inputs.files.retain(|f| !skip(&f.path));
    if inputs.files.len() < MANY_FILES {
        crate::large_pages();
    }
    // This thread reads files too, with one helper thread fewer than the cores; none for files
    // that make one task (see `crew::map`). The count of cores is asked only for more: the
    // standard library reads it from the process's cgroup files (three files opened and read
    // on Linux), work a one-file run has no use for.
    let helpers = if inputs.files.len() > FILES_PER_TASK {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .saturating_sub(1)
    } else {
        0
    };
    let results = with_progress(inputs.files.len(), |done| {
        crate::crew::map(&inputs.files, FILES_PER_TASK, helpers, |input| {
            let mut r = check_file(&inputs, input, options, family, post);
            if let Ok(report) = &mut r {
                keep_text(report, keep);
            }
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            r
        })
    });
    let mut io_failed = false;
    // A report is one pointer: the list is 8 bytes a file.
    let reports = results
        .into_iter()
        .filter_map(|r| {
            r.map_err(|message| {
                eprintln!("error: {message}");
                io_failed = true;
            })
            .ok()
        })
        .collect();
    Ok((reports, io_failed))
}

thread_local! {
    /// A buffer to read the next file into: the text of the last file that needed it no
    /// longer. Texts of a thousand different lengths allocated one after another spread over
    /// the allocator's size classes and pages, and each page first touched costs a page fault.
    static SPARE_TEXT: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

thread_local! {
    /// The source of every report whose file human output prints nothing of (see
    /// [`keep_text`]): clones share it.
    static NO_SOURCE: SourceFile = SourceFile::new("", "");
}

/// A spare text longer than this is let go rather than kept for the next file.
const SPARE_TEXT_LIMIT: usize = 1 << 20;

/// The capacity a thread's first text buffer starts with: what a file is first read in (see
/// `files::read_bounded_into`), so that a large file does not grow the buffer step by step,
/// copying it each time. Pages of it no file has reached are never touched.
const FIRST_TEXT_CAPACITY: usize = 256 * 1024;

/// Lets the text of `report`'s file go unless the output needs it (see [`Keep`]; JSON output
/// keeps the texts as read). The text was read into this thread's spare buffer, which grows to
/// the longest file so far: a text kept is copied out of it, and the buffer becomes the spare
/// again.
fn keep_text(report: &mut FileReport, keep: Keep) {
    if matches!(keep, Keep::All) {
        return;
    }
    // Only JSON output lists the documents; dropped here, their locations and names go back
    // to this thread's allocator for the next file instead of staying to the end of the run.
    report.summary.documents = Vec::new();
    let kept = match keep {
        Keep::All => return,
        Keep::WithFindings if !report.findings.is_empty() => report.source.text().to_owned(),
        Keep::WithFindings => String::new(),
        Keep::Rendered(_) if report.findings.is_empty() => {
            // Human output prints nothing of a file without findings: not even its name stays
            // to the end of the run (a thousand names and empty texts were about 70 pages of
            // fresh memory); the report keeps an empty source this thread shares.
            report.unreadable = Some(report.unreadable_template());
            let read = std::mem::replace(&mut report.source, NO_SOURCE.with(Clone::clone));
            give_back(read);
            return;
        }
        Keep::Rendered(options) => {
            report.unreadable = Some(report.unreadable_template());
            report.rendered = Some(crate::output::human::render_findings(
                &report.findings,
                &report.source,
                options,
            ));
            String::new()
        }
    };
    let kept = report.source.with_text(kept);
    let read = std::mem::replace(&mut report.source, kept);
    give_back(read);
}

/// Makes the text of `read` (the source a file was read into) this thread's spare buffer, when
/// no clone of it is left and it is not too large.
fn give_back(read: SourceFile) {
    if let Some(text) = read.into_text()
        && text.capacity() <= SPARE_TEXT_LIMIT
    {
        SPARE_TEXT.set(text);
    }
}

/// Writes `reports` in `format`; maps a write failure to the usage exit status.
pub(crate) fn write_reports(
    reports: &[FileReport],
    format: Format,
    color: ColorChoice,
) -> Result<(), u8> {
    let color = crate::use_color(color);
    let written = match format {
        Format::Human => output::human::write(reports, color),
        Format::Json => output::json::write(reports),
        Format::Sarif => output::sarif::write(reports),
        Format::Github => output::github::write(reports),
    };
    written.map_err(|e| {
        // A closed pipe (`kmsguard check . | head`) is not worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
        }
        EXIT_USAGE
    })
}

pub(crate) fn run(args: &CheckArgs) -> u8 {
    let options = ParseOptions {
        format: args.input_format,
        kind: args.kind,
        limits: Limits::default(),
    };
    let Ok((reports, io_failed)) = read_all(
        &args.paths,
        &options,
        args.input_family,
        &|_| false,
        &|_, _, _| {},
        Keep::for_output(args.format, args.color, false),
    ) else {
        return EXIT_USAGE;
    };
    if let Err(code) = write_reports(&reports, args.format, args.color) {
        return code;
    }
    let code = if io_failed || reports.iter().any(FileReport::unreadable_template) {
        EXIT_USAGE
    } else if reports.iter().any(|r| r.has_at_least(Severity::Error)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    crate::skip_drop(reports);
    code
}

fn check_file(
    inputs: &files::Inputs,
    input: &files::Input,
    options: &ParseOptions,
    family: Option<Family>,
    post: &Post<'_>,
) -> Result<FileReport, String> {
    let path = input.path.as_path();
    // A UTF-8 path is its own display, without the formatter's lossy pass over it (or a copy:
    // the source's name is allocated once, from it).
    let name = path.to_str().map_or_else(
        || std::borrow::Cow::Owned(path.display().to_string()),
        std::borrow::Cow::Borrowed,
    );
    // CloudFormation templates and Terraform plans are read by the inventory readers, which
    // resolve intrinsics and unknown values; their policies are then linted like any other.
    // A JSON file is parsed once: its top-level members say whether it is a template, a plan
    // or a policy / CLI output.
    let forced = family.map(Family::source_format);
    let detect =
        options.format.is_none() && forced != Some(kmsguard_inventory::SourceFormat::AwsCli);
    // The file is read into this thread's spare text (see `keep_text`); UTF-8 text to detect
    // becomes the report's source as it is, without a copy.
    let mut buffer = SPARE_TEXT.take().into_bytes();
    if buffer.capacity() == 0 {
        // Room for nearly every policy, so that the first files do not grow it step by step.
        buffer.reserve(FIRST_TEXT_CAPACITY);
    }
    let read = inputs.read_into(input, options.limits.max_bytes, &mut buffer);
    let bytes = match read {
        Ok(Ok(())) if detect => match String::from_utf8(buffer) {
            Ok(text) => {
                let source = SourceFile::new(name, text);
                return Ok(check_text(path, source, options, forced, post));
            }
            Err(e) => e.into_bytes(),
        },
        Ok(Ok(())) => buffer,
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
            return Ok(FileReport::new(SourceFile::new(name, ""), parsed, post));
        }
        Err(e) => return Err(format!("cannot read `{name}`: {e}")),
    };
    let parsed = parse_bytes(&bytes, options);
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(FileReport::new(SourceFile::new(name, text), parsed, post))
}

/// Reads a UTF-8 file whose format is to be detected: a template or plan goes to the inventory
/// readers, anything else to the policy formats.
fn check_text(
    path: &std::path::Path,
    source: SourceFile,
    options: &ParseOptions,
    forced: Option<kmsguard_inventory::SourceFormat>,
    post: &Post<'_>,
) -> FileReport {
    use kmsguard_inventory::SourceFormat;
    let text = source.text();
    let family = if let Some(forced) = forced {
        forced
    } else if files::is_yaml(path) {
        SourceFormat::detect(path, text)
    } else if let Some(parsed) = kmsguard_syntax::formats::read_plain_policy(text, options) {
        // A plain policy document, read without the JSON tree: it has only `Version`, `Id` and
        // `Statement` members, so it is neither a template nor a plan.
        return FileReport::new(source, parsed, post);
    } else {
        let recognised = match kmsguard_syntax::json::parse(text, &options.limits) {
            Ok(root) => {
                let has = |k: &str| root.get(k).is_some();
                if has("AWSTemplateFormatVersion")
                    || root
                        .get("Resources")
                        .is_some_and(|r| r.as_object().is_some())
                {
                    Err(SourceFormat::CloudFormation)
                } else if has("planned_values") || has("resource_changes") {
                    Err(SourceFormat::Terraform)
                } else {
                    Ok(kmsguard_syntax::formats::parse_root(text, &root, options))
                }
            }
            // JSON that does not parse: the text decides.
            Err(_) => Err(SourceFormat::detect(path, text)),
        };
        match recognised {
            Ok(parsed) => return FileReport::new(source, parsed, post),
            Err(family) => family,
        }
    };
    if family == SourceFormat::AwsCli {
        let parsed = parse_bytes(text.as_bytes(), options);
        return FileReport::new(source, parsed, post);
    }
    let mut inv = kmsguard_inventory::Inventory::default();
    let load = kmsguard_inventory::LoadOptions {
        format: Some(family),
        ..Default::default()
    };
    let id = kmsguard_inventory::read_file(&mut inv, path, text.to_owned(), &load);
    let parsed = kmsguard_inventory::documents::parsed_file(&inv, id);
    let source = inv.file(id).cloned().unwrap_or(source);
    FileReport::new(source, parsed, post)
}

/// Counts findings by severity: (errors, warnings, infos).
pub(crate) fn counts(reports: &[FileReport]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for d in reports.iter().flat_map(|r| &r.findings) {
        match d.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
            Severity::Info => c.2 += 1,
        }
    }
    c
}

/// Runs `work`, showing `done/total` on standard error while it runs when standard error is a
/// terminal and there are enough files for the wait to be noticeable.
fn with_progress<T>(total: usize, work: impl FnOnce(&std::sync::atomic::AtomicUsize) -> T) -> T {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let done = AtomicUsize::new(0);
    if total < 500 || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return work(&done);
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                eprint!("\rkmsguard: {}/{total} files", done.load(Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprint!("\r{:width$}\r", "", width = 40);
        });
        let out = work(&done);
        finished.store(true, Ordering::Relaxed);
        out
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use kmsguard_syntax::{Code, Diagnostic};

    impl FileReport {
        fn with_findings(mut self, findings: Vec<Diagnostic>) -> Self {
            self.findings = findings;
            self
        }
    }

    fn report(text: &str, findings: usize) -> FileReport {
        FileReport(Box::new(Report {
            source: SourceFile::new("a.json", text),
            summary: Summary::default(),
            findings: (0..findings)
                .map(|_| Diagnostic::warning(Code::new("K001", "test"), "m"))
                .collect(),
            rendered: None,
            unreadable: None,
        }))
    }

    /// The results of the files move through each thread's list and are merged into file
    /// order: a report is a pointer, and a result no larger than the error's `String`.
    #[test]
    fn results_are_small() {
        assert_eq!(
            std::mem::size_of::<FileReport>(),
            std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Result<FileReport, String>>(),
            std::mem::size_of::<String>()
        );
    }

    /// A file with findings keeps its text, one without lets it go to the spare buffer, and
    /// every text stays with `all` (JSON output).
    #[test]
    fn keep_text_keeps_what_outputs_need() {
        let mut found = report("{\"a\": 1}", 1);
        keep_text(&mut found, Keep::WithFindings);
        assert_eq!(found.source.text(), "{\"a\": 1}");
        assert_eq!(found.source.name(), "a.json");

        SPARE_TEXT.set(String::new());
        let mut clean = report("{\"b\": 2}", 0);
        keep_text(&mut clean, Keep::WithFindings);
        assert_eq!(clean.source.text(), "");
        assert_eq!(clean.source.name(), "a.json");
        assert_eq!(SPARE_TEXT.take(), "{\"b\": 2}");

        let mut all = report("{\"c\": 3}", 0);
        keep_text(&mut all, Keep::All);
        assert_eq!(all.source.text(), "{\"c\": 3}");
    }

    /// Only JSON output keeps the list of documents; every output keeps their number.
    #[test]
    fn documents_are_counted_when_their_list_goes() {
        let with_document = || {
            let mut r = report("{}", 1);
            r.summary.documents.push(DocumentSummary {
                location: "$".to_owned(),
                name: None,
                kind: "policy",
                policy_kind: None,
                statements: Some(0),
                span: Span::new(0, 2),
            });
            r.summary.count = 1;
            r
        };
        for keep in [
            Keep::WithFindings,
            Keep::Rendered(output::human::options(false)),
        ] {
            let mut r = with_document();
            keep_text(&mut r, keep);
            assert!(r.summary.documents.is_empty(), "{keep:?}");
            assert_eq!(r.summary.document_count(), 1, "{keep:?}");
        }
        let mut r = with_document();
        keep_text(&mut r, Keep::All);
        assert_eq!(r.summary.documents.len(), 1);
        assert_eq!(r.summary.document_count(), 1);
    }

    /// For human output a file's findings are rendered before its text goes: the rendering is
    /// what the writer would have made of the kept text, and the input-error status is
    /// decided from the text first.
    #[test]
    fn rendered_findings_are_what_the_text_gives() {
        let options = output::human::options(false);
        // A template that is not YAML: an input error, whatever the text no longer says.
        let text = "Resources: [\n";
        let template = |findings: Vec<Diagnostic>| {
            FileReport(Box::new(Report {
                source: SourceFile::new("t.yaml", text),
                ..*report("", 0).0
            }))
            .with_findings(findings)
        };
        let findings = vec![Diagnostic::error(Code::P001, "bad").label(Span::new(11, 12), "here")];
        let with_text = template(findings.clone());
        let expected =
            output::human::render_findings(&with_text.findings, &with_text.source, options);
        assert!(expected.contains("here"), "{expected}");
        assert!(with_text.unreadable_template());
        let mut rendered = template(findings);
        keep_text(&mut rendered, Keep::Rendered(options));
        assert_eq!(rendered.rendered.as_deref(), Some(expected.as_str()));
        assert_eq!(rendered.source.text(), "");
        assert!(rendered.unreadable_template());

        // A file without findings keeps nothing of its own: its text goes back to the spare
        // buffer, and it shares one empty, nameless source with the other such files.
        SPARE_TEXT.set(String::new());
        let mut clean = report("{\"d\": 4}", 0);
        keep_text(&mut clean, Keep::Rendered(options));
        assert_eq!(clean.rendered, None);
        assert_eq!(clean.source.text(), "");
        assert_eq!(clean.source.name(), "");
        assert!(!clean.unreadable_template());
        assert_eq!(SPARE_TEXT.take(), "{\"d\": 4}");
        let mut other = report("{}", 0);
        keep_text(&mut other, Keep::Rendered(options));
        // One allocation for both names (an empty `Arc<str>` still has one of its own).
        assert!(std::ptr::eq(clean.source.name(), other.source.name()));
    }
}
