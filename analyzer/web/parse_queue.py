"""A fair queue of parses: one workspace's uploads cannot starve another's.

The server has a few parse workers. Were uploads handed to them first come, first served, a
workspace that uploads fifty slow documents would make every other team wait for all fifty.
Here each parse waits for a slot: at most `capacity` run at once, at most `per_workspace()`
of them for one workspace, and the workspaces that wait are served in turn (round-robin),
one slot each per round, in the order they first queued. Within a workspace, first come,
first served. Slots are handed out on the event loop; the worker pool itself never holds a
backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class FairQueue:
    def __init__(self, capacity: int, per_workspace: Callable[[], int]) -> None:
        self.capacity = max(1, capacity)
        self._per_workspace = per_workspace
        self._running: dict[int, int] = {}
        # Workspaces with waiting parses, in the order they first queued.
        self._waiting: dict[int, deque[asyncio.Future[None]]] = {}
        # When each workspace was last granted a slot (a count of grants): the least
        # recently served goes next.
        self._served: dict[int, int] = {}
        self._turn = 0

    @asynccontextmanager
    async def slot(self, workspace: int) -> AsyncIterator[None]:
        """Hold one parse slot of `workspace` for the body of the `async with`."""
        await self.acquire(workspace)
        try:
            yield
        finally:
            self.release(workspace)

    async def acquire(self, workspace: int) -> None:
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(workspace, deque()).append(granted)
        self._dispatch()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release(workspace)  # granted just as the waiter went away
            else:
                self._forget(workspace, granted)
            raise

    def release(self, workspace: int) -> None:
        left = self._running.get(workspace, 0) - 1
        if left > 0:
            self._running[workspace] = left
        else:
            self._running.pop(workspace, None)
        self._dispatch()

    def running(self, workspace: int | None = None) -> int:
        """Parses holding a slot: of one workspace, or of all."""
        if workspace is None:
            return sum(self._running.values())
        return self._running.get(workspace, 0)

    def waiting(self, workspace: int | None = None) -> int:
        """Parses waiting for a slot: of one workspace, or of all."""
        if workspace is None:
            return sum(len(queue) for queue in self._waiting.values())
        return len(self._waiting.get(workspace, ()))

    def _forget(self, workspace: int, granted: asyncio.Future[None]) -> None:
        queue = self._waiting.get(workspace)
        if queue is not None:
            with contextlib.suppress(ValueError):
                queue.remove(granted)
            if not queue:
                del self._waiting[workspace]

    def _dispatch(self) -> None:
        """Grant free slots, each to the waiting workspace served least recently (under its
        limit): workspaces take turns, one slot at a time."""
        limit = max(1, self._per_workspace())
        while self.running() < self.capacity:
            for queue in self._waiting.values():
                while queue and queue[0].done():  # waiters cancelled meanwhile
                    queue.popleft()
            for empty in [ws for ws, queue in self._waiting.items() if not queue]:
                del self._waiting[empty]
            ready = [ws for ws in self._waiting if self._running.get(ws, 0) < limit]
            if not ready:
                return
            # min() keeps the first of equals: the workspace that queued first.
            workspace = min(ready, key=lambda ws: self._served.get(ws, -1))
            queue = self._waiting[workspace]
            queue.popleft().set_result(None)
            if not queue:
                del self._waiting[workspace]
            self._running[workspace] = self._running.get(workspace, 0) + 1
            self._turn += 1
            self._served[workspace] = self._turn
