#!/usr/bin/env bash
# Issue 25: `st sync` and servicetitan-sync against a real PostgreSQL (started here unless
# SERVICETITAN_TEST_POSTGRES_URL points at one): every entity of every module, three tenants, raw
# JSON and money, and `st` SIGKILLed at random points then resumed. The SQLite tests run in the
# normal test step. Same profile and features as the test step: nothing is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/services.sh
trap services_stop EXIT
start_postgres
echo "== sync: PostgreSQL destination (library)"
timeout 300 cargo test --workspace --all-features --test postgres -- --ignored
echo "== sync: st sync killed at random points and resumed, PostgreSQL"
timeout 300 cargo test --workspace --all-features --test sync -- --ignored
