"""Foreign clients against a running mock (started by .ci/suites/mock.sh).

  schemathesis  -- every operation of the 25 specs (patched as the mock serves them), a few
                   generated requests each: no server error, no response outside its schema, no
                   invalid request accepted.
  servicepytan  -- ServiceTitan's Python library, pointed at the mock through its own settings:
                   list (every page), export (every batch), report, get one, create a note;
                   counts checked against what the mock holds.

Usage: python mock_clients.py {schemathesis|servicepytan} BASE_URL PATCHED_SPECS_DIR RECORDS
(PATCHED_SPECS_DIR: written by `cargo xtask specs patched --dest DIR`.)
Prints one line per module / check and exits non-zero on any failure.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

CLIENT_ID, CLIENT_SECRET, APP_KEY, TENANT = (
    "cid.mock-client",
    "cs1.mock-secret",
    "ak1.mock-app-key",
    1234567,
)

# What schemathesis checks (the rest -- status codes the specs leave out, such as 404 for a
# random id, headers -- are not claims the mock makes).
CHECKS = "not_a_server_error,response_schema_conformance,negative_data_rejection"


def token(base):
    data = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    ).encode()
    with urllib.request.urlopen(f"{base}/connect/token", data, timeout=10) as r:
        return json.load(r)["access_token"]


def patched(spec_dir, api_id):
    """The spec as the mock serves it: SPECS_DIR holds the documents `cargo xtask specs patched`
    wrote (specs/patches/ applied by codegen's own reader -- no second patch layer here)."""
    with open(os.path.join(spec_dir, f"{api_id}.json")) as f:
        doc = json.load(f)
    timespans(doc)
    return doc


# ServiceTitan documents .NET TimeSpan fields (`"01:30:00"`) as `format: duration`, which
# JSON Schema defines as ISO 8601 (`PT1H30M`). The API sends TimeSpans, and so does the mock;
# schemathesis is told what the API means (the one deliberate difference from the specs, listed
# in crates/mock/README.md).
TIMESPAN = r"^-?(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d{1,7})?)?$"


def timespans(node):
    if isinstance(node, dict):
        if node.get("format") == "duration":
            del node["format"]
            node["pattern"] = TIMESPAN
        for v in node.values():
            timespans(v)
    elif isinstance(node, list):
        for v in node:
            timespans(v)


def run_schemathesis(base, spec_dir, max_examples, workdir):
    with open("specs/manifest.json") as f:
        modules = json.load(f)["modules"]
    tok = token(base)
    config = os.path.join(workdir, "schemathesis.toml")
    with open(config, "w") as f:
        # The tenant the credentials name (any other is a 404 by design).
        f.write(f'[parameters]\n"path.tenant" = {TENANT}\n')
    started = time.time()

    def one(m):
        spec_path = os.path.join(workdir, f"{m['api_id']}.json")
        with open(spec_path, "w") as f:
            json.dump(patched(spec_dir, m["api_id"]), f)
        t0 = time.time()
        cmd = [
            os.path.join(os.path.dirname(sys.executable), "schemathesis"),
            "--config-file", config,
            "run", spec_path,
            "--url", f"{base}/{m['base_path']}",
            "-H", f"Authorization: Bearer {tok}",
            "-H", f"ST-App-Key: {APP_KEY}",
            "--checks", CHECKS,
            "--phases", "examples,fuzzing",
            "--max-examples", str(max_examples),
            # One worker per process, two processes: schemathesis' worker threads trip a
            # CPython 3.11 race in `ast` ("AST constructor recursion depth mismatch").
            "--workers", "1",
            "--seed", "1",
            "--no-color",
            "--suppress-health-check", "all",
        ]
        # In the temporary directory: schemathesis keeps a cache (`.schemathesis/`) where it runs.
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=workdir)
        return m, r, time.time() - t0

    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for m, r, took in pool.map(one, modules):
            summary = [l for l in r.stdout.splitlines() if "passed" in l or "failed" in l or "error" in l.lower()]
            line = summary[-1].strip() if summary else "(no summary)"
            print(f"schemathesis {m['short']:24} {took:5.1f}s  exit {r.returncode}  {line}", flush=True)
            if r.returncode != 0:
                failed.append(m["short"])
                log = os.path.join(os.environ.get("MOCK_LOG_DIR", workdir), f"{m['short']}.log")
                with open(log, "w") as f:
                    f.write(r.stdout + r.stderr)
                lines = r.stdout.splitlines()
                start = next((i for i, l in enumerate(lines) if "FAILURES" in l or "ERRORS" in l), max(0, len(lines) - 60))
                print("\n".join(lines[start:][:200]), flush=True)
    print(f"schemathesis: {len(modules) - len(failed)} of {len(modules)} specs clean in {time.time() - started:.0f}s")
    return not failed


def main():
    what, base, spec_dir = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
    records = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with tempfile.TemporaryDirectory() as workdir:
        if what == "schemathesis":
            ok = run_schemathesis(base, spec_dir, int(os.environ.get("MOCK_MAX_EXAMPLES", "3")), workdir)
        elif what == "servicepytan":
            import mock_servicepytan

            ok = mock_servicepytan.run(base, records, workdir)
        else:
            raise SystemExit(f"unknown client {what}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
