#!/usr/bin/env bash
# Foreign clients against the mock (issue 20): schemathesis over all 25 specs and servicepytan
# 0.4.2 (pinned in .ci/python/mock.txt, in a virtualenv under the target dir), against the mock
# binary the test step built (same profile and features: nothing is rebuilt). Bounded: at most
# 6 minutes on the 2-core machine. Commands and results: crates/mock/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/services.sh
MOCK_PID=""
stop_all() {
    if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
    services_stop
}
trap stop_all EXIT

SECONDS=0
echo "== mock: foreign clients (schemathesis, servicepytan)"
# python_venv is a shell function: bounded in a child shell sharing SERVICES_DIR.
SERVICES_DIR="$SERVICES_DIR" timeout 600 bash -c 'source .ci/lib/services.sh && python_venv .ci/python/mock.txt'
PYTHON="$(cd "${CARGO_TARGET_DIR:-target}/venv-mock/bin" && pwd)/python"
# The mock binary of the test step (cargo builds a package's binaries with its integration tests).
timeout 1200 cargo test --workspace --all-features --test counts --no-run 2>&1 | tail -1
MOCK_BIN="${CARGO_TARGET_DIR:-target}/debug/servicetitan-mock"
# The documents as codegen reads them (patched by its own reader), so schemathesis checks the mock
# against exactly what the SDK and the mock were generated from.
# (specs/ holds the documents: `.ci/run` fetched them first.)
SPECS="$SERVICES_DIR/patched-specs"
timeout 300 cargo xtask specs patched --dest "$SPECS"
RECORDS=30
PORT=$(free_port)
"$MOCK_BIN" --port "$PORT" --records "$RECORDS" --rate-limit 0 --report-limit 0 \
    --token-lifetime 3600 >"$SERVICES_DIR/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/_mock/counters" >/dev/null && break
    sleep 0.1
done
BASE="http://127.0.0.1:$PORT"
export MOCK_LOG_DIR="${CARGO_TARGET_DIR:-target}/mock-clients"
mkdir -p "$MOCK_LOG_DIR"
status=0
# From the repository root: the driver reads specs/manifest.json.
timeout 120 "$PYTHON" .ci/suites/mock_clients.py servicepytan "$BASE" "$SPECS" "$RECORDS" || status=1
MOCK_MAX_EXAMPLES=3 timeout 330 "$PYTHON" .ci/suites/mock_clients.py schemathesis "$BASE" "$SPECS" "$RECORDS" || status=1
if grep -q "panicked" "$SERVICES_DIR/mock.log"; then
    echo "error: the mock panicked (log: $MOCK_LOG_DIR/mock.log)" >&2
    status=1
fi
cp "$SERVICES_DIR/mock.log" "$MOCK_LOG_DIR/mock.log"
echo "mock suite: ${SECONDS}s"
exit $status
