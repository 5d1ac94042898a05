"""How a batch's progress is said: the rate and time left of a run, and the status line the
page shows and its script reads."""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.web.batch_results import seconds_text, status_text
from analyzer.web.batches import RunClock


def _batch(status: str, total: int, done: int, failed: int = 0,
           cancelled: int = 0) -> dict[str, Any]:
    return {"status": status, "total": total, "done": done, "failed": failed,
            "cancelled": cancelled, "results": []}


def test_a_run_measures_its_rate_and_the_time_left() -> None:
    clock = RunClock()
    assert clock.figures(10)["rate"] is None  # nothing finished yet: no rate to tell
    for _ in range(4):
        clock.tick()
    running = clock.figures(6)
    assert running["rate"] is not None and running["rate"] > 0
    assert running["eta_seconds"] == pytest.approx(6 / running["rate"], rel=0.01, abs=0.1)
    clock.end()
    ended = clock.figures(6)
    assert ended["eta_seconds"] is None and ended["rate"] is not None
    assert ended["elapsed_seconds"] is not None and ended["elapsed_seconds"] >= 0


def test_the_rate_follows_the_last_pairs_only() -> None:
    clock = RunClock()
    for _ in range(RunClock.WINDOW * 3):
        clock.tick()
    assert len(clock.marks) == RunClock.WINDOW + 1


def test_the_status_line_says_what_a_person_asks() -> None:
    running = {"rate": 2.4, "eta_seconds": 7.5, "elapsed_seconds": 5.0}
    assert status_text(_batch("running", 30, 12, 1), running) == \
        "Running: 12 of 30 pairs done, 1 failed · 2.4 pairs/s · about 8 s left"
    assert status_text(_batch("running", 30, 0), {}) == \
        "Running: 0 of 30 pairs done, 0 failed · measuring the rate"
    assert status_text(_batch("done", 1, 1), {"elapsed_seconds": 125.0}) == \
        "Finished: 1 of 1 pair done, 0 failed · in 2 min"
    assert status_text(_batch("done", 3, 3), {}) == "Finished: 3 of 3 pairs done, 0 failed"
    assert status_text(_batch("cancelled", 10, 3, 0, 7), running) == \
        "Cancelled: 3 of 10 pairs done, 0 failed, 7 not run"
    assert status_text(_batch("failed", 4, 2), {}).startswith("Stopped by a server error: 2")
    assert status_text(_batch("running", 1000, 10), {"rate": 40.0, "eta_seconds": 3900}) == \
        "Running: 10 of 1000 pairs done, 0 failed · 40 pairs/s · about 1 h 5 min left"


@pytest.mark.parametrize(("seconds", "said"), [
    (0.2, "1 s"), (8.4, "8 s"), (59.4, "59 s"), (90, "2 min"), (3599, "1 h"),
    (3900, "1 h 5 min")])
def test_durations_read_as_a_person_says_them(seconds: float, said: str) -> None:
    assert seconds_text(seconds) == said
