"""Fixtures of the board's tests: the built binary on a free port (restartable on the same port),
Debian's chromium through Playwright, and a screenshot folder under .build."""

import json
import os
import pathlib
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("CONCURRENCY_MOCK_BINARY", ROOT / ".build/debug/concurrency-mock"))
CHROMIUM = os.environ.get("BOARD_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = pathlib.Path(os.environ.get("BOARD_SCREENSHOTS", ROOT / ".build/board-screenshots"))

DEPLOY_YML = """name: Deploy
on: [push, workflow_dispatch]
concurrency:
  group: deploy-${{ github.ref_name }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh
"""


class Server:
    """concurrency-mock on 127.0.0.1; `restart()` stops it and starts a fresh one on the same port."""

    def __init__(self, *arguments):
        self.arguments = list(arguments)
        self.port = 0
        self.process = None
        self.start()

    def start(self):
        deadline = time.monotonic() + 20
        while True:
            self.process = subprocess.Popen(
                [str(BINARY), "--host", "127.0.0.1", "--port", str(self.port), "--quiet", *self.arguments],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = self.process.stdout.readline()
            if line.startswith("listening on "):
                self.url = line.split(" ", 2)[2].strip()
                self.port = int(self.url.rsplit(":", 1)[1])
                return
            self.process.wait()
            # The port of a restart may still be held for a moment.
            if self.port == 0 or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {self.process.stderr.read()}")
            time.sleep(0.1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self):
        self.stop()
        self.start()

    def call(self, method, path, body=None, token=None, raw=None):
        """A control or GitHub request from a script (no Origin); answers (status, JSON)."""
        data = raw.encode() if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def add_deploy_workflow(self, token=None):
        """acme/shop with deploy.yml (workflow-level group deploy-<branch>, queue: single)."""
        assert self.call("PUT", "/_mock/repos/acme/shop", {"visibility": "public"}, token)[0] in (200, 201)
        assert self.call("PUT", "/_mock/repos/acme/shop/workflows/deploy.yml", raw=DEPLOY_YML, token=token)[0] in (200, 201)

    def trigger(self, ref="refs/heads/main", token=None):
        status, run = self.call("POST", "/_mock/repos/acme/shop/runs", {"workflow": "deploy.yml", "ref": ref}, token)
        assert status == 201, run
        return run


@pytest.fixture
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's chromium; as root it needs --no-sandbox.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the page threw: {errors}"


@pytest.fixture(scope="session")
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name, full_page=False):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take
