//! Baselines: record today's findings, then report only new ones. A finding is identified by
//! file, code, Sid and message (not by position), so edits elsewhere in a file keep it matched.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::FileReport;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    path: String,
    code: String,
    sid: Option<String>,
    message: String,
}

fn entries(reports: &[FileReport]) -> Vec<Entry> {
    let mut out: Vec<Entry> = reports
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |d| Entry {
                path: r.source.name().to_owned(),
                code: d.code.as_str().to_owned(),
                sid: r.summary.sid_at(d),
                message: d.message.clone(),
            })
        })
        .collect();
    out.sort();
    out
}

/// Filters `reports` against the baseline at `path`, or writes it when it does not exist or
/// `update` is set. Returns a note for standard error.
pub(crate) fn apply(
    path: &Path,
    reports: &mut [FileReport],
    update: bool,
) -> Result<Option<String>, String> {
    if update || !path.exists() {
        let file = File {
            version: 1,
            findings: entries(reports),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write baseline `{}`: {e}", path.display()))?;
        for r in reports.iter_mut() {
            r.findings.clear();
        }
        return Ok(Some(format!(
            "recorded {} finding(s) in baseline `{}`",
            file.findings.len(),
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    let file: File =
        serde_json::from_str(&text).map_err(|e| format!("baseline `{}`: {e}", path.display()))?;
    let known: BTreeSet<Entry> = file.findings.into_iter().collect();
    let mut hidden = 0usize;
    for r in reports.iter_mut() {
        let keep: Vec<bool> = r
            .findings
            .iter()
            .map(|d| {
                let e = Entry {
                    path: r.source.name().to_owned(),
                    code: d.code.as_str().to_owned(),
                    sid: r.summary.sid_at(d),
                    message: d.message.clone(),
                };
                !known.contains(&e)
            })
            .collect();
        let mut i = 0;
        r.findings.retain(|_| {
            let k = keep.get(i).copied().unwrap_or(true);
            i += 1;
            if !k {
                hidden += 1;
            }
            k
        });
    }
    Ok((hidden > 0).then(|| {
        format!(
            "{hidden} finding(s) already in baseline `{}` not shown",
            path.display()
        )
    }))
}
