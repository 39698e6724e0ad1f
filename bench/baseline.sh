#!/usr/bin/env bash
# Builds the decode comparison's baseline (issue 15): the jobs-page decoder of the SDK as it was
# when the issue was measured (commit de796d8, before the date-time and decimal fast paths and
# record-by-record pages), from this repository's own history, in release, once per target dir.
# Prints the decoder's path. Needs git history (a clone, not a tarball) and the specs in specs/.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=de796d8edf14afb0ca02a4f17da2603241bac5d4
target="${CARGO_TARGET_DIR:-$PWD/target}"
dir="$target/bench-baseline/$rev"
bin="$dir/target/release/examples/decode_page"
if [ ! -x "$bin" ]; then
    git cat-file -e "$rev^{commit}" 2>/dev/null || {
        echo "bench/baseline.sh: commit $rev is not in this clone's history (fetch it, or run with --no-baseline)" >&2
        exit 1
    }
    rm -rf "$dir/src"
    mkdir -p "$dir/src"
    git archive "$rev" | tar -x -C "$dir/src"
    cp specs/tenant-*.json "$dir/src/specs/"
    cp bench/baseline/decode_page.rs "$dir/src/crates/servicetitan/examples/"
    (cd "$dir/src" && CARGO_TARGET_DIR="$dir/target" cargo build --quiet --release --locked \
        -p servicetitan --features jpm --example decode_page) >&2
fi
echo "$bin"
