"""servicepytan 0.4.2 against the mock: list, export, report, get one, create a note -- with
counts checked against what the mock holds (RECORDS per top-level collection).

servicepytan talks to ServiceTitan's production hosts; its connection dictionary carries them
as `auth_root` and `api_root` (servicepytan/auth.py), which every request reads: pointing both
at the mock is its own way to target another host.
"""

import collections
import logging

from servicepytan.auth import servicepytan_connect
from servicepytan.reports import Report
from servicepytan.requests import Endpoint

from mock_clients import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT

# servicepytan logs every request at INFO, headers included (its token among them).
logging.disable(logging.INFO)


def check(results, name, ok, detail):
    results.append(ok)
    print(f"servicepytan {'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)


def unique_ids(rows):
    ids = [r["id"] for r in rows]
    return len(ids) == len(set(ids))


def run(base, records, _workdir):
    conn = servicepytan_connect(
        app_key=APP_KEY,
        tenant_id=str(TENANT),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timezone="UTC",
    )
    conn["auth_root"] = base
    conn["api_root"] = base
    results = []

    # List: every page of customers (inactive included), and jobs per status.
    customers = Endpoint("crm", "customers", conn).get_all({"active": "Any", "pageSize": "7"})
    check(results, "list crm/customers (all pages)", len(customers) == records and unique_ids(customers),
          f"{len(customers)} rows, expected {records}, ids unique: {unique_ids(customers)}")
    jobs = Endpoint("jpm", "jobs", conn)
    per_status = {
        s: jobs.get_all({"jobStatus": s, "pageSize": "9"})
        for s in ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"]
    }
    total = sum(len(v) for v in per_status.values())
    right = all(all(j["jobStatus"] == s for j in rows) for s, rows in per_status.items())
    check(results, "list jpm/jobs per jobStatus", total == records and right,
          f"{ {s: len(v) for s, v in per_status.items()} } = {total}, expected {records}")

    # Export: every batch.
    exported = jobs.export_all("jobs")
    check(results, "export jpm/jobs", len(exported) == records and unique_ids(exported),
          f"{len(exported)} rows, expected {records}, ids unique: {unique_ids(exported)}")

    # Get one.
    one = jobs.get_one("10000005")
    check(results, "get one jpm/jobs/10000005", one["id"] == 10000005, f"id {one['id']}")

    # Children: notes of a job belong to it; creating one adds exactly one.
    notes = jobs.get_all(id="10000001", modifier="notes")
    created = Endpoint("jpm", "jobs/10000001/notes", conn).create(
        {"text": "Left a voicemail (servicepytan)", "pinToTop": False}
    )
    after = jobs.get_all(id="10000001", modifier="notes")
    texts = collections.Counter(n["text"] for n in after)
    check(results, "create note on jpm/jobs/10000001",
          len(notes) <= 5 and len(after) == len(notes) + 1
          and created["text"] == "Left a voicemail (servicepytan)"
          and texts["Left a voicemail (servicepytan)"] == 1,
          f"{len(notes)} notes before, {len(after)} after")

    # Report: parameters from the report's own definition, every page.
    report = Report("operations", "175", conn)
    report.add_params("From", "2024-01-01")
    report.add_params("To", "2024-01-31")
    first = report.get_data(page=1, page_size=50)
    data = report.get_all_data(page_size=50)
    rows = data.get("data", [])
    check(results, "report operations/175",
          len(rows) == first["totalCount"] and bool(data.get("fields")),
          f"{len(rows)} rows, totalCount {first['totalCount']}, {len(data.get('fields', []))} fields")

    print(f"servicepytan: {sum(results)} passed, {len(results) - sum(results)} failed", flush=True)
    return all(results)
