"""The parse queue is fair between workspaces: a per-workspace limit, and workspaces served in
turn. First the queue itself on the event loop, then a server whose workspace A has queued
several slow parses while workspace B uploads one document."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from hostile_docs import deep_html
from web_support import LOCAL, corpus, upload

from analyzer.settings import Settings
from analyzer.store import open_store
from analyzer.web.app import create_app
from analyzer.web.parse_queue import FairQueue

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh event loop in a thread of its own: the session's Playwright keeps an
    event loop running in the main thread, where asyncio.run() refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


async def _grant_order(queue: FairQueue, arrivals: list[int], releases: int) -> list[int]:
    """Queue one parse per entry of `arrivals` (its workspace), then finish parses one at a
    time, oldest first; returns the workspaces in the order they were granted a slot."""
    order: list[int] = []
    holding: list[tuple[int, asyncio.Event]] = []

    async def parse(workspace: int) -> None:
        async with queue.slot(workspace):
            done = asyncio.Event()
            order.append(workspace)
            holding.append((workspace, done))
            await done.wait()

    tasks = [asyncio.create_task(parse(ws)) for ws in arrivals]
    await asyncio.sleep(0)
    for _ in range(releases):
        await asyncio.sleep(0)
        holding.pop(0)[1].set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    for _ws, done in holding:
        done.set()
    await asyncio.gather(*tasks)
    return order


def test_workspaces_are_served_in_turn() -> None:
    queue = FairQueue(1, lambda: 1)
    # A queues five, then B two and C one: after A's first, B, C and A take turns.
    order = _run(_grant_order(queue, [1, 1, 1, 1, 1, 2, 2, 3], releases=8))
    assert order == [1, 2, 3, 1, 2, 1, 1, 1]


def test_one_workspace_cannot_take_every_slot() -> None:
    async def scenario() -> tuple[int, int, int]:
        queue = FairQueue(3, lambda: 2)
        started = asyncio.Event()
        finish = asyncio.Event()

        async def parse(workspace: int) -> None:
            async with queue.slot(workspace):
                started.set()
                await finish.wait()

        a = [asyncio.create_task(parse(1)) for _ in range(5)]
        await asyncio.sleep(0.01)
        running_a = queue.running(1)
        b = asyncio.create_task(parse(2))
        await asyncio.sleep(0.01)
        seen = (running_a, queue.running(2), queue.waiting(1))
        finish.set()
        await asyncio.gather(*a, b)
        assert queue.running() == queue.waiting() == 0
        return seen

    # A holds two of three slots while three more wait; B's parse starts at once.
    assert _run(scenario()) == (2, 1, 3)


def test_a_waiter_that_gives_up_leaves_no_slot_taken() -> None:
    async def scenario() -> int:
        queue = FairQueue(1, lambda: 1)
        release = asyncio.Event()

        async def parse(workspace: int) -> None:
            async with queue.slot(workspace):
                await release.wait()

        first = asyncio.create_task(parse(1))
        await asyncio.sleep(0)
        gave_up = asyncio.create_task(parse(2))
        await asyncio.sleep(0)
        gave_up.cancel()
        await asyncio.sleep(0)
        release.set()
        await first
        with pytest.raises(asyncio.CancelledError):
            await gave_up
        release.clear()
        last = asyncio.create_task(parse(3))
        await asyncio.sleep(0.01)
        running = queue.running(3)  # the slot the cancelled waiter did not keep
        release.set()
        await last
        return running

    assert _run(scenario()) == 1


def test_per_workspace_limit_follows_the_keys() -> None:
    settings = Settings(workers=4)
    assert settings.parses_per_workspace(keyed=False) == 4  # one workspace: every worker
    assert settings.parses_per_workspace(keyed=True) == 2
    assert Settings(workers=1).parses_per_workspace(keyed=True) == 1
    assert Settings(workers=4, workspace_parses=3).parses_per_workspace(keyed=True) == 3
    assert Settings(workers=2, workspace_parses=8).parses_per_workspace(keyed=False) == 2


def test_another_workspace_is_parsed_while_one_has_slow_parses_queued(tmp_path: Path) -> None:
    # Two parse workers; each of A's documents takes seconds to read (HTML nested 20,000
    # deep, the depth limit raised to let it in). In arrival order B's upload would wait
    # for all four of A's; in turn it starts while A still has documents waiting.
    settings = Settings(data_dir=tmp_path, workers=2, max_html_depth=1_000_000,
                        parse_seconds=300)
    store = open_store(settings)
    key_a, key_b = store.create_key("team-a"), store.create_key("team-b")
    a, b = {"Authorization": f"Bearer {key_a}"}, {"Authorization": f"Bearer {key_b}"}
    try:
        with TestClient(create_app(settings, store), base_url=LOCAL) as client:
            queued = []
            for n in range(4):
                body = deep_html(20_000) + b"<!-- %d -->" % n  # four different documents
                answer = client.post("/api/v1/documents?wait=false", headers=a,
                                     files={"file": (f"slow-{n}.html", body)})
                assert answer.status_code == 201, answer.text
                queued.append(answer.json()["id"])
            mine = upload(client, "assistant-terms-v1.md", corpus("assistant-terms-v1.md"),
                          headers=b)
            assert mine.status_code == 201 and mine.json()["status"] == "ready", mine.text
            started = [store.parse_attempts(doc) > 0 for doc in queued]
            statuses = [client.get(f"/api/v1/documents/{doc}", headers=a).json()["status"]
                        for doc in queued]
            # At most one of A's parses had a worker at a time (the limit with keys and two
            # workers), so at least two of A's four had not started when B's was done.
            assert started.count(False) >= 2, (started, statuses)
            deadline = time.monotonic() + 240
            while "processing" in statuses and time.monotonic() < deadline:
                time.sleep(0.5)
                statuses = [client.get(f"/api/v1/documents/{doc}", headers=a)
                            .json()["status"] for doc in queued]
            assert statuses == ["ready"] * 4  # and A's were all read in the end
    finally:
        store.close()
