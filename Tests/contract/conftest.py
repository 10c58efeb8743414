"""Shared fixtures for the contract tests: the server under test and githubkit clients.

scripts/contract-test starts the server and passes its address in CONTRACT_BASE_URL. Run alone
(`.build-python/venv/bin/pytest Tests/contract`), this file starts the release binary itself
with Tests/contract/fixture.yml and stops it at the end.
"""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from githubkit import GitHub

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests" / "contract" / "fixture.yml"
API_VERSION = "2026-03-10"


def _start_server() -> tuple[subprocess.Popen[str], str]:
    binary = Path(os.environ.get("CONCURRENCY_MOCK_BINARY", ROOT / ".build" / "release" / "concurrency-mock"))
    if not binary.exists():
        pytest.exit(f"{binary} is missing: run swift build -c release --product concurrency-mock", returncode=2)
    process = subprocess.Popen(
        [str(binary), "--host", "127.0.0.1", "--port", "0", "--quiet", "--fixture", str(FIXTURE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("listening on "):
        process.kill()
        pytest.exit(f"the server did not start: {line!r}", returncode=2)
    return process, line.removeprefix("listening on ").strip()


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    given = os.environ.get("CONTRACT_BASE_URL")
    if given:
        yield given.rstrip("/")
        return
    process, url = _start_server()
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class RecordingTransport(httpx.BaseTransport):
    """The real transport, remembering every exchange as it went over the wire (below
    githubkit's HTTP cache, so conditional requests the cache adds are visible)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.exchanges.append((request, response))
        return response

    def close(self) -> None:
        self.inner.close()

    @property
    def requests(self) -> list[httpx.Request]:
        return [request for request, _ in self.exchanges]


def make_github(base_url: str, token: str | None = None, *, http_cache: bool = False, transport: httpx.BaseTransport | None = None) -> GitHub:
    """A githubkit client on the mock. No automatic retries: a rate-limit answer must surface,
    not make the test sleep until the reset time."""
    return GitHub(token, base_url=base_url, auto_retry=False, http_cache=http_cache, transport=transport, timeout=10)


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def github(base_url: str, recorder: RecordingTransport) -> Iterator[GitHub]:
    """Anonymous client, no HTTP cache, every exchange recorded."""
    client = make_github(base_url, transport=recorder)
    with client:
        yield client


@pytest.fixture
def rest(github: GitHub):
    """githubkit's versioned REST namespace for 2026-03-10 (sends X-GitHub-Api-Version: 2026-03-10)."""
    return github.rest(API_VERSION)


@pytest.fixture
def control(base_url: str) -> Iterator[httpx.Client]:
    """Plain HTTP client for the /_mock control API."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture
def restore_state(control: httpx.Client) -> Iterator[None]:
    """For a test that changes the state: back to the fixture's afterwards."""
    yield
    assert control.post("/_mock/reset").status_code == 200

