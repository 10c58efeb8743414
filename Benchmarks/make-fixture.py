#!/usr/bin/env python3
"""Writes a large, deterministic concurrency-mock fixture (JSON) for scripts/bench.

One repository (bench/monorepo by default) with GROUPS active concurrency groups holding ITEMS
queue items in all, spread as evenly as possible (10 per group for the defaults). The shape
follows how GitHub Actions uses concurrency:

- A share of the groups (--workflow-share) are workflow-level groups such as
  `ci-refs/heads/feature/...`: their items are workflow-level leases (no job). A run has one
  workflow-level `concurrency`, so each run holds at most one workflow-level item overall.
- The other groups are job-level groups such as `deploy-production-svc-0042`: their items are
  job-level leases of one job each, plus some reusable-workflow leases tied to a `uses:` job.
  A job has one `concurrency`, so each job holds at most one item overall.
- Every run has the same job tree: build, two matrix legs of test, deploy, and a `uses:` job
  (release) whose called workflow has two jobs.
- No run has two items in one group, so every position_url query selects its own item.
- Queues are FIFO: waiting_since never decreases along a queue, every time is <= now, and only
  the head has acquired_at.
- Some runs list one extra configured group in which they hold nothing (an idle group).

Same arguments, same bytes: everything random comes from one seeded generator.
Only the standard library is used.
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

NOW = datetime(2026, 1, 15, 16, 15, 0, tzinfo=timezone.utc)
FIRST_RUN_ID = 21_000_000_001
FIRST_JOB_ID = 58_000_000_001
MAX_QUEUE = 101  # one holder and 100 pending, the simulator's limit

# The job tree of every run: (name, parent index or None, calls a reusable workflow).
JOB_TREE = [
    ("build", None, False),
    ("test (linux)", None, False),
    ("test (macos)", None, False),
    ("deploy", None, False),
    ("release", None, True),
    ("release / publish", 4, False),
    ("release / notify", 4, False),
]
USES_JOB = 4
RUN_NAMES = ["CI", "Deploy", "Release", "Nightly", "Docs", "Integration tests"]
ENVIRONMENTS = ["production", "staging", "qa", "dev", "canary"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def group_name(index, workflow_level, rng):
    """A unique (case-insensitively too: the index is in every name) realistic group name."""
    if workflow_level:
        style = rng.randrange(3)
        if style == 0:
            return f"ci-refs/heads/feature/{rng.choice(WORDS)}-{index:05d}"
        if style == 1:
            return f"{rng.choice(['ci', 'lint', 'docs'])}-refs/pull/{index + 1000}/merge"
        return f"Nightly-{index:05d}"
    style = rng.randrange(3)
    if style == 0:
        return f"deploy-{rng.choice(ENVIRONMENTS)}-svc-{index:05d}"
    if style == 1:
        return f"release-{rng.choice(WORDS)}-{index:05d}"
    return f"Build Cache {index:05d}"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="where to write the JSON fixture ('-' for stdout)")
    parser.add_argument("--groups", type=int, default=10_000, help="active concurrency groups (default 10000)")
    parser.add_argument("--items", type=int, default=100_000, help="queue items in all (default 100000)")
    parser.add_argument("--runs", type=int, default=None,
                        help="workflow runs (default: items / 3, at least what the items need)")
    parser.add_argument("--workflow-share", type=float, default=0.3,
                        help="share of groups holding workflow-level items (default 0.3)")
    parser.add_argument("--owner", default="bench")
    parser.add_argument("--name", default="monorepo")
    parser.add_argument("--seed", type=int, default=20260115)
    arguments = parser.parse_args(argv)
    if arguments.groups < 1 or arguments.items < arguments.groups:
        parser.error("need at least one group and at least one item per group")
    if arguments.items > arguments.groups * MAX_QUEUE:
        parser.error(f"{arguments.items} items do not fit in {arguments.groups} queues of at most {MAX_QUEUE}")
    if not 0.0 <= arguments.workflow_share <= 1.0:
        parser.error("--workflow-share must be between 0 and 1")
    return arguments


def make_fixture(arguments):
    rng = random.Random(arguments.seed)
    groups = arguments.groups
    base_length, longer = divmod(arguments.items, groups)
    lengths = [base_length + (1 if index < longer else 0) for index in range(groups)]
    workflow_level = [rng.random() < arguments.workflow_share for _ in range(groups)]
    names = [group_name(index, workflow_level[index], rng) for index in range(groups)]

    workflow_items = sum(length for length, flag in zip(lengths, workflow_level) if flag)
    job_items = arguments.items - workflow_items
    # Each run has one workflow-level lease at most and one per job: size the runs to fit both.
    leases_per_run = len(JOB_TREE)
    needed = max(workflow_items, -(-job_items // leases_per_run), max(lengths))
    run_count = max(arguments.runs if arguments.runs is not None else arguments.items // 3, needed)
    if arguments.runs is not None and arguments.runs < needed:
        sys.exit(f"make-fixture: {arguments.runs} runs cannot hold these items; at least {needed} are needed")

    run_ids = [FIRST_RUN_ID + index for index in range(run_count)]
    job_ids = [[FIRST_JOB_ID + run * len(JOB_TREE) + job for job in range(len(JOB_TREE))] for run in range(run_count)]

    # Lease slots: (run index, job index or None). Each is used at most once.
    workflow_slots = list(range(run_count))
    rng.shuffle(workflow_slots)
    job_slots = [(run, job) for run in range(run_count) for job in range(len(JOB_TREE))]
    rng.shuffle(job_slots)

    configured = [set() for _ in range(run_count)]
    queues = []
    deferred = []  # slots skipped because their run already waits in the group being filled
    next_workflow = 0
    next_job = 0
    for index in range(groups):
        members = []
        seen_runs = set()
        while len(members) < lengths[index]:
            if workflow_level[index]:
                # Workflow slots are distinct runs, so no run can repeat within a group.
                run = workflow_slots[next_workflow]
                next_workflow += 1
                members.append((run, None))
                seen_runs.add(run)
                continue
            slot = None
            for position, candidate in enumerate(deferred):
                if candidate[0] not in seen_runs:
                    slot = deferred.pop(position)
                    break
            while slot is None:
                candidate = job_slots[next_job]
                next_job += 1
                if candidate[0] in seen_runs:
                    deferred.append(candidate)
                else:
                    slot = candidate
            members.append(slot)
            seen_runs.add(slot[0])
        # FIFO times: the head has waited up to a day; the others queued after it, <= now.
        start = NOW - timedelta(seconds=rng.randrange(20 * MAX_QUEUE, 86_400))
        waiting = start
        queue = []
        for position, (run, job) in enumerate(members):
            waiting = min(NOW, waiting + timedelta(seconds=rng.randrange(0, 20)))
            item = {"run": run_ids[run]}
            if job is not None:
                item["job"] = job_ids[run][job]
                if job == USES_JOB:
                    item["kind"] = "reusable_workflow"
            item["waiting_since"] = stamp(waiting)
            if position == 0 and rng.random() < 0.95:
                item["acquired_at"] = stamp(min(NOW, waiting + timedelta(seconds=rng.randrange(0, 5))))
            queue.append(item)
            configured[run].add(names[index])
        queues.append({"name": names[index], "queue": queue})

    runs = []
    for run in range(run_count):
        groups_of_run = sorted(configured[run])
        if rng.random() < 0.2:
            groups_of_run.append(names[rng.randrange(groups)])  # configured, maybe idle for this run
        jobs = []
        for job, (job_name, parent, _) in enumerate(JOB_TREE):
            entry = {"id": job_ids[run][job], "name": job_name}
            if parent is None:
                jobs.append(entry)
            else:
                jobs[parent].setdefault("jobs", []).append(entry)
        jobs[USES_JOB]["uses"] = "./.github/workflows/release.yml"
        runs.append({
            "id": run_ids[run],
            "name": rng.choice(RUN_NAMES),
            "concurrency_groups": sorted(set(groups_of_run)),
            "jobs": jobs,
        })
    # Groups in a shuffled order, as a real repository would list them: not sorted by key.
    rng.shuffle(queues)
    return {
        "version": 1,
        "now": stamp(NOW),
        "repositories": [{
            "owner": arguments.owner,
            "name": arguments.name,
            "visibility": "public",
            "runs": runs,
            "concurrency_groups": queues,
        }],
    }


def write_fixture(fixture, stream):
    """Compact JSON with one run or one group per line, so errors point at a useful line."""
    def compact(value):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    repository = fixture["repositories"][0]
    stream.write('{"version":%d,"now":%s,"repositories":[\n' % (fixture["version"], compact(fixture["now"])))
    header = {key: value for key, value in repository.items() if key not in ("runs", "concurrency_groups")}
    stream.write(compact(header)[:-1] + ',"runs":[\n')
    stream.write(",\n".join(compact(run) for run in repository["runs"]))
    stream.write('\n],"concurrency_groups":[\n')
    stream.write(",\n".join(compact(group) for group in repository["concurrency_groups"]))
    stream.write("\n]}\n]}\n")


def main(argv):
    arguments = parse_arguments(argv)
    fixture = make_fixture(arguments)
    if arguments.output == "-":
        write_fixture(fixture, sys.stdout)
    else:
        with open(arguments.output, "w", encoding="utf-8") as stream:
            write_fixture(fixture, stream)
    repository = fixture["repositories"][0]
    items = [item for group in repository["concurrency_groups"] for item in group["queue"]]
    kinds = {"workflow": 0, "job": 0, "reusable_workflow": 0}
    for item in items:
        kinds[item.get("kind", "job" if "job" in item else "workflow")] += 1
    print(
        f"make-fixture: {len(repository['concurrency_groups'])} groups, {len(items)} items "
        f"({kinds['workflow']} workflow, {kinds['job']} job, {kinds['reusable_workflow']} reusable_workflow), "
        f"{len(repository['runs'])} runs, {len(repository['runs']) * len(JOB_TREE)} jobs",
        file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
