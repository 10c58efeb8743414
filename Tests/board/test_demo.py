"""scripts/demo plays every story against a server of its own and says what the endpoints answered."""

import os
import pathlib
import subprocess

from conftest import BINARY, ROOT


def test_the_demo_plays_its_stories():
    result = subprocess.run(
        [str(ROOT / "scripts/demo"), "--delay", "0"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1", "CONCURRENCY_MOCK_BINARY": str(BINARY)}, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Open the board to watch the queues: http://127.0.0.1:" in out
    for expected in [
        "(superseded by run 30433647 in deploy-main)",
        "2 members: 30433645 in_progress, 30433647 pending",
        "101 members: 30433648 in_progress",
        "“Canceling since the concurrency queue for 'release' already holds 100 pending requests”",
        "(cancel_in_progress by run 30433751 in preview-feature)",
        "30433752/production in_progress, 30433753/production pending",
        "“Canceling since a deadlock was detected for concurrency group: 'deploy-production' between a top level workflow and 'Ship to production'”",
        "(cancel_in_progress by run 30433756 in review-main)",
        "GET  /_mock/repos/demo/bot-push/runs/30433758  → 200 completed skipped",
        "1 member: 30433757/review in_progress",
        "The end.",
    ]:
        assert expected in out, expected
    assert "\x1b" not in out
