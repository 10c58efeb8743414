"""`concurrency-mock watch` in a real terminal (a detached tmux session), its screen read with
capture-pane after a trigger; and its plain lines when stdout is a pipe."""

import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from conftest import BINARY


def wait_for(predicate, timeout=10.0, every=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(every)


@pytest.fixture
def tmux():
    if not shutil.which("tmux"):
        pytest.fail("tmux is not installed (scripts/board-test installs it)")
    session = f"watch-{uuid.uuid4().hex[:8]}"
    # A server of its own, so the test never meets another tmux server's sessions.
    socket = f"board-test-{session}"
    run = lambda *arguments: subprocess.run(["tmux", "-L", socket, *arguments], capture_output=True, text=True)

    class Tmux:
        def start(self, command):
            result = run("new-session", "-d", "-s", session, "-x", "150", "-y", "45", command)
            assert result.returncode == 0, result.stderr

        def screen(self):
            return run("capture-pane", "-p", "-t", session).stdout

        def keys(self, *keys):
            run("send-keys", "-t", session, *keys)

        def alive(self):
            return run("has-session", "-t", session).returncode == 0

    yield Tmux()
    run("kill-server")


def test_watch_redraws_the_lanes_and_the_feed_after_a_trigger(server, tmux):
    server.add_deploy_workflow()
    first = server.trigger()
    tmux.start(f"{BINARY} watch --url {server.url}; sleep 30")
    assert wait_for(lambda: "deploy-main" in tmux.screen()), tmux.screen()
    assert "● live" in tmux.screen()
    second = server.trigger()
    screen = wait_for(lambda: (s := tmux.screen()) and f"#{second['id']}" in s and s, timeout=5)
    assert screen, tmux.screen()
    lines = screen.splitlines()
    holder = next(i for i, line in enumerate(lines) if f"Deploy #{first['id']}" in line)
    assert "▶ holder" in lines[holder]
    assert "◔ #1" in lines[holder + 1] and f"Deploy #{second['id']}" in lines[holder + 1]
    assert f"run {second['id']} asks for deploy-main (workflow lease)" in screen
    # Ctrl-C leaves the alternate screen and exits 0.
    tmux.keys("C-c")
    assert wait_for(lambda: "octocat/Hello-World" not in tmux.screen(), timeout=5), tmux.screen()


def test_watch_prints_plain_lines_into_a_pipe_and_stops_on_sigint(server):
    server.add_deploy_workflow()
    watch = subprocess.Popen([str(BINARY), "watch", "--url", server.url, "--repository", "acme/shop"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert watch.stdout.readline().strip() == "acme/shop"
        lines = []
        while (line := watch.stdout.readline().rstrip("\n")) != "-- events --":
            lines.append(line)
        run = server.trigger()
        seen = [watch.stdout.readline().rstrip("\n") for _ in range(4)]
        assert seen[0].endswith(f"triggered run {run['id']}"), seen
        assert seen[1].endswith(f"run {run['id']} asks for deploy-main (workflow lease)"), seen
        assert seen[2].endswith(f"run {run['id']} acquired deploy-main"), seen
        assert "\x1b" not in "".join(seen)
    finally:
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=5) == 0
