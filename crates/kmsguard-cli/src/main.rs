//! The `kmsguard` command. All file and terminal IO of the project lives in this crate.

mod baseline;
mod can;
mod check;
mod config;
mod crew;
mod files;
mod inventory_cmd;
mod lint;
mod output;
mod place;
mod scan;

use std::process::ExitCode;

// kmsguard allocates many small strings and trees while it reads inventories; mimalloc makes
// that markedly cheaper than the system allocator (README, Benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// Exit status: no error-level finding.
const EXIT_OK: u8 = 0;
/// Exit status: at least one error-level finding (or a denied request).
const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage error or unreadable input.
const EXIT_USAGE: u8 = 2;

/// Check, evaluate and lint AWS KMS key policies, IAM policies and KMS grants.
#[derive(Debug, Parser)]
#[command(name = "kmsguard", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse policies, grants and AWS CLI outputs and report what AWS would reject.
    Check(check::CheckArgs),
    /// Decide whether a principal can perform an action on a resource, and explain why.
    /// Exit 0 Allow, 1 denied, 2 usage or input error, 3 Indeterminate.
    Can(Box<can::CanArgs>),
    /// Lint policies, grants and key metadata: validity, security and operational rules.
    /// Exit 0 clean, 1 findings at or above `--fail-on`, 2 usage or input error.
    Lint(lint::LintArgs),
    /// Read an inventory (AWS CLI outputs, CloudFormation templates, Terraform plans) and run
    /// every lint rule and every scenario check (S3 replication, image sharing, multi-Region
    /// keys, rotation). Exit codes as `lint`.
    Scan(scan::ScanArgs),
    /// List every principal of an inventory that can call an action on a key, with the path
    /// that admits it.
    WhoCan(inventory_cmd::WhoCanArgs),
    /// List the keys of an inventory a principal can use, with the actions.
    Access(inventory_cmd::AccessArgs),
    /// List the lint rules and scenario checks.
    Rules,
    /// Print a rule's documentation: `kmsguard explain K201` or `kmsguard explain public-key`.
    Explain {
        /// The rule's code or name.
        rule: String,
    },
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Diagnostics with source snippets.
    #[default]
    Human,
    /// One JSON document (schema in README.md).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// When to colour human output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

fn main() -> ExitCode {
    // Small pages until a command knows it reads large inputs (see `small_pages`): the pages
    // that argument parsing and the directory walk touch first are then not cleared 2 MiB at
    // a time on the main thread while the worker threads wait for the file list.
    small_pages();
    // `--version` names the service catalog compiled in, so that an unknown-action finding can
    // be traced to the catalog that did not know the action.
    let catalog = kmsguard_catalog::catalog();
    let version = format!(
        "{} (AWS service catalog {}, data of {})",
        env!("CARGO_PKG_VERSION"),
        catalog.version(),
        catalog.data_updated()
    );
    let parsed = Cli::command()
        .version(version)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version on stdout with success; everything else is a usage error.
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let command = cli.command;
    // These read one inventory or a few large files, where huge pages pay (`lint` and `check`
    // decide from the number of files).
    if matches!(
        command,
        Command::Can(_) | Command::Scan(_) | Command::WhoCan(_) | Command::Access(_)
    ) {
        large_pages();
    }
    let code = match command {
        Command::Check(args) => check::run(&args),
        Command::Can(args) => can::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Scan(args) => scan::run(&args),
        Command::WhoCan(args) => inventory_cmd::who_can(&args),
        Command::Access(args) => inventory_cmd::access(&args),
        Command::Rules => rules(),
        Command::Explain { rule } => explain(&rule),
    };
    ExitCode::from(code)
}

/// Asks the kernel for small pages from now on: the default of a run, for one over many small
/// files (see [`large_pages`] for the others).
///
/// The allocator asks for transparent huge pages, so the first touch of each 2 MiB of its
/// arenas has the kernel clear all of it. One large input (a plan, an inventory) uses what it
/// touches and gains from the larger pages, but a run over a thousand small policies touches
/// sparse pieces of many of them: there the clearing was 17% of the CPU, and small pages make
/// `lint` of the 1,645 managed policies about 8% faster while costing 20% on one 3.5 MB plan.
/// Failure (an old kernel) only leaves the default.
#[cfg(target_os = "linux")]
pub(crate) fn small_pages() {
    let _ = nix::sys::prctl::set_thp_disable(true);
}

/// Huge pages are a Linux setting; elsewhere there is nothing to change.
#[cfg(not(target_os = "linux"))]
pub(crate) fn small_pages() {}

/// Gives the allocator its huge pages back, for a run over one or a few large inputs (memory
/// touched from now on).
#[cfg(target_os = "linux")]
pub(crate) fn large_pages() {
    let _ = nix::sys::prctl::set_thp_disable(false);
}

/// See [`small_pages`].
#[cfg(not(target_os = "linux"))]
pub(crate) fn large_pages() {}

/// Lets go of `value` without running its destructors. The command is about to exit, and
/// freeing a loaded inventory (or the policies compiled from it) piece by piece takes a
/// noticeable share of a large query's time, for memory the process gives back anyway.
pub(crate) fn skip_drop<T>(value: T) {
    std::mem::forget(value);
}

/// Whether to colour human output on standard output.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

fn rules() -> u8 {
    let mut out =
        String::from("CODE  NAME                             SEVERITY  CATEGORY     SUMMARY\n");
    for r in kmsguard_lint::registry::RULES {
        let m = r.meta();
        out.push_str(&format!(
            "{:<5} {:<32} {:<9} {:<12} {}\n",
            m.code.as_str(),
            m.code.name(),
            m.severity.name(),
            m.category.name(),
            m.summary()
        ));
    }
    for m in kmsguard_inventory::scenarios::SCENARIOS {
        out.push_str(&format!(
            "{:<5} {:<32} {:<9} {:<12} {}\n",
            m.code.as_str(),
            m.code.name(),
            m.severity.name(),
            "scenario",
            m.summary
        ));
    }
    print!("{out}");
    EXIT_OK
}

fn explain(rule: &str) -> u8 {
    match kmsguard_lint::registry::find(rule) {
        Some(r) => {
            let m = r.meta();
            println!("# {} {}\n", m.code.as_str(), m.code.name());
            println!(
                "severity: {}; category: {}; since {}\n",
                m.severity.name(),
                m.category.name(),
                m.since
            );
            println!("{}", m.docs_text());
            EXIT_OK
        }
        None => match kmsguard_inventory::scenarios::SCENARIOS
            .iter()
            .find(|m| m.code.as_str().eq_ignore_ascii_case(rule) || m.code.name() == rule)
        {
            Some(m) => {
                println!("# {} {}\n", m.code.as_str(), m.code.name());
                println!("severity: {}; category: scenario\n", m.severity.name());
                println!("{}\n\n{}", m.summary, m.why);
                EXIT_OK
            }
            None => {
                eprintln!("error: no rule `{rule}`; `kmsguard rules` lists them");
                EXIT_USAGE
            }
        },
    }
}
