#!/usr/bin/env python3
"""Measures what control operations cost the server as retained runs grow (for scripts/bench).

For each count of retained (completed) runs it replaces the mock's state with a generated one
(`PUT /_mock/state`, timed), then drives triggers of a one-job workflow, completions of their
jobs and cancellations through the control API on one keep-alive connection, and reports the
server's CPU time per operation, read from /proc/PID/stat before and after (the client's own
cost is left out, so a Python client measures the server fairly). It also reports the state
import time, and the server's RSS after the import divided by the queued items it holds
(bytes per queued item) when --items is given.

Only 127.0.0.1 is contacted; every request has a timeout; the run stops by itself.
Only the standard library is used.
"""
import argparse
import http.client
import json
import os
import sys
import time

WORKFLOW = """name: CI
on: push
concurrency:
  group: ci-${{ github.ref }}
  queue: max
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{ run: echo }]
"""
NOW = "2026-01-15T16:15:00Z"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def state_document(retained_runs, items, groups):
    """A state with `retained_runs` completed runs of ci.yml and `items` queued items of
    in-progress runs (one workflow-level item each) spread over `groups` groups."""
    runs = []
    for index in range(retained_runs):
        run_id = 1_000_000 + index
        runs.append({
            "id": run_id, "name": "CI", "workflow": "ci.yml", "status": "completed", "conclusion": "success",
            "concurrency": {"group": f"ci-refs/heads/b{index % 50}", "cancel_in_progress": False, "queue": "max"},
            "jobs": [{"id": 5_000_000 + index, "name": "build", "key": "build", "status": "completed", "conclusion": "success"}],
        })
    queues = {}
    per_group = max(1, (items + groups - 1) // groups) if items else 0
    for index in range(items):
        run_id = 3_000_000 + index
        group = f"load-{index // per_group:06d}"
        runs.append({
            "id": run_id, "name": "Load", "workflow": "load.yml",
            "concurrency": {"group": group, "cancel_in_progress": False, "queue": "max"},
            "jobs": [{"id": 7_000_000 + index, "name": "work", "key": "work", "status": "queued"}],
        })
        queue = queues.setdefault(group, [])
        item = {"run": run_id, "waiting_since": NOW}
        if not queue:
            item["acquired_at"] = NOW
        queue.append(item)
    return {
        "version": 1, "now": NOW, "frozen": True,
        "repositories": [{
            "owner": "bench", "name": "ops", "visibility": "public",
            "workflows": [{"file": "ci.yml", "source": WORKFLOW}],
            "runs": runs,
            "concurrency_groups": [{"name": name, "queue": queue} for name, queue in queues.items()],
        }],
    }


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def request(connection, method, path, body=None):
    payload = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        sys.exit(f"control-ops: {method} {path} answered {response.status}: {data[:300]!r}")
    return json.loads(data) if data else None


def measure(url, pid, retained_runs, operations, items, groups):
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    document = json.dumps(state_document(retained_runs, items, groups)).encode()
    started = time.monotonic()
    request(connection, "PUT", "/_mock/state", document)
    import_seconds = time.monotonic() - started
    memory = rss_bytes(pid)

    triggered = []
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()
    for index in range(operations):
        run = request(connection, "POST", "/_mock/repos/bench/ops/runs",
                      {"workflow": "ci.yml", "ref": f"refs/heads/b{index % 50}"})
        triggered.append(run)
    trigger_cpu = cpu_seconds(pid) - cpu_before
    trigger_wall = time.monotonic() - wall_before

    cpu_before = cpu_seconds(pid)
    completed = 0
    for run in triggered[: operations // 2]:
        for job in run["jobs"]:
            current = request(connection, "GET", f"/_mock/repos/bench/ops/runs/{run['id']}")
            status = next(j["status"] for j in current["jobs"] if j["id"] == job["id"])
            if status == "in_progress":
                request(connection, "POST", f"/_mock/repos/bench/ops/jobs/{job['id']}/complete", {"conclusion": "success"})
                completed += 1
    complete_cpu = cpu_seconds(pid) - cpu_before

    cpu_before = cpu_seconds(pid)
    cancelled = 0
    for run in triggered[operations // 2:]:
        current = request(connection, "GET", f"/_mock/repos/bench/ops/runs/{run['id']}")
        if current["status"] != "completed":
            request(connection, "POST", f"/_mock/repos/bench/ops/runs/{run['id']}/cancel")
            cancelled += 1
    cancel_cpu = cpu_seconds(pid) - cpu_before
    connection.close()
    return {
        "retained_runs": retained_runs,
        "items": items,
        "state_bytes": len(document),
        "import_ms": import_seconds * 1000,
        "rss_after_import": memory,
        "trigger_cpu_ms": trigger_cpu * 1000 / operations,
        "triggers_per_cpu_second": operations / trigger_cpu if trigger_cpu else float("inf"),
        "trigger_wall_per_s": operations / trigger_wall,
        # Completions and cancellations include a GET of the run document each, as a client would.
        "complete_cpu_ms": complete_cpu * 1000 / max(1, completed),
        "cancel_cpu_ms": cancel_cpu * 1000 / max(1, cancelled),
    }


def table(path):
    """The measurements as a text table, one row per retained-run count."""
    rows = json.load(open(path))
    print(f"{'retained runs':>14} {'state KiB':>10} {'import ms':>10} {'trigger ms':>11} {'triggers/CPU s':>15} "
          f"{'complete ms':>12} {'cancel ms':>10}")
    for row in rows:
        print(f"{row['retained_runs']:>14,} {row['state_bytes'] // 1024:>10,} {row['import_ms']:>10.0f} "
              f"{row['trigger_cpu_ms']:>11.3f} {row['triggers_per_cpu_second']:>15,.0f} "
              f"{row['complete_cpu_ms']:>12.3f} {row['cancel_cpu_ms']:>10.3f}")


def main(argv):
    if len(argv) == 2 and argv[0] == "--table":
        table(argv[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the mock's address, http://127.0.0.1:PORT")
    parser.add_argument("pid", type=int, help="the mock's process id (its CPU time is read from /proc)")
    parser.add_argument("--retained", default="1000,10000,100000", help="comma-separated retained-run counts")
    parser.add_argument("--operations", type=int, default=2000, help="triggers per count (default 2000)")
    parser.add_argument("--items", type=int, default=0, help="queued items in the state as well (default 0)")
    parser.add_argument("--groups", type=int, default=1000, help="groups the queued items are spread over")
    arguments = parser.parse_args(argv)
    if not arguments.url.startswith("http://127.0.0.1:"):
        sys.exit("control-ops: only http://127.0.0.1:PORT is measured")
    rows = [measure(arguments.url, arguments.pid, int(count), arguments.operations, arguments.items, arguments.groups)
            for count in arguments.retained.split(",")]
    print(json.dumps(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
