"""Contract tests with githubkit, a GitHub client generated from GitHub's own OpenAPI description
(typed pydantic models per API version), against the running mock with Tests/contract/fixture.yml.

Tests that change the state (tokens, modes, rate-limit settings, a job completed) restore it
with POST /_mock/reset.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from githubkit import GitHub
from githubkit.exception import PrimaryRateLimitExceeded, RequestFailed, SecondaryRateLimitExceeded
from githubkit.utils import UNSET
from githubkit_schemas.v2026_03_10.models import (
    BasicError,
    ConcurrencyGroup,
    ConcurrencyGroupList,
    ConcurrencyGroupRunList,
    ValidationError,
)

from conftest import API_VERSION, RecordingTransport, make_github

OWNER = "contract"
PUBLIC = "public-app"
PRIVATE = "private-app"
SHARDS = [f"shard-{i:02d}" for i in range(60)]
# Sorted as the mock sorts: by the lowercased name, as UTF-8 bytes.
PUBLIC_GROUPS = sorted(["deploy-prod", "deploy-staging", "nightly build", "release-main", *SHARDS], key=lambda n: n.lower().encode())
RUN_1010_GROUPS = ["retired-group", *SHARDS]



def selected_version(response) -> str | None:
    return response.headers.get("X-GitHub-Api-Version-Selected")


# ---------------------------------------------------------------------------------------------
# The three operations, typed


@pytest.mark.parametrize("version", ["2026-03-10", "2022-11-28"])
def test_list_groups_for_repository_parses_into_the_typed_model(github: GitHub, recorder: RecordingTransport, version: str) -> None:
    response = github.rest(version).actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, per_page=100)
    assert response.status_code == 200
    assert recorder.requests[-1].headers["X-GitHub-Api-Version"] == version
    assert selected_version(response) == version
    data = response.parsed_data
    assert type(data).__name__ == "ConcurrencyGroupList"
    assert data.total_count == 64
    assert [group.group_name for group in data.concurrency_groups] == PUBLIC_GROUPS
    assert "Link" not in response.headers, "everything fits on one page"
    by_name = {group.group_name: group for group in data.concurrency_groups}
    assert by_name["deploy-prod"].last_acquired_at == dt.datetime(2026, 4, 1, 11, 20, 2, tzinfo=dt.timezone.utc)
    assert by_name["nightly build"].last_acquired_at is None
    assert by_name["nightly build"].group_url.endswith("/repos/contract/public-app/actions/concurrency_groups/nightly%20build")


def test_get_group_parses_run_level_job_level_and_reusable_workflow_members(rest) -> None:
    prod = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod").parsed_data
    assert isinstance(prod, ConcurrencyGroup)
    assert (prod.group_name, prod.total_count, len(prod.group_members)) == ("deploy-prod", 2, 2)
    holder, waiting = prod.group_members
    assert (holder.run_id, holder.job_id, holder.job_name, holder.status) == (1003, 2021, "deploy", "in_progress")
    assert holder.job_url.endswith("/repos/contract/public-app/actions/jobs/2021")
    assert holder.job_html_url == "https://github.com/contract/public-app/actions/runs/1003/job/2021"
    # A reusable-workflow lease names its calling uses: job.
    assert (waiting.run_id, waiting.run_name, waiting.job_id, waiting.job_name, waiting.status) == (1001, "Release v1.0", 2004, "deploy-prod", "pending")

    release = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "release-main").parsed_data
    assert [(m.run_id, m.status) for m in release.group_members] == [(1001, "in_progress"), (1002, "pending")]
    for member in release.group_members:
        # Run-level items carry no job fields at all.
        assert member.job_id is UNSET and member.job_name is UNSET and member.job_url is UNSET and member.job_html_url is UNSET
        assert member.run_html_url == f"https://github.com/contract/public-app/actions/runs/{member.run_id}"

    spaced = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "nightly build").parsed_data
    assert spaced.group_name == "nightly build"


def test_ahead_of_run_and_ahead_of_job_return_the_items_ahead_plus_the_item(rest) -> None:
    by_run = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "release-main", ahead_of_run=1002).parsed_data
    assert [m.run_id for m in by_run.group_members] == [1001, 1002]
    assert by_run.total_count == 2
    by_job = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-staging", ahead_of_job=2013).parsed_data
    # Job 2013 runs inside the uses: job 2012, whose reusable-workflow lease is what waits.
    assert [(m.run_id, m.job_id) for m in by_job.group_members] == [(1001, 2002), (1002, 2012)]
    holder = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", ahead_of_job=2021).parsed_data
    assert [(m.run_id, m.job_id) for m in holder.group_members] == [(1003, 2021)]


def test_list_groups_for_run_parses_positions_and_follows_position_urls(github: GitHub, rest) -> None:
    response = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1001)
    data = response.parsed_data
    assert isinstance(data, ConcurrencyGroupRunList)
    assert data.total_count == 3
    assert [g.group_name for g in data.concurrency_groups] == ["deploy-prod", "deploy-staging", "release-main"]
    members = {g.group_name: g.group_members for g in data.concurrency_groups}
    assert [(m.position, m.status, m.job_id) for m in members["deploy-prod"]] == [(1, "pending", 2004)]
    assert [(m.position, m.status, m.job_id) for m in members["deploy-staging"]] == [(0, "in_progress", 2002)]
    assert [(m.position, m.status, m.job_id) for m in members["release-main"]] == [(0, "in_progress", UNSET)]
    # position_url is the get endpoint with ahead_of_*: following it ends at the item itself.
    for group in data.concurrency_groups:
        for member in group.group_members:
            url = urlsplit(member.position_url)
            query = {key: int(values[-1]) for key, values in parse_qs(url.query).items()}
            assert set(query) == ({"ahead_of_job"} if member.job_id is not UNSET else {"ahead_of_run"})
            ahead = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, group.group_name, **query).parsed_data
            assert len(ahead.group_members) == member.position + 1
            last = ahead.group_members[-1]
            assert (last.run_id, last.job_id) == (member.run_id, member.job_id)


def test_a_configured_group_without_items_has_empty_members(rest) -> None:
    data = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1010, per_page=2).parsed_data
    assert data.total_count == 61
    retired, first = data.concurrency_groups
    assert (retired.group_name, retired.group_members) == ("retired-group", [])
    assert first.group_name == "shard-00"
    assert [(m.job_id, m.job_name, m.position) for m in first.group_members] == [(2100, "test (shard 00)", 0)]
    with pytest.raises(RequestFailed) as failure:
        rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "retired-group")
    assert failure.value.response.status_code == 404, "group_url of an inactive group answers 404"


# ---------------------------------------------------------------------------------------------
# Pagination


def test_githubkit_paginate_walks_the_repository_list_by_link_header_cursors(github: GitHub, recorder: RecordingTransport) -> None:
    # githubkit's paginator follows rel="next" URLs as given, so `after` cursors work. It sends
    # the caller's `headers` again on every follow-up request but not the X-GitHub-Api-Version
    # the versioned method adds, so the version goes in `headers` to stay on 2026-03-10.
    pages = github.rest.paginate(
        github.rest(API_VERSION).actions.list_concurrency_groups_for_repository,
        map_func=lambda response: response.parsed_data.concurrency_groups,
        owner=OWNER,
        repo=PUBLIC,
        per_page=7,
        headers={"X-GitHub-Api-Version": API_VERSION},
    )
    names = [group.group_name for group in pages]
    assert names == PUBLIC_GROUPS
    assert len(recorder.requests) == 10, "64 groups, 7 a page"
    for request, response in recorder.exchanges:
        assert request.headers["X-GitHub-Api-Version"] == API_VERSION
        assert selected_version(response) == API_VERSION
    follow_ups = recorder.requests[1:]
    assert all(parse_qs(request.url.query.decode())["per_page"] == ["7"] for request in follow_ups)
    assert all("after" in parse_qs(request.url.query.decode()) for request in follow_ups)
    assert pages.latest_response is not None
    assert 'rel="next"' not in pages.latest_response.headers.get("Link", ""), "the last page has no next link"


def test_githubkit_paginate_walks_a_runs_groups_past_the_default_page_size(github: GitHub, recorder: RecordingTransport) -> None:
    pages = github.rest.paginate(
        github.rest(API_VERSION).actions.list_concurrency_groups_for_workflow_run,
        map_func=lambda response: response.parsed_data.concurrency_groups,
        owner=OWNER,
        repo=PUBLIC,
        run_id=1010,
        headers={"X-GitHub-Api-Version": API_VERSION},
    )
    groups = list(pages)
    assert [g.group_name for g in groups] == RUN_1010_GROUPS
    assert len(recorder.requests) == 3, "61 groups at the default 30 a page"
    positions = {g.group_name: [m.position for m in g.group_members] for g in groups}
    assert positions["shard-05"] == [0] and positions["retired-group"] == []


def test_before_cursors_and_prev_links_walk_back_to_the_first_page(github: GitHub) -> None:
    # githubkit's paginator only goes forward, so this walk follows the Link header by hand,
    # still parsing every page into githubkit's typed model. As GitHub describes, pages reached
    # with `after` carry no rel="prev"; `before=<a next cursor>` gives the page before the cut.
    link = re.compile(r'<([^<>]+)>;\s*rel="(prev|next)"')

    def links(response) -> dict[str, str]:
        return {rel: url for url, rel in link.findall(response.headers.get("Link", ""))}

    response = github.rest(API_VERSION).actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1010, per_page=25)
    forward = [response.parsed_data]
    next_urls = []
    while next_url := links(response).get("next"):
        assert "prev" not in links(response)
        next_urls.append(next_url)
        response = github.request("GET", next_url, response_model=ConcurrencyGroupRunList)
        forward.append(response.parsed_data)
    assert [len(page.concurrency_groups) for page in forward] == [25, 25, 11]
    assert [g.group_name for page in forward for g in page.concurrency_groups] == RUN_1010_GROUPS

    response = github.request("GET", next_urls[-1].replace("&after=", "&before="), response_model=ConcurrencyGroupRunList)
    backward = [response.parsed_data]
    while prev_url := links(response).get("prev"):
        response = github.request("GET", prev_url, response_model=ConcurrencyGroupRunList)
        backward.append(response.parsed_data)
    assert [[g.group_name for g in page.concurrency_groups] for page in reversed(backward)] == [
        [g.group_name for g in page.concurrency_groups] for page in forward[:2]
    ]


# ---------------------------------------------------------------------------------------------
# Errors


def not_found(call) -> RequestFailed:
    with pytest.raises(RequestFailed) as failure:
        call()
    assert failure.value.response.status_code == 404
    return failure.value


def test_404s_are_request_failed_with_githubs_basic_error(rest) -> None:
    failure = not_found(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "no-such-group"))
    error = failure.response.parsed_data
    assert isinstance(error, BasicError)
    assert (error.message, error.status) == ("Not Found", "404")
    assert error.documentation_url == "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"

    failure = not_found(lambda: rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 999999))
    assert failure.response.parsed_data.documentation_url.endswith("#list-concurrency-groups-for-a-workflow-run")

    # GitHub's description declares no 404 for this operation, so githubkit parses no model;
    # the body is GitHub's all the same.
    failure = not_found(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, "no-such-repo"))
    assert failure.response.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/actions/concurrency-groups#list-concurrency-groups-for-a-repository",
        "status": "404",
    }


def test_422s_are_request_failed_with_githubs_validation_error(rest) -> None:
    with pytest.raises(RequestFailed) as failure:
        rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", ahead_of_job=2100)
    assert failure.value.response.status_code == 422
    error = failure.value.response.parsed_data
    assert isinstance(error, ValidationError)
    assert error.message == "Validation Failed"
    assert error.documentation_url == "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"
    [issue] = error.errors
    assert (issue.resource, issue.field, issue.code, issue.value) == ("ConcurrencyGroup", "ahead_of_job", "invalid", 2100)
    assert issue.message == "job 2100 is not in concurrency group 'deploy-prod'"

    # A job-level lease never matches ahead_of_run.
    with pytest.raises(RequestFailed) as failure:
        rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "shard-00", ahead_of_run=1010)
    assert failure.value.response.status_code == 422

    for call, field in [
        (lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, per_page=0), "per_page"),
        (lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, after="not-a-cursor"), "after"),
        (lambda: rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1010, before="not-a-cursor"), "before"),
        (lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", ahead_of_run=1001, ahead_of_job=2004), "ahead_of_job"),
    ]:
        with pytest.raises(RequestFailed) as failure:
            call()
        assert failure.value.response.status_code == 422
        assert isinstance(failure.value.response.parsed_data, ValidationError)
        assert failure.value.response.parsed_data.errors[0].field == field


def test_a_cursor_from_another_list_is_refused(rest) -> None:
    first = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1010, per_page=5)
    cursor = parse_qs(urlsplit(re.search(r'<([^<>]+)>;\s*rel="next"', first.headers["Link"]).group(1)).query)["after"][0]
    with pytest.raises(RequestFailed) as failure:
        rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, after=cursor)
    assert failure.value.response.status_code == 422


def test_an_unsupported_api_version_is_githubs_400(github: GitHub) -> None:
    with pytest.raises(RequestFailed) as failure:
        github.rest(API_VERSION).actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, headers={"X-GitHub-Api-Version": "1999-01-01"})
    response = failure.value.response
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Bad Request"
    assert body["errors"].startswith('The version you specified in the "X-GitHub-API-Version" request header, "1999-01-01", is not a supported version.')
    assert body["status"] == "400"


def test_versions_lists_the_served_api_versions(github: GitHub) -> None:
    response = github.request("GET", "/versions", response_model=list[str])
    assert response.status_code == 200
    assert sorted(response.parsed_data) == ["2022-11-28", "2026-03-10"]


# ---------------------------------------------------------------------------------------------
# Conditional requests (ETag / If-None-Match / 304)


def test_an_if_none_match_with_the_current_etag_surfaces_as_304_without_a_body(github: GitHub, recorder: RecordingTransport) -> None:
    rest = github.rest(API_VERSION)
    first = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod")
    etag = first.headers.get("ETag")
    assert etag is not None and re.fullmatch(r'W/"[^"]+"', etag), f"weak ETag on a 200, got {etag!r}"
    again = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", headers={"If-None-Match": etag})
    # githubkit raises only for >= 400: a 304 comes back as a Response with no body to parse.
    assert again.status_code == 304
    assert again.content == b""
    assert recorder.requests[-1].headers["If-None-Match"] == etag
    # A stale or foreign tag gets the full answer.
    other = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", headers={"If-None-Match": 'W/"stale"'})
    assert other.status_code == 200
    assert other.parsed_data == first.parsed_data


def test_githubkits_http_cache_revalidates_with_the_etag_and_serves_the_304_from_cache(base_url: str) -> None:
    # githubkit's default HTTP cache (hishel) stores 200s and, with Cache-Control: no-cache,
    # revalidates every request: it must send If-None-Match itself and turn the 304 back into
    # the stored 200, typed as before.
    recorder = RecordingTransport()
    with make_github(base_url, http_cache=True, transport=recorder) as github:
        rest = github.rest(API_VERSION)
        first = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1001)
        second = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PUBLIC, 1001)
    (_, wire_first), (wire_request, wire_second) = recorder.exchanges
    etag = wire_first.headers.get("ETag")
    assert etag is not None and etag.startswith('W/"')
    assert wire_request.headers.get("If-None-Match") == etag
    assert wire_second.status_code == 304
    assert second.status_code == 200
    assert second.raw_response.extensions.get("hishel_from_cache") is True
    assert second.parsed_data == first.parsed_data


def test_etags_differ_between_representations_and_change_with_the_state(github: GitHub, control: httpx.Client, restore_state) -> None:
    rest = github.rest(API_VERSION)

    def etag(call) -> str:
        value = call().headers.get("ETag")
        assert value is not None and value.startswith('W/"')
        return value

    staging = etag(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-staging"))
    prod = etag(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod"))
    assert staging != prod
    assert etag(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod")) == prod, "stable while nothing changes"
    page_one = etag(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, per_page=10))
    assert page_one != etag(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, per_page=11))
    # Job 2021 holds deploy-prod; completing it hands the lease to 1001/2004.
    answer = control.post(f"/_mock/repos/{OWNER}/{PUBLIC}/jobs/2021/complete", json={})
    assert answer.status_code == 200, answer.text
    assert etag(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod")) != prod
    assert etag(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-staging")) == staging
    # An If-None-Match with the old tag now gets the new representation, not 304.
    response = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod", headers={"If-None-Match": prod})
    assert response.status_code == 200
    assert [m.run_id for m in response.parsed_data.group_members] == [1001]


# ---------------------------------------------------------------------------------------------
# Authentication and visibility (default permissive mode)


def test_a_private_repository_is_a_404_identical_to_a_missing_one_without_a_token(rest) -> None:
    hidden = not_found(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PRIVATE))
    missing = not_found(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, "no-such-repo"))
    assert hidden.response.content == missing.response.content
    not_found(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PRIVATE, "private-ci"))
    not_found(lambda: rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PRIVATE, 3001))


@pytest.mark.parametrize("scheme", ["Bearer", "token"])
def test_any_token_reads_a_private_repository_in_permissive_mode(github: GitHub, scheme: str) -> None:
    headers = {"Authorization": f"{scheme} anything"}
    rest = github.rest(API_VERSION)
    listed = rest.actions.list_concurrency_groups_for_repository(OWNER, PRIVATE, headers=headers).parsed_data
    assert [g.group_name for g in listed.concurrency_groups] == ["private-ci"]
    group = rest.actions.get_concurrency_group_for_repository(OWNER, PRIVATE, "private-ci", headers=headers).parsed_data
    assert [m.run_id for m in group.group_members] == [3001]
    runs = rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PRIVATE, 3001, headers=headers).parsed_data
    assert runs.total_count == 1


def test_githubkits_own_token_auth_reads_a_private_repository(base_url: str) -> None:
    # githubkit's TokenAuthStrategy sends `Authorization: token <token>`.
    with make_github(base_url, "ghp_anything") as github:
        response = github.rest(API_VERSION).actions.list_concurrency_groups_for_repository(OWNER, PRIVATE)
    assert response.raw_request.headers["Authorization"] == "token ghp_anything"
    assert response.parsed_data.total_count == 1


@pytest.mark.parametrize("authorization", ["Basic xyz", "Digest abc"])
def test_an_authorization_header_without_a_usable_token_is_401_bad_credentials(github: GitHub, authorization: str) -> None:
    with pytest.raises(RequestFailed) as failure:
        github.rest(API_VERSION).actions.list_concurrency_groups_for_repository(OWNER, PUBLIC, headers={"Authorization": authorization})
    response = failure.value.response
    assert response.status_code == 401
    assert response.json() == {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}


# ---------------------------------------------------------------------------------------------
# Rate-limit headers


def rate_limit(response) -> dict[str, str]:
    return {name: response.headers.get(f"X-RateLimit-{name}") for name in ("Limit", "Remaining", "Used", "Reset", "Resource")}


def check_rate_limit_headers(response, limit: int) -> dict[str, str]:
    headers = rate_limit(response)
    assert all(value is not None for value in headers.values()), headers
    assert int(headers["Limit"]) == limit
    assert int(headers["Used"]) >= 1
    assert int(headers["Remaining"]) + int(headers["Used"]) == limit
    assert int(headers["Reset"]) > 1_700_000_000
    assert headers["Resource"] == "core"
    return headers


def test_anonymous_answers_carry_the_60_an_hour_budget(rest, control: httpx.Client) -> None:
    assert control.post("/_mock/rate_limits/reset").status_code == 200
    first = check_rate_limit_headers(rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC), 60)
    assert first["Used"] == "1"
    second = check_rate_limit_headers(rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "deploy-prod"), 60)
    assert int(second["Used"]) == int(first["Used"]) + 1
    # Errors count and carry the headers too.
    failure = not_found(lambda: rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "no-such-group"))
    check_rate_limit_headers(failure.response, 60)


def test_token_answers_carry_the_5000_an_hour_budget(rest, control: httpx.Client) -> None:
    assert control.post("/_mock/rate_limits/reset").status_code == 200
    headers = {"Authorization": "Bearer rate-limit-test-token"}
    first = check_rate_limit_headers(rest.actions.list_concurrency_groups_for_repository(OWNER, PRIVATE, headers=headers), 5000)
    assert first["Used"] == "1"
    second = check_rate_limit_headers(rest.actions.list_concurrency_groups_for_workflow_run(OWNER, PRIVATE, 3001, headers=headers), 5000)
    assert int(second["Used"]) == int(first["Used"]) + 1


def test_an_authenticated_304_does_not_count_against_the_rate_limit(rest, control: httpx.Client) -> None:
    assert control.post("/_mock/rate_limits/reset").status_code == 200
    headers = {"Authorization": "Bearer conditional-request-token"}
    first = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "release-main", headers=headers)
    used = int(check_rate_limit_headers(first, 5000)["Used"])
    conditional = rest.actions.get_concurrency_group_for_repository(
        OWNER, PUBLIC, "release-main", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304
    assert int(conditional.headers["X-RateLimit-Used"]) == used
    after = rest.actions.get_concurrency_group_for_repository(OWNER, PUBLIC, "release-main", headers=headers)
    assert int(check_rate_limit_headers(after, 5000)["Used"]) == used + 1


def test_an_exhausted_budget_is_githubkits_primary_rate_limit_error(base_url: str, control: httpx.Client, restore_state) -> None:
    # GitHub's 403 with X-RateLimit-Remaining: 0 and no Retry-After is what githubkit reads as
    # a primary (not secondary) rate limit.
    answer = control.put("/_mock/rate_limits", json={"enforce": True, "anonymous": 2, "authenticated": 3})
    assert answer.json() == {"enforce": True, "authenticated": 3, "anonymous": 2}
    assert control.post("/_mock/rate_limits/reset").status_code == 200
    with make_github(base_url) as github:
        rest = github.rest(API_VERSION)
        for _ in range(2):
            rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC)
        with pytest.raises(PrimaryRateLimitExceeded) as failure:
            rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC)
    assert not isinstance(failure.value, SecondaryRateLimitExceeded)
    response = failure.value.response
    assert response.status_code == 403
    assert "retry-after" not in response.headers
    assert rate_limit(response)["Remaining"] == "0" and rate_limit(response)["Limit"] == "2"
    body = response.json()
    assert body["message"].startswith("API rate limit exceeded for ")
    assert body["status"] == "403"
    # A token has its own budget.
    with make_github(base_url, "ghp_budget") as github:
        response = github.rest(API_VERSION).actions.list_concurrency_groups_for_repository(OWNER, PUBLIC)
    assert rate_limit(response)["Limit"] == "3" and rate_limit(response)["Used"] == "1"


# ---------------------------------------------------------------------------------------------
# Declared tokens and strict mode


def test_strict_mode_refuses_unknown_tokens_and_reads_with_declared_ones(base_url: str, control: httpx.Client, restore_state) -> None:
    assert control.put("/_mock/auth", json={"mode": "strict"}).json() == {"mode": "strict"}
    assert control.put("/_mock/tokens/ghp_known", json={"type": "classic", "scopes": ["repo", "workflow"]}).status_code == 201
    assert control.put("/_mock/tokens/github_pat_other", json={
        "type": "fine_grained", "repositories": ["contract/public-app"], "permissions": {"actions": "read"}}).status_code == 201

    with make_github(base_url, "ghp_unknown") as github:
        with pytest.raises(RequestFailed) as failure:
            github.rest(API_VERSION).actions.list_concurrency_groups_for_repository(OWNER, PUBLIC)
    assert failure.value.response.status_code == 401
    assert failure.value.response.json() == {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}

    with make_github(base_url, "ghp_known") as github:
        response = github.rest(API_VERSION).actions.get_concurrency_group_for_repository(OWNER, PRIVATE, "private-ci")
    assert [m.run_id for m in response.parsed_data.group_members] == [3001]
    assert response.headers["X-OAuth-Scopes"] == "repo, workflow"
    assert response.headers["X-Accepted-OAuth-Scopes"] == "repo"

    # A fine-grained token that does not cover the private repository sees GitHub's 404.
    with make_github(base_url, "github_pat_other") as github:
        rest = github.rest(API_VERSION)
        assert rest.actions.list_concurrency_groups_for_repository(OWNER, PUBLIC).parsed_data.total_count == 64
        failure = not_found(lambda: rest.actions.list_concurrency_groups_for_repository(OWNER, PRIVATE))
    assert "X-OAuth-Scopes" not in failure.response.headers
