"""Control API answers that the OpenAPI document constrains beyond what schemathesis reaches
with a bounded number of examples."""

from __future__ import annotations

import re

import httpx

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_the_clock_never_leaves_rfc3339s_range(control: httpx.Client, restore_state) -> None:
    assert control.put("/_mock/clock", json={"now": "9999-12-31T23:00:00Z"}).status_code == 200
    advanced = control.post("/_mock/clock/advance", json={"seconds": 7200})
    # Refusing the move (422) or stopping at the end of 9999 both keep the documents valid.
    assert advanced.status_code in (200, 422)
    clock = control.get("/_mock/clock").json()
    assert RFC3339.fullmatch(clock["now"]), clock
    exported = control.get("/_mock/state")
    assert control.put("/_mock/state", content=exported.content).status_code == 200
