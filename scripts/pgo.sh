#!/usr/bin/env bash
# Regenerates pgo/kmsguard.profdata, the profile `cargo build-static` optimises the workspace's
# crates with (see pgo/README.md):
#
#   scripts/pgo.sh
#
# 1. builds the static release binary instrumented to count how often each branch and
#    function runs (`-C profile-generate`), in target/pgo-gen;
# 2. runs it over the training inputs: the test fixtures (key policies, rule examples,
#    templates, plans, inventories, parse cases) and policies/, in every output format, but
#    none of the benchmark inputs (the managed-policy corpus, the generated inventory, plan and
#    template), so that the benchmarks measure a profile that has not seen them;
# 3. merges the counts with `llvm-profdata` into pgo/kmsguard.profdata.
#
# `llvm-profdata` must read the raw profile version of the LLVM inside rustc (`rustc -vV`):
# rustup's `llvm-tools` component has the matching one, or LLVM 19 or later (`apt-get install
# llvm-19`). The script looks for $LLVM_PROFDATA, then rustup's, then `llvm-profdata` and
# `llvm-profdata-NN` on the PATH, newest first.
set -euo pipefail
cd "$(dirname "$0")/.."

find_profdata() {
    if [ -n "${LLVM_PROFDATA:-}" ]; then
        echo "$LLVM_PROFDATA"
        return
    fi
    local rustup_bin
    rustup_bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
    if [ -x "$rustup_bin/llvm-profdata" ]; then
        echo "$rustup_bin/llvm-profdata"
        return
    fi
    local v
    for v in 22 21 20 19; do
        if command -v "llvm-profdata-$v" > /dev/null; then
            command -v "llvm-profdata-$v"
            return
        fi
        if [ -x "/usr/lib/llvm-$v/bin/llvm-profdata" ]; then
            echo "/usr/lib/llvm-$v/bin/llvm-profdata"
            return
        fi
    done
    command -v llvm-profdata || {
        echo "error: no llvm-profdata found (rustup component add llvm-tools, or apt-get install llvm-19)" >&2
        exit 2
    }
}
profdata=$(find_profdata)

target="${CARGO_TARGET_DIR:-target}/pgo-gen"
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT

# The flags of `cargo build-static` without the profile, plus the counters. RUSTFLAGS replaces
# the alias's target flags, so the static linking is repeated here.
RUSTFLAGS="-C target-feature=+crt-static -C profile-generate=$raw" \
    cargo build --release -p kmsguard-cli --target x86_64-unknown-linux-gnu --target-dir "$target"
bin="$target/x86_64-unknown-linux-gnu/release/kmsguard"

# One raw profile per process. Findings make `lint` and `scan` exit 1, which is expected here.
export LLVM_PROFILE_FILE="$raw/%p.profraw"
run() {
    "$bin" "$@" > /dev/null 2>&1 || true
}
sources=(fixtures/corpus/key-policies fixtures/rules fixtures/cloudformation fixtures/terraform policies)
for format in human json sarif github; do
    run lint --format "$format" "${sources[@]}"
done
run check fixtures/parse fixtures/oracle fixtures/rules fixtures/corpus/key-policies
run check --format json fixtures/parse
for inventory in fixtures/inventories/*/; do
    run scan "$inventory"
done
run rules
run explain K001
run --version

count=$(find "$raw" -name '*.profraw' | wc -l)
if [ "$count" -eq 0 ]; then
    echo "error: the instrumented runs wrote no profile" >&2
    exit 1
fi
mkdir -p pgo
"$profdata" merge --sparse -o pgo/kmsguard.profdata "$raw"/*.profraw
echo "pgo/kmsguard.profdata: $count runs merged with $("$profdata" --version | sed -n 's/.*LLVM version //p' | head -1), $(wc -c < pgo/kmsguard.profdata) bytes"
