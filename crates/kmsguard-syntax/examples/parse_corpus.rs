//! Parses a directory of JSON files N times (for profiling): `parse_corpus DIR N`.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "fixtures/corpus/aws-managed-policies".to_owned());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let files: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| std::fs::read(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    let options = kmsguard_syntax::ParseOptions::default();
    let mut docs = 0;
    for _ in 0..n {
        for f in &files {
            docs += kmsguard_syntax::parse_bytes(f, &options).documents.len();
        }
    }
    println!("{docs}");
}
