//! Parses and lints a directory of JSON files N times on one thread (for profiling):
//! `lint_corpus DIR N`.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "fixtures/corpus/aws-managed-policies".to_owned());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    Some((
                        e.path().display().to_string(),
                        std::fs::read_to_string(e.path()).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    // `ONLY=K201` runs one rule; `ONLY=none` none (parse cost only).
    let only = std::env::var("ONLY").ok();
    let enabled =
        |m: &kmsguard_lint::RuleMeta| only.as_deref().is_none_or(|o| m.code.as_str() == o);
    let mut findings = 0;
    for _ in 0..n {
        for (name, text) in &files {
            let parsed =
                kmsguard_syntax::parse_text(text, &kmsguard_syntax::ParseOptions::default());
            let source = kmsguard_syntax::SourceFile::new(name.as_str(), text.as_str());
            findings += kmsguard_lint::lint_file(&parsed, &source, &enabled).len();
        }
    }
    println!("{findings}");
}
