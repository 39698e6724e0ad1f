#!/usr/bin/env bash
# Issue 25's benchmark: N jobs (export) from the mock into SQLite and into PostgreSQL with
# `st sync --only jpm.jobs`, release builds, the mock in its own process on loopback (the mock,
# the database and the sync share the machine). For each N: records/s, peak RSS of `st`, and the
# time of a rerun with nothing new. Run by `bash bench/run` (or alone: `bash bench/sync.sh`);
# SYNC_BENCH_RECORDS overrides the sizes (default "100000 1000000"), SYNC_BENCH_BATCH the
# export batch (default 5000, as P3), SYNC_BENCH_PROFILE=debug uses the debug build (a quick
# look only: the README's numbers come from release). Prints a Markdown table; results also in
# $target/bench-work/sync.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
sizes="${SYNC_BENCH_RECORDS:-100000 1000000}"
batch="${SYNC_BENCH_BATCH:-5000}"

profile="${SYNC_BENCH_PROFILE:-release}"
if [ "$profile" = release ]; then release=(--release); else release=(); fi
cargo build "${release[@]}" -p servicetitan-cli -p servicetitan-mock --bin st --bin servicetitan-mock
bin="$target/$profile"

source .ci/lib/services.sh
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; services_stop; }
trap cleanup EXIT
start_postgres
work="$target/bench-work/sync"
rm -rf "$work" && mkdir -p "$work"
st="$bin/st"
psql="$(ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -1)"

# `measure NAME CMD…`: runs CMD under /usr/bin/time; sets SECS and RSS_MB.
measure() {
    local name="$1"; shift
    /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
    read -r SECS RSS_KB <"$work/$name.time"
    RSS_MB=$((RSS_KB / 1024))
}

table="| records | destination | records/s | peak RSS of st | no-change rerun |
|---:|---|---:|---:|---:|"
for n in $sizes; do
    port=$(free_port)
    "$bin/servicetitan-mock" --port "$port" --records "$n" --export-batch "$batch" \
        --rate-limit 0 >"$work/mock-$n.log" 2>&1 &
    mock_pid=$!
    for _ in $(seq 300); do grep -q "SERVICETITAN_TENANT_ID=" "$work/mock-$n.log" && break; sleep 0.1; done
    # The binary prints `  NAME=value` lines for a client.
    while read -r kv; do export "${kv?}"; done < <(grep -o 'SERVICETITAN_[A-Z_]*=[^ ]*' "$work/mock-$n.log")
    pg_db="sync_bench_$n"
    "$psql" -q "$SERVICETITAN_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
    for dest in sqlite postgres; do
        if [ "$dest" = sqlite ]; then to="sqlite:$work/wh-$n.db"; else to="${SERVICETITAN_TEST_POSTGRES_URL%/*}/$pg_db"; fi
        measure "$dest-$n" "$st" sync --only jpm.jobs --to "$to"
        first_secs=$SECS first_rss=$RSS_MB
        grep -q "jpm.jobs .* $n .* ok" "$work/$dest-$n.out" || { cat "$work/$dest-$n.out" "$work/$dest-$n.err"; exit 1; }
        measure "$dest-$n-rerun" "$st" sync --only jpm.jobs --to "$to"
        rate=$(python3 -c "print(f'{$n / $first_secs:,.0f}')")
        table+="
| $(printf "%'d" "$n") | $dest | $rate | ${first_rss} MB | ${SECS} s |"
    done
    kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=""
done
echo "$table" | tee "$work/../sync.md"
echo "build: $profile; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM" | tee -a "$work/../sync.md"
