#!/usr/bin/env python3
"""The control-plane half of scripts/soak: mutations at load, invariant checks, RSS samples.

Registers workflows in the repository acme/soak that reach every queue rule (queue: single,
queue: max and its full-queue refusal, cancel-in-progress, job-level groups with needs, a
reusable-workflow lease), then until the time is up sends triggers, job completions (success
and failure), run completions and cancellations through the control API on one keep-alive
connection, as fast as the server answers (reading a run's document first to pick a job). Every SAMPLE_SECONDS it records the server's RSS
(/proc/PID/status) and asks GET /_mock/health?check=invariants, which must answer 200.

Prints one line per sample and a summary; exits non-zero when a check failed, a request got an
unexpected status, or RSS after the warm-up grew by more than MAX_GROWTH over its value at the
end of the warm-up. Only 127.0.0.1 is contacted; only the standard library is used.
"""
import argparse
import http.client
import json
import random
import sys
import time

SAMPLE_SECONDS = 15
MAX_GROWTH = 0.10
REPOSITORY = "/_mock/repos/acme/soak"

WORKFLOWS = {
    "single.yml": "on: push\nconcurrency: single-${{ github.ref_name }}\njobs:\n  build: {}\n  test: { needs: build }\n",
    "max.yml": "on: push\nconcurrency: { group: max, queue: max }\njobs:\n  build: {}\n",
    "cancel.yml": "on: push\nconcurrency: { group: cancel, cancel-in-progress: true }\njobs:\n  build: {}\n",
    "jobs.yml": "on: push\njobs:\n  build: { concurrency: shared }\n  deploy: { needs: build, concurrency: { group: deploy, queue: max } }\n",
    "called.yml": "on:\n  workflow_call:\n    inputs:\n      target: { type: string, required: true }\n"
                  "concurrency: called-${{ inputs.target }}\njobs:\n  work: {}\n",
    "caller.yml": "on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n    with: { target: prod }\n",
}
# max.yml twice as often as the others, so its queue fills to the refusal.
TRIGGER_CHOICES = ["single.yml", "max.yml", "max.yml", "cancel.yml", "jobs.yml", "caller.yml"]
REFS = ["refs/heads/main", "refs/heads/dev", "refs/heads/feature"]


class Client:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, method, path, body=None, expected=(200, 201)):
        payload = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        self.connection.request(method, path, body=payload)
        response = self.connection.getresponse()
        data = response.read()
        if response.status not in expected:
            raise RuntimeError(f"{method} {path} answered {response.status}: {data[:300]!r}")
        return response.status, json.loads(data) if data else None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def mutate(client, rng, open_runs):
    """One control operation; answers its name."""
    roll = rng.random()
    if roll < 0.40 or not open_runs:
        workflow = rng.choice(TRIGGER_CHOICES)
        _, run = client.send("POST", f"{REPOSITORY}/runs", {"workflow": workflow, "ref": rng.choice(REFS)})
        if run["status"] != "completed":
            open_runs.append(run["id"])
        return "trigger"
    index = rng.randrange(len(open_runs))
    run_id = open_runs[index]
    # A run dropped by retention or completed by a cascade meanwhile answers 404 or completed.
    status, run = client.send("GET", f"{REPOSITORY}/runs/{run_id}", expected=(200, 404))
    if status == 404 or run["status"] == "completed":
        open_runs[index] = open_runs[-1]
        open_runs.pop()
        return "run_read"
    if roll < 0.85:
        # A uses: job (the parent of others) completes with its called workflow's jobs.
        parents = {job["parent_id"] for job in run["jobs"]}
        jobs = [job for job in run["jobs"] if job["status"] == "in_progress" and job["id"] not in parents]
        if jobs:
            conclusion = "failure" if rng.random() < 0.2 else "success"
            client.send("POST", f"{REPOSITORY}/jobs/{rng.choice(jobs)['id']}/complete", {"conclusion": conclusion})
            return "complete_job"
        return "run_read"
    if roll < 0.92:
        client.send("POST", f"{REPOSITORY}/runs/{run_id}/complete")
        return "complete_run"
    client.send("POST", f"{REPOSITORY}/runs/{run_id}/cancel")
    return "cancel"


def mutations(counts):
    """Operations that change the state: everything but reading a run document."""
    return sum(count for name, count in counts.items() if name != "run_read")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the server's process id, for its RSS")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--warmup", type=float, required=True, help="seconds before the RSS baseline is taken")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--summary", help="write the summary as JSON to this file")
    options = parser.parse_args(argv)

    client = Client(options.port)
    client.send("PUT", REPOSITORY, {"visibility": "public"})
    for file in ["called.yml"] + [name for name in WORKFLOWS if name != "called.yml"]:
        client.send("PUT", f"{REPOSITORY}/workflows/{file}", WORKFLOWS[file].encode())

    rng = random.Random(options.seed)
    open_runs = []
    counts = {}
    samples = []
    failures = []
    started = time.monotonic()
    next_sample = started + SAMPLE_SECONDS
    operations_at_last_sample = 0
    while time.monotonic() - started < options.seconds:
        try:
            name = mutate(client, rng, open_runs)
        except RuntimeError as error:
            failures.append(str(error))
            break
        counts[name] = counts.get(name, 0) + 1
        now = time.monotonic()
        if now >= next_sample:
            total = mutations(counts)
            status, body = client.send("GET", "/_mock/health?check=invariants", expected=(200, 500))
            if status != 200:
                failures.append(f"invariants broken at {now - started:.0f} s: {body}")
            sample = {"seconds": round(now - started), "rss_kib": rss_kib(options.pid),
                      "mutations_per_second": round((total - operations_at_last_sample) / (now - next_sample + SAMPLE_SECONDS)),
                      "open_runs": len(open_runs), "invariants": "ok" if status == 200 else "broken"}
            samples.append(sample)
            print(json.dumps(sample), flush=True)
            operations_at_last_sample = total
            next_sample += SAMPLE_SECONDS
            if failures:
                break

    elapsed = time.monotonic() - started
    after_warmup = [sample for sample in samples if sample["seconds"] >= options.warmup]
    baseline = after_warmup[0]["rss_kib"] if after_warmup else None
    peak = max((sample["rss_kib"] for sample in after_warmup), default=None)
    if baseline and peak > baseline * (1 + MAX_GROWTH):
        failures.append(f"RSS grew from {baseline} KiB after the warm-up to {peak} KiB (more than {MAX_GROWTH:.0%})")
    if not after_warmup:
        failures.append("no sample after the warm-up; run longer")
    summary = {
        "seconds": round(elapsed), "operations": counts, "mutations_per_second": round(mutations(counts) / elapsed),
        "control_requests_per_second": round(sum(counts.values()) / elapsed),
        "rss_kib_after_warmup": baseline, "rss_kib_peak_after_warmup": peak,
        "rss_growth_percent": round(100 * (peak - baseline) / baseline, 1) if baseline else None,
        "invariant_checks": len(samples), "failures": failures,
    }
    print(json.dumps(summary), flush=True)
    if options.summary:
        with open(options.summary, "w") as file:
            json.dump({"summary": summary, "samples": samples}, file, indent=1)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
