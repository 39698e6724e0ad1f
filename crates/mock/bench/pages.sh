#!/usr/bin/env bash
# Times the mock binary BIN on 100,000 jobs: a 5,000-job page, all 20 pages, a status filter
# and a sort over the whole collection (crates/mock/README.md, "Cost"). Needs curl and python3.
# usage: bench.sh BIN LABEL
set -euo pipefail
BIN=$1; LABEL=$2; PORT=18899
"$BIN" --port $PORT --records 100000 --rate-limit 0 --report-limit 0 >/dev/null 2>&1 &
PID=$!
trap 'kill $PID' EXIT
for _ in $(seq 100); do curl -sf localhost:$PORT/_mock/counters >/dev/null && break; sleep 0.1; done
TOK=$(curl -s -d grant_type=client_credentials -d client_id=cid.mock-client -d client_secret=cs1.mock-secret localhost:$PORT/connect/token | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
H=(-H "Authorization: Bearer $TOK" -H "ST-App-Key: ak1.mock-app-key")
U=localhost:$PORT/jpm/v2/tenant/1234567
curl -s "${H[@]}" "$U/jobs?page=1&pageSize=5000" -o /dev/null
best=999
for i in 1 2 3 4 5; do t=$(curl -s "${H[@]}" "$U/jobs?page=7&pageSize=5000" -o /dev/null -w "%{time_total}"); best=$(python3 -c "print(min($best,$t))"); done
s=$(date +%s.%N); for p in $(seq 1 20); do curl -s "${H[@]}" "$U/jobs?page=$p&pageSize=5000" -o /dev/null; done; e=$(date +%s.%N)
s2=$(date +%s.%N); curl -s "${H[@]}" "$U/jobs?page=20&pageSize=5000&jobStatus=Completed&includeTotal=true" -o /dev/null; e2=$(date +%s.%N)
s3=$(date +%s.%N); curl -s "${H[@]}" "$U/jobs?page=1&pageSize=5000&sort=-ModifiedOn" -o /dev/null; e3=$(date +%s.%N)
python3 -c "print(f'$LABEL: 5000-job page best {$best*1000:.0f} ms; 100,000 jobs in 20 pages {($e-$s):.2f} s; jobStatus filter over 100,000 with total {($e2-$s2)*1000:.0f} ms; sort=-ModifiedOn over 100,000 {($e3-$s3)*1000:.0f} ms')"
