//! SARIF 2.1.0 output, as GitHub code scanning reads it. Validated against the OASIS schema in
//! `tests/lint.rs`.

use std::io::{self, Write};

use kmsguard_syntax::{Code, Diagnostic, Severity, SourceFile};
use serde::Serialize;

use crate::check::FileReport;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "kmsguardFinding/v1")]
    finding: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Every code kmsguard can report, with its description: reading and grammar codes, then the
/// linter's rules.
fn rules() -> Vec<(Code, Severity, String, String)> {
    let mut out: Vec<(Code, Severity, String, String)> = Code::ALL
        .iter()
        .map(|&c| {
            (
                c,
                Severity::Error,
                c.name().replace('-', " "),
                String::new(),
            )
        })
        .collect();
    for r in kmsguard_lint::registry::RULES {
        let m = r.meta();
        out.push((m.code, m.severity, m.summary(), m.docs_text()));
    }
    out
}

/// A stable identity for a finding that survives edits elsewhere in the file: FNV-1a over the
/// path, code and message.
pub(crate) fn fingerprint(path: &str, d: &Diagnostic) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path
        .bytes()
        .chain([0])
        .chain(d.code.as_str().bytes())
        .chain([0])
        .chain(d.message.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The path as a relative URI: forward slashes, no leading `./`.
fn uri(source: &SourceFile) -> std::borrow::Cow<'_, str> {
    let name = source.name().strip_prefix("./").unwrap_or(source.name());
    if name.contains('\\') {
        std::borrow::Cow::Owned(name.replace('\\', "/"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

pub(crate) fn write(reports: &[FileReport]) -> io::Result<()> {
    let rules = rules();
    let mut results = Vec::new();
    for r in reports {
        for d in &r.findings {
            let span = d.primary_span();
            let (a, b) = (r.source.line_col(span.start), r.source.line_col(span.end));
            let rule_index = rules.iter().position(|(c, ..)| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(". Fix: ");
                text.push_str(help);
            }
            results.push(SarifResult {
                rule_id: d.code.as_str(),
                rule_index,
                level: level(d.severity),
                message: Text { text },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&r.source),
                        },
                        region: Region {
                            start_line: a.line,
                            start_column: a.column,
                            end_line: b.line,
                            end_column: b.column.max(1),
                        },
                    },
                }],
                partial_fingerprints: Fingerprints {
                    finding: fingerprint(r.source.name(), d),
                },
            });
        }
    }
    let driver = Driver {
        name: "kmsguard",
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: "https://github.com/kmsguard/kmsguard",
        rules: rules
            .into_iter()
            .map(|(code, severity, summary, docs)| RuleOut {
                id: code.as_str(),
                name: code.name(),
                short_description: Text {
                    text: summary.clone(),
                },
                full_description: Text {
                    text: if docs.is_empty() {
                        summary.clone()
                    } else {
                        docs.clone()
                    },
                },
                help: Text {
                    text: if docs.is_empty() { summary } else { docs },
                },
                default_configuration: Configuration {
                    level: level(severity),
                },
            })
            .collect(),
    };
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let stdout = io::stdout();
    let mut lock = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut lock, &log).map_err(io::Error::other)?;
    lock.write_all(b"\n")?;
    lock.flush()
}
