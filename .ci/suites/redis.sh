#!/usr/bin/env bash
# Issue 24: many workers, one budget — the rate budget and the token shared through a real
# Redis (installed from Debian's packages when missing, on a free loopback port, no disk
# persistence), by `servicetitan-bench fleet-worker` processes against the mock enforcing the
# limits. Same features and profile as the test step (nothing rebuilt); about 1 minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/services.sh
trap services_stop EXIT

start_redis
timeout 600 cargo test --workspace --all-features --test redis_fleet -- --ignored --test-threads 1
