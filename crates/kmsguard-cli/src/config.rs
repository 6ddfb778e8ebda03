//! `kmsguard.toml`: rules on/off and severity overrides, excluded paths, and suppressions
//! scoped to file + code (+ Sid) with a required reason. Found in the working directory or the
//! nearest parent, or given with `--config`.
//!
//! ```toml
//! [rules]
//! K201 = "error"        # or "warning", "info", "off"; a rule's name works too
//!
//! [files]
//! exclude = ["fixtures/**"]
//!
//! [[suppress]]
//! path = "policies/partner/*.json"
//! code = "public-key"
//! sid = "PartnerAccess"          # optional: only findings inside this statement
//! reason = "shared with the partner under contract 42"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use kmsguard_syntax::{Code, Diagnostic, Severity};
use serde::Deserialize;

/// The file name searched for.
pub(crate) const FILE_NAME: &str = "kmsguard.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    suppress: Vec<RawSuppress>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    path: String,
    code: String,
    sid: Option<String>,
    reason: Option<String>,
}

/// What a rule setting says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    Off,
    Severity(Severity),
}

/// A suppression.
#[derive(Debug)]
pub(crate) struct Suppression {
    path: GlobMatcher,
    code: String,
    sid: Option<String>,
}

/// A loaded configuration.
#[derive(Debug, Default)]
pub(crate) struct Config {
    rules: BTreeMap<String, Setting>,
    exclude: Option<GlobSet>,
    suppress: Vec<Suppression>,
}

fn glob(pattern: &str) -> Result<Glob, String> {
    // `*` stays within a path segment; `**` crosses them.
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob `{pattern}`: {e}"))
}

/// Whether `code_or_name` is a known code or name (reader codes, lint rules, inventory reader
/// codes and scenario checks).
fn known(code_or_name: &str) -> bool {
    Code::ALL
        .iter()
        .any(|c| c.as_str().eq_ignore_ascii_case(code_or_name) || c.name() == code_or_name)
        || kmsguard_lint::registry::find(code_or_name).is_some()
        || kmsguard_inventory::codes()
            .iter()
            .any(|c| c.as_str().eq_ignore_ascii_case(code_or_name) || c.name() == code_or_name)
}

fn matches_code(code: Code, code_or_name: &str) -> bool {
    code.as_str().eq_ignore_ascii_case(code_or_name) || code.name() == code_or_name
}

impl Config {
    /// Finds `kmsguard.toml` in `start` or its parents.
    pub(crate) fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Reads and checks a configuration file.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| format!("`{}`: {e}", path.display()))?;
        let mut rules = BTreeMap::new();
        for (k, v) in raw.rules {
            if !known(&k) {
                return Err(format!(
                    "`{}`: unknown rule `{k}` in [rules] (see `kmsguard rules`)",
                    path.display()
                ));
            }
            let setting = match v.as_str() {
                "off" => Setting::Off,
                "error" => Setting::Severity(Severity::Error),
                "warning" => Setting::Severity(Severity::Warning),
                "info" => Setting::Severity(Severity::Info),
                other => {
                    return Err(format!(
                        "`{}`: rule `{k}`: `{other}` is not one of off, error, warning, info",
                        path.display()
                    ));
                }
            };
            rules.insert(k, setting);
        }
        let exclude = if raw.files.exclude.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &raw.files.exclude {
                b.add(glob(p).map_err(|e| format!("`{}`: {e}", path.display()))?);
            }
            Some(
                b.build()
                    .map_err(|e| format!("`{}`: {e}", path.display()))?,
            )
        };
        let mut suppress = Vec::new();
        for s in raw.suppress {
            if s.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(format!(
                    "`{}`: the suppression of `{}` in `{}` needs a `reason`",
                    path.display(),
                    s.code,
                    s.path
                ));
            }
            if !known(&s.code) {
                return Err(format!(
                    "`{}`: unknown code `{}` in a suppression",
                    path.display(),
                    s.code
                ));
            }
            let path_glob = glob(&s.path).map_err(|e| format!("`{}`: {e}", path.display()))?;
            suppress.push(Suppression {
                path: path_glob.compile_matcher(),
                code: s.code,
                sid: s.sid,
            });
        }
        Ok(Self {
            rules,
            exclude,
            suppress,
        })
    }

    /// The setting for a code, if configured.
    pub(crate) fn setting(&self, code: Code) -> Option<Setting> {
        self.rules
            .iter()
            .find(|(k, _)| matches_code(code, k))
            .map(|(_, v)| *v)
    }

    /// Whether a rule runs.
    pub(crate) fn enabled(&self, code: Code) -> bool {
        self.setting(code) != Some(Setting::Off)
    }

    /// Whether a path is excluded.
    pub(crate) fn excluded(&self, path: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(path.strip_prefix("./").unwrap_or(path)))
    }

    /// Applies severity overrides and drops disabled and suppressed findings. `sid_of` gives
    /// the Sid of the statement a finding is in.
    pub(crate) fn apply(
        &self,
        path: &str,
        findings: &mut Vec<Diagnostic>,
        sid_of: &dyn Fn(&Diagnostic) -> Option<String>,
    ) -> usize {
        let before = findings.len();
        let p = Path::new(path.strip_prefix("./").unwrap_or(path));
        findings.retain_mut(|d| {
            match self.setting(d.code) {
                Some(Setting::Off) => return false,
                Some(Setting::Severity(s)) => d.severity = s,
                None => {}
            }
            !self.suppress.iter().any(|s| {
                matches_code(d.code, &s.code)
                    && s.path.is_match(p)
                    && s.sid
                        .as_ref()
                        .is_none_or(|sid| sid_of(d).as_deref() == Some(sid.as_str()))
            })
        });
        before.saturating_sub(findings.len())
    }
}
