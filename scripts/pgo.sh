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
# `llvm-profdata` must read the raw profile version of the LLVM inside rustc (`rustc -vV`), and
# it writes the indexed profile in its own LLVM version's format, which older compilers cannot
# read (LLVM 19 rejects LLVM 22's). The script therefore takes the oldest LLVM from 19 on, that of
# rustc 1.85, the workspace's minimum Rust version: $LLVM_PROFDATA if set, else
# `llvm-profdata-NN` on the PATH or in /usr/lib/llvm-NN (NN = 19 to 22; `apt-get install
# llvm-19`), else rustup's `llvm-tools` component, else `llvm-profdata`.
find_profdata() {
    if [ -n "${LLVM_PROFDATA:-}" ]; then
        echo "$LLVM_PROFDATA"
        return
    fi
    local v
    for v in 19 20 21 22; do
        if command -v "llvm-profdata-$v" > /dev/null; then
            command -v "llvm-profdata-$v"
            return
        fi
        if [ -x "/usr/lib/llvm-$v/bin/llvm-profdata" ]; then
            echo "/usr/lib/llvm-$v/bin/llvm-profdata"
            return
        fi
    done
    local rustup_bin
    rustup_bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
    if [ -x "$rustup_bin/llvm-profdata" ]; then
        echo "$rustup_bin/llvm-profdata"
        return
    fi
    command -v llvm-profdata || {
        echo "error: no llvm-profdata found (apt-get install llvm-19, or rustup component add llvm-tools)" >&2
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
