//! Measures the cost of common catalog lookups. Run with
//! `cargo run -p kmsguard-catalog --release --example lookup_cost`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "example")]

use std::hint::black_box;
use std::time::Instant;

use kmsguard_catalog::catalog;

fn time(label: &str, iterations: u32, mut f: impl FnMut()) {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed() / iterations;
    println!("{label:<55} {per:>10.2?}");
}

fn main() {
    let c = catalog();
    let n = 200_000;
    time("service(\"kms\")", n, || {
        black_box(c.service(black_box("kms")));
    });
    time(
        "action(\"ec2:DescribeInstances\") (ec2: ~800 actions)",
        n,
        || {
            black_box(c.action(black_box("ec2:DescribeInstances")));
        },
    );
    time("action(\"KMS:decrypt\") (mixed case)", n, || {
        black_box(c.action(black_box("KMS:decrypt")));
    });
    time("action(\"kms:NoSuchAction\") (miss)", n, || {
        black_box(c.action(black_box("kms:NoSuchAction")));
    });
    let kms = c.service("kms").unwrap();
    time("kms matching_actions(\"ReEncrypt*\").count()", n, || {
        black_box(kms.matching_actions(black_box("ReEncrypt*")).count());
    });
    let ec2 = c.service("ec2").unwrap();
    time(
        "ec2 matching_actions(\"*Vpc*\").count() (full scan)",
        n / 10,
        || {
            black_box(ec2.matching_actions(black_box("*Vpc*")).count());
        },
    );
    time("condition_key(\"kms:ViaService\") (exact)", n, || {
        black_box(c.condition_key(black_box("kms:ViaService")));
    });
    time(
        "condition_key(\"kms:EncryptionContext:aws:s3:arn\")",
        n,
        || {
            black_box(c.condition_key(black_box("kms:EncryptionContext:aws:s3:arn")));
        },
    );
    time("condition_key(\"aws:PrincipalTag/dept\")", n, || {
        black_box(c.condition_key(black_box("aws:PrincipalTag/dept")));
    });
    let decrypt = kms.action("Decrypt").unwrap();
    time(
        "kms:Decrypt supports_condition_key(\"aws:SourceIp\")",
        n,
        || {
            black_box(decrypt.supports_condition_key(black_box("aws:SourceIp")));
        },
    );
    time(
        "kms:Decrypt supports_condition_key(\"kms:NoSuchKey\")",
        n,
        || {
            black_box(decrypt.supports_condition_key(black_box("kms:NoSuchKey")));
        },
    );
    time("suggest_service(\"kmss\")", n / 100, || {
        black_box(c.suggest_service(black_box("kmss")));
    });
    time("ec2 suggest_action(\"DescribeInstnaces\")", n / 100, || {
        black_box(ec2.suggest_action(black_box("DescribeInstnaces")));
    });
}
