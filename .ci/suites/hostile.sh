#!/usr/bin/env bash
# Issue 21, hostile servers round two: the memory bound for malformed pages (a counting
# allocator in its own test binary), secrets echoed inside records, the strict rolling-window
# limiter (30 s) and a lenient one (10 s), the repeated export token over three reruns, the
# 0-byte checkpoint swap, the CSV export whose first batch fails. Stand-in servers on loopback,
# started by the tests themselves; same features and profile as the test step (nothing rebuilt).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/services.sh
source .ci/lib/services.sh
trap services_stop EXIT

echo "== hostile servers, round two (issue 21)"
timeout 600 cargo test --workspace --all-features --test hostile_memory --test hostile_servers -- --ignored --test-threads 1 --nocapture
