#!/usr/bin/env bash
# Builds and runs every fuzz target for SECONDS each (default 60): `fuzz/run.sh 600` for a
# longer run, `fuzz/run.sh 5 retry_after` for one target. Needs the nightly toolchain; installs
# cargo-fuzz from crates.io if missing. Findings land in fuzz/artifacts/<target>/ and make the
# script fail; the committed seeds (fuzz/seeds/<target>/) include the inputs that once crashed.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(retry_after error_body token_answer config_json dotenv lenient_dates)
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
target_dir="${CARGO_TARGET_DIR:-target}"
# One build for all targets: they share every dependency.
cargo +nightly fuzz build --target-dir "$target_dir"
for t in "${targets[@]}"; do
    echo "== fuzz $t for ${seconds}s"
    mkdir -p "corpus/$t"
    cargo +nightly fuzz run --target-dir "$target_dir" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=1024 -timeout=5 -print_final_stats=1
done
