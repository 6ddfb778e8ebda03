//! Reading, detection and lowering never panic on arbitrary bytes, under every forced format
//! and policy kind. Run with `cargo fuzz run parse` (nightly) from this folder.
#![no_main]

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::{InputFormat, ParseOptions, parse_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_bytes(data, &ParseOptions::default());
    if let Some((&selector, rest)) = data.split_first() {
        let format = InputFormat::ALL.get(usize::from(selector % 8)).copied();
        let kind = PolicyKind::ALL.get(usize::from(selector / 8 % 9)).copied();
        let _ = parse_bytes(rest, &ParseOptions { format, kind, ..ParseOptions::default() });
    }
});
