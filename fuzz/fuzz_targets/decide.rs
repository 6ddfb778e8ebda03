//! Deciding never panics: the input bytes become a few policy texts (key, resource or trust
//! policy, identity policies, boundary, session policy, SCP and RCP levels, grants) and a
//! request (principal, action, resource, context keys) chosen by selector bytes from small
//! vocabularies; the policies are read with `PolicySource::parse`, built into a `PolicySet`, and
//! the request is decided and explained (the two must agree). Run with
//! `cargo +nightly fuzz run decide` from this folder.
//!
//! The body lives in `crates/kmsguard-eval/tests/common/fuzz_body.rs`, which
//! `tests/properties.rs` also runs on stable over arbitrary bytes and damaged oracle policies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzz_body::run(data);
});

#[path = "../../crates/kmsguard-eval/tests/common/fuzz_body.rs"]
mod fuzz_body;
