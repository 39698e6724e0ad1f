#!/usr/bin/env bash
# Several `st sync` workers on one PostgreSQL database, sharing the budget
# through Redis (both started here unless SERVICETITAN_TEST_POSTGRES_URL / _REDIS_URL point at
# servers): claims never overlap, a worker that lost its lease cannot commit, a dead worker's
# unit is taken over after its lease and resumed from its checkpoint, and three `st sync`
# processes with one SIGKILLed store every record once. Same profile and features as the test
# step: nothing is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/services.sh
trap services_stop EXIT
start_postgres
start_redis
echo "== workers: leases on PostgreSQL (library)"
timeout 240 cargo test --workspace --all-features --test workers -- --ignored
