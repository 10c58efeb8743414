"""Contract tests of the workflow-run, job and workflow operations with githubkit alone (typed
models, paginator, error types): each test gets a server of its own started on
Tests/contract/actions-fixture.yml, so no test needs the control API.
"""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from githubkit import GitHub
from githubkit.exception import RequestFailed
from githubkit_schemas.v2026_03_10.models import Job, Workflow, WorkflowDispatchResponse, WorkflowRun

from conftest import API_VERSION, ROOT, RecordingTransport, make_github

FIXTURE = ROOT / "Tests" / "contract" / "actions-fixture.yml"
OWNER, SHOP, VAULT = "acme", "shop", "vault"
TOKEN = "ghp_story"


@pytest.fixture
def server() -> Iterator[str]:
    """A server of this test's own on the Actions fixture; answers its base URL."""
    binary = Path(os.environ.get("CONCURRENCY_MOCK_BINARY", ROOT / ".build" / "debug" / "concurrency-mock"))
    process = subprocess.Popen(
        [str(binary), "--host", "127.0.0.1", "--port", "0", "--quiet", "--fixture", str(FIXTURE)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    assert line.startswith("listening on "), line
    try:
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def github(server: str, recorder: RecordingTransport) -> Iterator[GitHub]:
    """A client with a token (writes need one), every exchange recorded."""
    with make_github(server, TOKEN, transport=recorder) as client:
        yield client


@pytest.fixture
def rest(github: GitHub):
    return github.rest(API_VERSION)


# ---------------------------------------------------------------------------------------------
# Typed reads


@pytest.mark.parametrize("version", ["2026-03-10", "2022-11-28"])
def test_every_read_parses_into_githubs_typed_models(github: GitHub, version: str) -> None:
    rest = github.rest(version)
    run = rest.actions.get_workflow_run(OWNER, SHOP, 500).parsed_data
    assert (run.id, run.name, run.display_title, run.event, run.head_branch) == (500, "CI", "CI", "push", "main")
    assert (run.status, run.conclusion, run.run_number, run.run_attempt) == ("completed", "failure", 1, 1)
    assert run.actor is not None and run.actor.login == "monalisa"
    assert run.path == ".github/workflows/ci.yml"
    assert run.repository.full_name == "acme/shop"
    assert run.created_at.isoformat() == "2026-03-01T09:00:00+00:00"
    jobs = rest.actions.list_jobs_for_workflow_run(OWNER, SHOP, 500, filter_="all").parsed_data
    assert [(job.name, job.status, job.conclusion) for job in jobs.jobs] == [("build", "completed", "success"), ("test", "completed", "failure")]
    assert jobs.total_count == 2
    job = rest.actions.get_job_for_workflow_run(OWNER, SHOP, 5001).parsed_data
    assert (job.run_id, job.workflow_name, job.steps) == (500, "CI", [])
    workflows = rest.actions.list_repo_workflows(OWNER, SHOP).parsed_data
    assert [workflow.path for workflow in workflows.workflows] == [".github/workflows/ci.yml", ".github/workflows/deploy.yml"]
    by_id = rest.actions.get_workflow(OWNER, SHOP, workflows.workflows[0].id).parsed_data
    by_file = rest.actions.get_workflow(OWNER, SHOP, "ci.yml").parsed_data
    assert by_id == by_file and by_file.name == "CI" and by_file.state == "active"
    assert run.workflow_id == by_file.id
    runs = rest.actions.list_workflow_runs(OWNER, SHOP, "ci.yml", branch="feature").parsed_data
    assert [r.id for r in runs.workflow_runs] == [503, 502]
    attempt = rest.actions.get_workflow_run_attempt(OWNER, SHOP, 500, 1).parsed_data
    assert attempt.run_attempt == 1
    for model, value in [(WorkflowRun, run), (Job, job), (Workflow, by_file)]:
        assert type(value).__name__ == model.__name__


def test_the_runs_list_filters_as_github_does(rest) -> None:
    def ids(**filters) -> list[int]:
        return [run.id for run in rest.actions.list_workflow_runs_for_repo(OWNER, SHOP, **filters).parsed_data.workflow_runs]

    assert ids() == [504, 503, 502, 501, 500]
    assert ids(status="completed") == [501, 500]
    assert ids(status="failure") == [500]
    assert ids(status="in_progress") == [504, 503, 502]
    assert ids(actor="monalisa") == [500]
    assert ids(branch="main", event="push") == [504, 501, 500]
    assert ids(created="2026-03-01T09:01:00Z..2026-03-01T09:02:00Z") == [502, 501]
    assert ids(head_sha="0" * 40, exclude_pull_requests=True) == [504, 503, 502, 501, 500]


def test_githubkits_paginator_walks_the_runs_list_page_by_page(github: GitHub, recorder: RecordingTransport) -> None:
    pages = github.rest.paginate(
        github.rest(API_VERSION).actions.list_workflow_runs_for_repo,
        map_func=lambda response: response.parsed_data.workflow_runs,
        owner=OWNER,
        repo=SHOP,
        per_page=2,
        headers={"X-GitHub-Api-Version": API_VERSION},
    )
    assert [run.id for run in pages] == [504, 503, 502, 501, 500]
    assert [parse_qs(request.url.query.decode()).get("page") for request in recorder.requests] == [None, ["2"], ["3"]]


# ---------------------------------------------------------------------------------------------
# The story: dispatch -> pending -> cancel the run ahead -> in_progress, through githubkit alone


def test_dispatch_pending_cancel_ahead_in_progress(rest) -> None:
    first = rest.actions.create_workflow_dispatch(OWNER, SHOP, "deploy.yml", ref="main", inputs={"environment": "production"})
    assert first.status_code == 200
    assert isinstance(first.parsed_data, WorkflowDispatchResponse)
    ahead = first.parsed_data.workflow_run_id
    second = rest.actions.create_workflow_dispatch(OWNER, SHOP, "deploy.yml", ref="main", inputs={"environment": "production"})
    waiting = second.parsed_data.workflow_run_id
    run = rest.actions.get_workflow_run(OWNER, SHOP, waiting).parsed_data
    assert (run.status, run.display_title, run.event) == ("pending", "Deploy to production", "workflow_dispatch")
    group = rest.actions.get_concurrency_group_for_repository(OWNER, SHOP, "deploy-production").parsed_data
    assert [(m.run_id, m.status) for m in group.group_members] == [(ahead, "in_progress"), (waiting, "pending")]
    cancel = rest.actions.cancel_workflow_run(OWNER, SHOP, ahead)
    assert cancel.status_code == 202
    cancelled = rest.actions.get_workflow_run(OWNER, SHOP, ahead).parsed_data
    assert (cancelled.status, cancelled.conclusion) == ("completed", "cancelled")
    assert rest.actions.get_workflow_run(OWNER, SHOP, waiting).parsed_data.status == "in_progress"
    jobs = rest.actions.list_jobs_for_workflow_run(OWNER, SHOP, waiting).parsed_data.jobs
    assert [(job.name, job.status) for job in jobs] == [("deploy", "in_progress")]
    with pytest.raises(RequestFailed) as conflict:
        rest.actions.cancel_workflow_run(OWNER, SHOP, ahead)
    assert conflict.value.response.status_code == 409
    assert conflict.value.response.json()["message"] == "Cannot cancel a workflow run that is completed."


def test_a_rerun_keeps_the_id_and_queues_again(rest) -> None:
    assert rest.actions.re_run_workflow_failed_jobs(OWNER, SHOP, 500).status_code == 201
    run = rest.actions.get_workflow_run(OWNER, SHOP, 500).parsed_data
    assert (run.id, run.run_attempt, run.status, run.conclusion) == (500, 2, "in_progress", None)
    assert run.previous_attempt_url is not None and run.previous_attempt_url.endswith("/actions/runs/500/attempts/1")
    assert rest.actions.get_workflow_run_attempt(OWNER, SHOP, 500, 1).parsed_data.conclusion == "failure"
    # The failed test runs again as job 5011 (the fixture's jobs end at 5010); build is carried over.
    jobs = rest.actions.list_jobs_for_workflow_run(OWNER, SHOP, 500).parsed_data.jobs
    assert [(job.id, job.name, job.status, job.run_attempt) for job in jobs] == [(5000, "build", "completed", 1), (5011, "test", "in_progress", 2)]
    every = rest.actions.list_jobs_for_workflow_run(OWNER, SHOP, 500, filter_="all").parsed_data
    assert (every.total_count, [job.id for job in every.jobs]) == (3, [5000, 5001, 5011])
    first = rest.actions.list_jobs_for_workflow_run_attempt(OWNER, SHOP, 500, 1).parsed_data.jobs
    assert [(job.id, job.conclusion, job.run_attempt) for job in first] == [(5000, "success", 1), (5001, "failure", 1)]
    old = rest.actions.get_job_for_workflow_run(OWNER, SHOP, 5001).parsed_data
    assert (old.run_id, old.run_attempt, old.status, old.conclusion) == (500, 1, "completed", "failure")
    with pytest.raises(RequestFailed) as missing:
        rest.actions.list_jobs_for_workflow_run_attempt(OWNER, SHOP, 500, 3)
    assert missing.value.response.status_code == 404
    with pytest.raises(RequestFailed) as old_job:
        rest.actions.re_run_job_for_workflow_run(OWNER, SHOP, 5001)
    assert old_job.value.response.status_code == 403
    assert old_job.value.response.json()["message"] == "Only jobs from the current attempt can be re-run"
    with pytest.raises(RequestFailed) as running:
        rest.actions.re_run_workflow(OWNER, SHOP, 500)
    assert running.value.response.status_code == 403
    assert running.value.response.json()["message"] == "This workflow is already running"
    # Job 5002 is run 501's build: the job and its dependent test run again, attempt 2, as 5012 and 5013.
    assert rest.actions.re_run_job_for_workflow_run(OWNER, SHOP, 5002).status_code == 201
    assert rest.actions.get_workflow_run(OWNER, SHOP, 501).parsed_data.run_attempt == 2
    assert [job.id for job in rest.actions.list_jobs_for_workflow_run(OWNER, SHOP, 501).parsed_data.jobs] == [5012, 5013]
    assert rest.actions.force_cancel_workflow_run(OWNER, SHOP, 501).status_code == 202
    with pytest.raises(RequestFailed) as completed:
        rest.actions.force_cancel_workflow_run(OWNER, SHOP, 501)
    assert completed.value.response.status_code == 409


def test_githubkits_paginator_walks_an_attempts_jobs(github: GitHub, recorder: RecordingTransport) -> None:
    rest = github.rest(API_VERSION)
    assert rest.actions.re_run_workflow_failed_jobs(OWNER, SHOP, 500).status_code == 201
    recorder.exchanges.clear()
    pages = github.rest.paginate(
        rest.actions.list_jobs_for_workflow_run_attempt,
        map_func=lambda response: response.parsed_data.jobs,
        owner=OWNER,
        repo=SHOP,
        run_id=500,
        attempt_number=2,
        per_page=1,
        headers={"X-GitHub-Api-Version": API_VERSION},
    )
    assert [(job.id, job.run_attempt) for job in pages] == [(5000, 1), (5011, 2)]
    assert [parse_qs(request.url.query.decode()).get("page") for request in recorder.requests] == [None, ["2"]]


def test_dispatch_in_2022_11_28_answers_204_unless_asked_for_details(github: GitHub) -> None:
    rest = github.rest("2022-11-28")
    plain = rest.actions.create_workflow_dispatch(OWNER, SHOP, "deploy.yml", ref="main", inputs={"environment": "staging"})
    assert plain.status_code == 204
    detailed = rest.actions.create_workflow_dispatch(
        OWNER, SHOP, "deploy.yml", ref="main", inputs={"environment": "staging"}, return_run_details=True
    )
    assert detailed.status_code == 200
    # githubkit's 2022-11-28 client types this 200 loosely; the body is GitHub's dispatch response.
    assert WorkflowDispatchResponse.model_validate(detailed.json()).workflow_run_id == 507
    assert detailed.json()["run_url"].endswith("/repos/acme/shop/actions/runs/507")


@pytest.mark.parametrize(
    ("workflow", "body", "message"),
    [
        ("ci.yml", {"ref": "main"}, "Workflow does not have 'workflow_dispatch' trigger"),
        ("deploy.yml", {"ref": "main", "inputs": {"environment": "staging", "colour": "red"}}, 'Unexpected inputs provided: ["colour"]'),
        ("deploy.yml", {"ref": "main"}, "Required input 'environment' not provided"),
    ],
)
def test_refused_dispatches_are_githubs_422(rest, workflow: str, body: dict, message: str) -> None:
    with pytest.raises(RequestFailed) as refused:
        rest.actions.create_workflow_dispatch(OWNER, SHOP, workflow, data=body)
    assert refused.value.response.status_code == 422
    assert refused.value.response.json()["message"] == message


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        (None, 401, "Requires authentication"),
        ("github_pat_reader", 403, "Resource not accessible by personal access token"),
        ("ghs_reader", 403, "Resource not accessible by integration"),
    ],
)
def test_writes_need_write_access(server: str, token: str | None, status: int, message: str) -> None:
    with make_github(server, token) as github:
        with pytest.raises(RequestFailed) as refused:
            github.rest(API_VERSION).actions.cancel_workflow_run(OWNER, SHOP, 504)
        assert refused.value.response.status_code == status
        assert refused.value.response.json()["message"] == message
        assert github.rest(API_VERSION).actions.get_workflow_run(OWNER, SHOP, 504).parsed_data.status == "in_progress"


def test_a_private_repository_is_a_404_without_a_token_and_readable_with_one(server: str) -> None:
    with make_github(server) as anonymous:
        with pytest.raises(RequestFailed) as missing:
            anonymous.rest(API_VERSION).actions.get_workflow_run(OWNER, VAULT, 505)
        assert missing.value.response.status_code == 404
    with make_github(server, "github_pat_reader") as reader:
        assert reader.rest(API_VERSION).actions.get_workflow_run(OWNER, VAULT, 505).parsed_data.repository.private is True
