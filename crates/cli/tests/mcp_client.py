"""`st mcp` driven by the official Python MCP client (the `mcp` package, pinned in
.ci/python/mcp.txt), over stdio and over streamable HTTP, against the mock ServiceTitan.

Run by .ci/suites/mcp.sh: ST_BIN=target/debug/st python crates/cli/tests/mcp_client.py
Ends with the line "N passed, N failed"; exits non-zero when anything failed.
"""

import asyncio
import contextlib
import http.client
import json
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.request

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

ST = os.environ["ST_BIN"]
TOOLS = ["search_operations", "describe_operation", "call_operation", "read_result",
         "export_records", "list_reports", "describe_report", "run_report"]
RESULTS = {"passed": 0, "failed": 0}


def check(cond, what):
    if not cond:
        raise AssertionError(what)


async def call(s, name, args):
    """A tool call: (is_error, parsed JSON of the text content)."""
    res = await s.call_tool(name, args)
    text = res.content[0].text
    return bool(res.is_error), json.loads(text)


@contextlib.asynccontextmanager
async def session(args, env=None):
    params = StdioServerParameters(command=ST, args=args, env=env or {})
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            yield s


@contextlib.contextmanager
def mock_server(*flags):
    """`st mock --port 0`: its URL and the SERVICETITAN_* variables pointing at it."""
    proc = subprocess.Popen([ST, "mock", "--port", "0", *flags], stdout=subprocess.PIPE, text=True)
    env, url = {}, None
    try:
        for line in proc.stdout:
            m = re.match(r"mock ServiceTitan listening on (\S+)", line)
            if m:
                url = m.group(1).rstrip("/")
            m = re.match(r"export (SERVICETITAN_\w+)=(\S+)", line)
            if m:
                env[m.group(1)] = m.group(2)
            if "SERVICETITAN_TENANT_ID" in env:
                break
        check(url and len(env) == 6, f"the mock did not start: {url} {env}")
        yield url, env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def counters(url):
    with urllib.request.urlopen(f"{url}/_mock/counters", timeout=10) as r:
        return json.load(r)


async def test_tools_list_is_small_and_complete():
    async with session(["--mock", "mcp"]) as s:
        tools = (await s.list_tools()).tools
        check([t.name for t in tools] == TOOLS, [t.name for t in tools])
        size = len(json.dumps({"tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]}))
        check(size < 20 * 1024, f"tools/list is {size} bytes")
        for t in tools:
            check(t.output_schema and t.annotations and len(t.description) > 60, t.name)
        call_op = next(t for t in tools if t.name == "call_operation")
        check(call_op.annotations.read_only_hint is True, "read-only without --allow-writes")
        print(f"    tools/list: {size} bytes")


async def test_search_describe_call_jobs_list():
    async with session(["--mock", "mcp"]) as s:
        err, found = await call(s, "search_operations", {"query": "list jobs", "module": "jpm"})
        check(not err and found["matches"][0]["operation_id"] == "Jobs_GetList", found)
        check(found["matches"][0]["access"] == "read", found)
        err, d = await call(s, "describe_operation", {"operation_id": "Jobs_GetList"})
        check(not err and d["paging"] == "list", d)
        check(any(p["name"] == "pageSize" for p in d["parameters"]), d["parameters"])
        err, res = await call(s, "call_operation", {"operation_id": "Jobs_GetList", "params": {"pageSize": 5}})
        check(not err and res["status"] == "ok" and len(res["result"]["data"]) == 5, res)
        # All pages up to max_records.
        err, res = await call(s, "call_operation", {"operation_id": "Jobs_GetList", "params": {"pageSize": 4},
                                                    "all_pages": True, "max_records": 10})
        check(not err and len(res["records"]) == 10 and res["pages_read"] == 3, res)


async def test_customer_by_id():
    async with session(["--mock", "mcp"]) as s:
        err, res = await call(s, "call_operation", {"operation_id": "Customers_GetList", "params": {"pageSize": 1}})
        check(not err, res)
        wanted = res["result"]["data"][0]["id"]
        err, one = await call(s, "call_operation", {"operation_id": "Customers_Get", "params": {"id": wanted}})
        check(not err and one["result"]["id"] == wanted, one)


async def test_large_answers_are_cut_and_read_back():
    async with session(["--mock", "mcp", "--max-result-bytes", "4096"]) as s:
        err, res = await call(s, "call_operation", {"operation_id": "Jobs_GetList", "params": {"pageSize": 50}})
        check(not err and res["truncated"], res)
        records = res["result"]["data"]
        cut = res["truncated"]
        offset = cut["next_offset"]
        while offset is not None:
            err, part = await call(s, "read_result", {"handle": cut["handle"], "offset": offset})
            check(not err, part)
            records += part["records"]
            offset = part["next_offset"]
        check(len(records) == 50 and len({r["id"] for r in records}) == 50, len(records))


async def test_per_operation_tools():
    async with session(["--mock", "mcp", "--tools", "per-operation", "--modules", "jpm"]) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
        check("jpm_Jobs_GetList" in tools and "read_result" in tools, sorted(tools)[:5])
        check(all(n.startswith("jpm_") or n == "read_result" for n in tools), "only jpm")
        check("pageSize" in tools["jpm_Jobs_GetList"].input_schema["properties"]["params"]["properties"], "params")
        err, res = await call(s, "jpm_Jobs_GetList", {"params": {"pageSize": 2}})
        check(not err and len(res["result"]["data"]) == 2, res)
        err, res = await call(s, "jpm_JobTypes_Create", {"body": {"name": "x"}})
        check(err and res["error"] == "writes_disabled", res)


async def test_export_across_two_calls_with_the_cursor():
    async with session(["--mock", "mcp"]) as s:
        err, first = await call(s, "export_records", {"entity": "crm/customers", "max_records": 7})
        check(not err and first["count"] == 7 and first["has_more"], first)
        err, second = await call(s, "export_records", {"entity": "crm/customers", "cursor": first["cursor"],
                                                       "max_records": 7})
        check(not err and second["count"] == 7, second)
        err, whole = await call(s, "export_records", {"entity": "crm/customers", "max_records": 14})
        ids = [r["id"] for r in first["records"] + second["records"]]
        check(ids == [r["id"] for r in whole["records"]], "two steps read what one does, nothing twice")
        err, bad = await call(s, "export_records", {"entity": "jpm/jobs", "cursor": first["cursor"]})
        check(err and "belongs to the export crm/customers" in bad["message"], bad)


async def test_report_missing_parameter_then_valid():
    async with session(["--mock", "mcp"]) as s:
        err, cats = await call(s, "list_reports", {})
        check(not err and any(c["category"] == "operations" for c in cats["items"]), cats)
        err, d = await call(s, "describe_report", {"category": "operations", "report_id": 175})
        check(not err and any(p["name"] == "From" for p in d["parameters"]), d)
        err, bad = await call(s, "run_report", {"category": "operations", "report_id": 175,
                                                "params": {"from": "2024-01-01", "To": "2024-01-31"}})
        check(err and "`From`" in bad["message"] and "missing" in bad["message"], bad)
        check("did you mean `From`" in bad["message"], bad)
        err, ok = await call(s, "run_report", {"category": "operations", "report_id": 175,
                                               "params": {"From": "2024-01-01", "To": "2024-01-31"}})
        check(not err and ok["rows"] and "Revenue" in ok["rows"][0], ok)


async def test_invalid_arguments_are_listed():
    async with session(["--mock", "mcp"]) as s:
        err, res = await call(s, "call_operation", {"operation_id": "Jobs_GetList",
                                                    "params": {"pageSze": 5, "page": "x", "jobStatus": "Nope"}})
        check(err and res["error"] == "invalid_arguments", res)
        by_path = {p["path"]: p for p in res["problems"]}
        check(set(by_path) == {"$.params.pageSze", "$.params.page", "$.params.jobStatus"}, by_path)
        check("did you mean `pageSize`" in by_path["$.params.pageSze"]["message"], by_path)
        check("Completed" in by_path["$.params.jobStatus"]["allowed"], by_path)
        err, res = await call(s, "call_operation", {"params": {}})
        check(err and res["error"] == "invalid_arguments" and "operation_id" in json.dumps(res), res)
        err, res = await call(s, "describe_operation", {"operation_id": "Jobs_GetLst"})
        check(err and "Jobs_GetList" in res["message"], res)


async def test_writes_refused_then_dry_run_and_confirm():
    with mock_server() as (url, env):
        body = {"name": "MCP test type"}
        async with session(["mcp"], env) as s:
            err, res = await call(s, "call_operation", {"operation_id": "JobTypes_Create", "body": body})
            check(err and res["error"] == "writes_disabled" and "--allow-writes" in res["message"], res)
        check(counters(url)["per_operation"].get("JobTypes_Create", 0) == 0, "nothing sent")
        async with session(["mcp", "--allow-writes=jpm", "--confirm-ttl", "2"], env) as s:
            tools = (await s.list_tools()).tools
            check(next(t for t in tools if t.name == "call_operation").annotations.read_only_hint is False, "hints")
            args = {"operation_id": "JobTypes_Create", "body": body}
            err, dry = await call(s, "call_operation", args)
            check(not err and dry["status"] == "dry_run" and dry["request"]["method"] == "POST", dry)
            check(dry["request"]["url"].endswith("/job-types") and dry["request"]["body"] == body, dry)
            check(counters(url)["per_operation"].get("JobTypes_Create", 0) == 0, "a dry run sends nothing")
            token = dry["confirmation_token"]
            tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
            err, res = await call(s, "call_operation", {**args, "confirm": tampered})
            check(err and res["error"] == "confirmation_refused", res)
            err, res = await call(s, "call_operation", {**args, "body": {"name": "other"}, "confirm": token})
            check(err and "does not match" in res["message"], res)
            err, sent = await call(s, "call_operation", {**args, "confirm": token})
            check(not err and sent["status"] == "sent" and sent["result"]["name"] == body["name"], sent)
            err, again = await call(s, "call_operation", {**args, "confirm": token})
            check(err and "already used" in again["message"], again)
            err, dry = await call(s, "call_operation", args)
            await asyncio.sleep(3.2)
            err, late = await call(s, "call_operation", {**args, "confirm": dry["confirmation_token"]})
            check(err and "expired" in late["message"], late)
            # Writes of another module stay refused.
            err, res = await call(s, "call_operation", {"operation_id": "TagTypes_Create", "body": {"name": "x"}})
            check(err and res["error"] == "writes_disabled", res)
        check(counters(url)["per_operation"].get("JobTypes_Create", 0) == 1, "sent exactly once")


async def test_fifty_concurrent_calls_share_one_limiter():
    with mock_server("--rate-limit", "60") as (url, env):
        async with session(["mcp"], env) as s:
            args = {"operation_id": "Jobs_GetList", "params": {"pageSize": 1}, "all_pages": True, "max_records": 3}
            started = time.monotonic()
            results = await asyncio.gather(*[call(s, "call_operation", args) for _ in range(50)])
            took = time.monotonic() - started
            check(all(not err and len(r["records"]) == 3 for err, r in results), "every call succeeded")
        c = counters(url)
        check(c["per_operation"].get("Jobs_GetList") == 150, c["per_operation"])
        check(c["rate_limited"] == 0, f"{c['rate_limited']} x 429 at the mock")
        print(f"    150 requests from 50 concurrent calls in {took:.1f} s, 0 x 429")


async def test_streamable_http_with_host_and_origin_checks():
    proc = subprocess.Popen([ST, "--mock", "mcp", "--http", "127.0.0.1:0"], stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:
            m = re.search(r"(http://127\.0\.0\.1:\d+/mcp)", line)
            if m:
                url = m.group(1)
                break
        check(url, "the HTTP server did not start")
        async with streamable_http_client(url) as (r, w):
            async with ClientSession(r, w) as s:
                await s.initialize()
                check([t.name for t in (await s.list_tools()).tools] == TOOLS, "tools over HTTP")
                err, res = await call(s, "search_operations", {"query": "customer"})
                check(not err and res["matches"], res)
        port = int(url.split(":")[2].split("/")[0])
        init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
        for headers in ({"Host": "evil.example"}, {"Origin": "http://evil.example"}):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/mcp", init, {"Content-Type": "application/json",
                                                "Accept": "application/json, text/event-stream", **headers})
            status = conn.getresponse().status
            check(status == 403, f"{headers}: {status}")
            conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run([ST, "--mock", "mcp", "--http", "0.0.0.0:0"], capture_output=True, text=True, timeout=30)
    check(bad.returncode != 0 and "loopback" in bad.stderr, bad.stderr)


async def main():
    tests = [v for k, v in globals().items() if k.startswith("test_")]
    wanted = sys.argv[1:]
    for test in tests:
        if wanted and not any(w in test.__name__ for w in wanted):
            continue
        try:
            await asyncio.wait_for(test(), timeout=120)
            RESULTS["passed"] += 1
            print(f"ok     {test.__name__}")
        except BaseException:  # noqa: BLE001 — report every failure, go on
            RESULTS["failed"] += 1
            print(f"FAILED {test.__name__}")
            traceback.print_exc()
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    sys.exit(1 if RESULTS["failed"] else 0)


asyncio.run(main())
