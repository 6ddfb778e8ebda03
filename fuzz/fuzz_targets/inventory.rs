//! The CloudFormation (YAML and JSON), Terraform plan and AWS CLI readers, and the scenario
//! checks over what they read, never panic on arbitrary text. Run with `cargo fuzz run
//! inventory` (nightly) from this folder.
#![no_main]

use std::path::Path;

use kmsguard_inventory::{Inventory, LoadOptions, SourceFormat, read_file, scenarios};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (name, format) = match selector % 4 {
        0 => ("t.yaml", Some(SourceFormat::CloudFormation)),
        1 => ("t.json", Some(SourceFormat::CloudFormation)),
        2 => ("plan.json", Some(SourceFormat::Terraform)),
        _ => ("out.json", None),
    };
    let mut inv = Inventory::default();
    let options = LoadOptions {
        format,
        ..LoadOptions::default()
    };
    let _ = read_file(&mut inv, Path::new(name), text.to_owned(), &options);
    let _ = scenarios::run(&inv);
});
