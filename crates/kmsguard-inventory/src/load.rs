//! Recognises each input file by its content and hands it to its reader.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kmsguard_syntax::{Code, Diagnostic, SourceFile, Span, json};

use crate::aws_cli::manifest::{self, Manifest, OrgAccountEntry};
use crate::model::{FileId, Inventory, OrgAccount, State};
use crate::{aws_cli, cloudformation, terraform};

/// The families of input a file can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// AWS CLI JSON output, or a bare policy / grant document.
    AwsCli,
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
    /// A Terraform plan (`terraform show -json`).
    Terraform,
}

impl SourceFormat {
    /// Recognises a file by its name and text: YAML files and JSON documents with
    /// `AWSTemplateFormatVersion` or `Resources` are templates, JSON documents with
    /// `planned_values` or `resource_changes` are plans, everything else is CLI output.
    #[must_use]
    pub fn detect(path: &Path, text: &str) -> Self {
        let yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if yaml || cloudformation::looks_like_template(text) {
            Self::CloudFormation
        } else if terraform::looks_like_plan(text) {
            Self::Terraform
        } else {
            Self::AwsCli
        }
    }
}

/// How to read files.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Force a family instead of recognising it.
    pub format: Option<SourceFormat>,
    /// The account a template deploys to (`AWS::AccountId`); unknown when `None`.
    pub account: Option<String>,
    /// The Region a template deploys to (`AWS::Region`); unknown when `None`.
    pub region: Option<String>,
    /// State to give items of files the manifest says nothing about (CLI outputs default to
    /// current, templates and plans to proposed).
    pub state: Option<State>,
}

/// Reads one file's text into `inv`. Returns the file's id; problems are recorded in
/// [`Inventory::diagnostics`].
pub fn read_file(inv: &mut Inventory, path: &Path, text: String, options: &LoadOptions) -> FileId {
    let format = options
        .format
        .unwrap_or_else(|| SourceFormat::detect(path, &text));
    let file = inv.add_file(SourceFile::new(path.display().to_string(), text));
    match format {
        SourceFormat::AwsCli => aws_cli::read(inv, file, options),
        SourceFormat::CloudFormation => cloudformation::read(inv, file, options),
        SourceFormat::Terraform => terraform::read(inv, file, options),
    }
    file
}

/// Reads files and directories (searched for `*.json`, `*.yaml`, `*.yml`, and a
/// `kmsguard.inventory.toml` manifest in each directory given).
///
/// Directories are walked in sorted order, so the inventory (and which of two descriptions
/// of the same thing wins) does not depend on the file system. Each directory's manifest
/// applies to its files and those below it; the nearest manifest's values win, then the
/// manifest's over `options`. Every file goes to its reader through the same recognition as
/// [`read_file`]; AWS CLI outputs also get what the manifest says about them.
///
/// # Errors
/// A path that cannot be read or an invalid manifest, with the path (and the line) and the
/// reason.
pub fn load_paths(paths: &[PathBuf], options: &LoadOptions) -> Result<Inventory, String> {
    let mut loader = Loader {
        inv: Inventory::default(),
        session: aws_cli::Session::default(),
        seen: std::collections::HashSet::default(),
        org: Vec::new(),
        client_side: Vec::new(),
        pending: Vec::new(),
        options,
    };
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            loader.walk(path, &mut Vec::new())?;
        } else {
            let dir = path.parent().unwrap_or_else(|| Path::new(""));
            let mut chain = Vec::new();
            if let Some(m) = Manifest::load(dir).map_err(|e| e.to_string())? {
                chain.push(Arc::new(m));
            }
            loader.file(path, &chain);
        }
    }
    loader.read_pending()?;
    let Loader {
        mut inv,
        mut session,
        org,
        client_side,
        ..
    } = loader;
    inv.client_side_encryption = client_side;
    session.finish(&mut inv);
    for entry in org {
        let account = OrgAccount {
            account: entry.id,
            path: entry.path,
            management: entry.management,
        };
        match inv
            .org_accounts
            .iter_mut()
            .find(|a| a.account == account.account)
        {
            Some(existing) => *existing = account,
            None => inv.org_accounts.push(account),
        }
    }
    Ok(inv)
}

/// The state of one [`load_paths`] call.
struct Loader<'o> {
    inv: Inventory,
    session: aws_cli::Session,
    /// Files already read (a path given twice is read once), by normalised path: the bytes of
    /// a normalised path are equal exactly when its components are, and hashing them is much
    /// cheaper than ordering paths component by component.
    seen: std::collections::HashSet<std::ffi::OsString, foldhash::fast::RandomState>,
    /// `[[organization.account]]` entries of every manifest, applied last.
    org: Vec<OrgAccountEntry>,
    /// `[[client_side_encryption]]` entries of every manifest.
    client_side: Vec<crate::model::ClientSideEncryption>,
    /// Files found, in reading order, with the manifests that apply to each.
    pending: Vec<(PathBuf, Vec<Arc<Manifest>>)>,
    options: &'o LoadOptions,
}

/// A file read and, for CLI outputs, parsed (both in parallel, before the sequential reading
/// that relates files to each other).
struct Prepared {
    source: SourceFile,
    utf8_error: Option<usize>,
    format: SourceFormat,
    options: LoadOptions,
    hints: aws_cli::manifest::FileHints,
}

impl Loader<'_> {
    /// Reads a directory: its manifest, then its entries in name order.
    fn walk(&mut self, dir: &Path, chain: &mut Vec<Arc<Manifest>>) -> Result<(), String> {
        let manifest = Manifest::load(dir).map_err(|e| e.to_string())?;
        let pushed = manifest.is_some();
        if let Some(m) = manifest {
            self.org.extend(m.organization.iter().cloned());
            self.client_side
                .extend(m.client_side_encryption.iter().cloned());
            chain.push(Arc::new(m));
        }
        let mut entries = std::fs::read_dir(dir)
            .and_then(|rd| rd.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            // Symbolic links to directories are not followed (no cycles).
            if kind.is_dir() {
                self.walk(&path, chain)?;
            } else if is_input(&path)
                // The entry's type says what `is_file` would, without another `stat`, except
                // for a symbolic link (followed to a file).
                && (kind.is_file() || (kind.is_symlink() && path.is_file()))
            {
                self.file(&path, chain);
            }
        }
        if pushed {
            chain.pop();
        }
        Ok(())
    }

    /// Queues one file with the manifests that apply to it (a path given twice is read once).
    fn file(&mut self, path: &Path, chain: &[Arc<Manifest>]) {
        if path.file_name().is_some_and(|n| n == manifest::FILE_NAME)
            || !self.seen.insert(manifest::normalize(path).into_os_string())
        {
            return;
        }
        self.pending.push((path.to_path_buf(), chain.to_vec()));
    }

    /// Reads every queued file: the bytes and the JSON of CLI outputs in parallel, then each
    /// file in order (later files may refer to what earlier ones described).
    ///
    /// The two overlap: files are read and parsed on the thread pool while this thread puts
    /// each into the inventory as soon as it and every file before it are parsed, so the
    /// sequential part does not leave the other cores idle.
    fn read_pending(&mut self) -> Result<(), String> {
        use rayon::prelude::*;
        let pending = std::mem::take(&mut self.pending);
        let options = self.options;
        // Filled by the pool, one per file; the parsed JSON borrows the text kept here.
        let slots: Vec<std::sync::OnceLock<Result<Prepared, String>>> =
            pending.iter().map(|_| std::sync::OnceLock::new()).collect();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel::<(usize, Option<Parsed<'_>>)>();
            let (pending, slots) = (&pending, &slots);
            scope.spawn(move || {
                pending
                    .par_iter()
                    .zip(slots.par_iter())
                    .enumerate()
                    .for_each_with(tx, |tx, (i, ((path, chain), slot))| {
                        let parsed = match slot.get_or_init(|| prepare(path, chain, options)) {
                            Ok(p) => parse(p),
                            Err(_) => None,
                        };
                        // The receiver is gone only when reading stopped at an error.
                        let _ = tx.send((i, parsed));
                    });
            });
            // Files parsed ahead of their turn wait here.
            let mut ahead: Vec<Option<Option<Parsed<'_>>>> = pending.iter().map(|_| None).collect();
            for (i, ((path, _), slot)) in pending.iter().zip(slots).enumerate() {
                let root = loop {
                    if let Some(parsed) = ahead.get_mut(i).and_then(Option::take) {
                        break parsed;
                    }
                    match rx.recv() {
                        Ok((j, parsed)) => {
                            if let Some(a) = ahead.get_mut(j) {
                                *a = Some(parsed);
                            }
                        }
                        // Every file was sent: this one was not prepared (cannot happen).
                        Err(_) => break None,
                    }
                };
                let p = match slot.get() {
                    Some(Ok(p)) => p,
                    Some(Err(e)) => return Err(e.clone()),
                    None => return Err(format!("{}: not read", path.display())),
                };
                self.read_prepared(path, p, root);
            }
            Ok(())
        })
    }

    /// Puts one prepared file into the inventory (`root`: its JSON and read-ahead, for CLI
    /// outputs).
    fn read_prepared(&mut self, path: &Path, p: &Prepared, root: Option<Parsed<'_>>) {
        if let Some(at) = p.utf8_error {
            let file = self.inv.add_file(p.source.clone());
            let d = Diagnostic::error(Code::P002, "the input is not valid UTF-8")
                .label(Span::at(at), "invalid UTF-8 starts here")
                .help("save the file as UTF-8");
            self.inv.diagnostics.push((file, d));
            return;
        }
        match root {
            Some((root, ahead)) => {
                let file = self.inv.add_file(p.source.clone());
                aws_cli::read_parsed(
                    &mut self.inv,
                    file,
                    &p.options,
                    &p.hints,
                    &mut self.session,
                    root.as_ref(),
                    ahead,
                );
            }
            None => {
                read_file(&mut self.inv, path, p.source.text().to_owned(), &p.options);
            }
        }
    }
}

/// A CLI output's JSON, and what [`aws_cli::read_ahead`] read of it.
type Parsed<'t> = (
    Result<json::Node<'t>, json::JsonError>,
    Option<(kmsguard_syntax::InputFormat, kmsguard_syntax::ParsedFile)>,
);

/// Reads one file, with the options and hints the manifests give it.
fn prepare(
    path: &Path,
    chain: &[Arc<Manifest>],
    options: &LoadOptions,
) -> Result<Prepared, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (text, utf8_error) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    let (options, hints) = options_for(options, path, chain);
    let format = options
        .format
        .unwrap_or_else(|| SourceFormat::detect(path, &text));
    Ok(Prepared {
        source: SourceFile::new(path.display().to_string(), text),
        utf8_error,
        format,
        options,
        hints,
    })
}

/// Parses a CLI output (`None` for other files, and for text that is not UTF-8).
fn parse(p: &Prepared) -> Option<Parsed<'_>> {
    (p.format == SourceFormat::AwsCli && p.utf8_error.is_none()).then(|| {
        let root = json::parse(p.source.text(), &json::Limits::default());
        let ahead = root
            .as_ref()
            .ok()
            .and_then(|r| aws_cli::read_ahead(p.source.text(), r, &p.hints));
        (root, ahead)
    })
}

/// The options and hints the manifests give one file.
fn options_for(
    options: &LoadOptions,
    path: &Path,
    chain: &[Arc<Manifest>],
) -> (LoadOptions, aws_cli::manifest::FileHints) {
    let mut options = options.clone();
    for m in chain {
        options.account = m.account.clone().or(options.account);
        options.region = m.region.clone().or(options.region);
        options.state = m.state.or(options.state);
    }
    let entry = chain.iter().rev().find_map(|m| m.entry(path));
    let hints = entry.map(|e| e.hints.clone()).unwrap_or_default();
    if let Some(e) = entry {
        options.account = e.account.clone().or(options.account);
        options.region = e.region.clone().or(options.region);
        options.state = e.state.or(options.state);
    }
    (options, hints)
}

/// Whether a directory entry is an input: `*.json`, `*.yaml`, `*.yml`.
fn is_input(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "yaml", "yml"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}
