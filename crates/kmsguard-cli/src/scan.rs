//! `kmsguard scan`: read an inventory (AWS CLI outputs, CloudFormation templates, Terraform
//! plans), run every lint rule on each document and every scenario check across them, and
//! report with the same outputs, configuration, suppressions, baseline and exit codes as
//! `kmsguard lint`.

use std::path::{Path, PathBuf};

use kmsguard_inventory::model::FileId;
use kmsguard_inventory::{LoadOptions, documents, scenarios};

use crate::EXIT_USAGE;
use kmsguard_syntax::Diagnostic;

use crate::check::{FileReport, Post};
use crate::lint::{ReportArgs, lint_file};

/// Arguments of `kmsguard scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Inventory directories and files (AWS CLI JSON outputs, CloudFormation templates,
    /// Terraform plans; a `kmsguard.inventory.toml` in a directory says what bare documents
    /// belong to).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    /// The account templates and plans deploy to (`AWS::AccountId`); a stand-in otherwise.
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    /// The Region templates and plans deploy to (`AWS::Region`); a stand-in otherwise.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Read every file as a CloudFormation template, a Terraform plan, or AWS CLI output,
    /// instead of recognising each by its content.
    #[arg(long, value_enum)]
    input_family: Option<crate::check::Family>,
    /// Run only the scenario checks, not the per-document lint rules.
    #[arg(long)]
    scenarios_only: bool,
}

pub(crate) fn run(args: &ScanArgs) -> u8 {
    let config = match args.report.config() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let options = LoadOptions {
        format: args.input_family.map(crate::check::Family::source_format),
        account: args.account.clone(),
        region: args.region.clone(),
        ..LoadOptions::default()
    };
    let inv = match kmsguard_inventory::load_paths(&args.paths, &options) {
        Ok(inv) => inv,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let mut scenario_findings: Vec<Vec<Diagnostic>> = Vec::new();
    scenario_findings.resize_with(inv.files.len(), Vec::new);
    for f in scenarios::run(&inv) {
        if let Some(found) = scenario_findings.get_mut(f.file.0 as usize) {
            found.push(f.diagnostic);
        }
    }
    let rules = !args.scenarios_only;
    let mut reports = reports_of(&inv, scenario_findings, &|source, parsed, findings| {
        lint_file(&config, source, parsed, findings, rules);
    });
    drop_intended_external_access(&inv, &mut reports);
    reports.retain(|r| !config.excluded(Path::new(r.source.name())));
    let code = args.report.finish(&mut reports, false);
    crate::skip_drop(reports);
    crate::skip_drop(inv);
    code
}

/// One report per inventory file, in file order: the readers' diagnostics, then `extra`
/// (the file's scenario findings), both passed through `post` (in parallel).
pub(crate) fn reports_of(
    inv: &kmsguard_inventory::Inventory,
    extra: Vec<Vec<Diagnostic>>,
    post: &Post<'_>,
) -> Vec<FileReport> {
    use rayon::prelude::*;
    let mut extra = extra.into_iter();
    let files: Vec<_> = inv
        .files
        .iter()
        .zip(documents::parsed_files(inv))
        .map(|(source, mut parsed)| {
            parsed
                .diagnostics
                .append(&mut extra.next().unwrap_or_default());
            (source, parsed)
        })
        .collect();
    files
        .into_par_iter()
        .map(|(source, parsed)| FileReport::new(source.clone(), parsed, post))
        .collect()
}

/// External access (K209) to an account the inventory says is meant to use the key (an image
/// shared with it, a replication role of it) is intended: `scan` knows why it is there.
fn drop_intended_external_access(inv: &kmsguard_inventory::Inventory, reports: &mut [FileReport]) {
    for (i, r) in reports.iter_mut().enumerate() {
        let file = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        r.findings.retain(|d| {
            if d.code.as_str() != "K209" {
                return true;
            }
            let Some(key) = documents::key_of_policy_at(inv, file, d.primary_span()) else {
                return true;
            };
            let intended = documents::intended_external_accounts(inv, key);
            !intended
                .iter()
                .any(|a| d.message.contains(&format!("account `{a}`")))
        });
    }
}
