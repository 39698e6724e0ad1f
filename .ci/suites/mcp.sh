#!/usr/bin/env bash
# `st mcp` driven by the official Python MCP client (issue 23, point 5): the `mcp` package from
# PyPI (pinned in .ci/python/mcp.txt, virtualenv under the target dir) runs `st --mock mcp` over
# stdio and streamable HTTP, and `st mcp` against `st mock` for the write and limiter checks
# (the mock's counters: nothing sent before confirmation, 0 x 429). The Rust tests of the server
# (crates/cli/tests/mcp.rs and the unit tests) run in the test step.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/services.sh
source .ci/lib/services.sh
trap services_stop EXIT

echo "== mcp: the Python MCP client against st mcp"
timeout 300 bash -c 'source .ci/lib/services.sh; python_venv .ci/python/mcp.txt; rm -rf "$SERVICES_DIR"'
PYTHON="$(pwd)/${CARGO_TARGET_DIR:-target}/venv-mcp/bin/python"
# The `st` binary of the test step (same profile and features: nothing is rebuilt).
timeout 900 cargo test --workspace --all-features --no-run
ST_BIN="$(cd "${CARGO_TARGET_DIR:-target}/debug" && pwd)/st" \
    timeout 600 "$PYTHON" crates/cli/tests/mcp_client.py
