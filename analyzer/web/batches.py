"""Batches over the API: POST/GET/DELETE /api/v1/batches, and GET /api/v1/comparisons.

A batch's pairs run one after another in the server (each comparison in a thread, parses in
the parser processes), so a batch never holds more than one comparison's memory; several
batches run side by side. Queued and running batches are picked up again when the server
starts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from analyzer.errors import InputError, TermshiftError, UsageError
from analyzer.model import SEVERITIES
from analyzer.store import WorkspaceRef
from analyzer.store.batches import BatchPair, BatchStore, comparisons_page
from analyzer.web.api import router as api_router
from analyzer.web.auth import api_workspace
from analyzer.web.service import Service

log = logging.getLogger("termshift.web")
MAX_PAIRS = 1000
router = APIRouter(prefix="/api/v1", responses=api_router.responses)
Workspace = Annotated[WorkspaceRef, Depends(api_workspace)]


class BatchRunner:
    """Runs stored batches on the service; one task per batch."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.batches = BatchStore(service.store)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, ws: WorkspaceRef, batch_id: str) -> None:
        if batch_id not in self._tasks:
            task = asyncio.get_running_loop().create_task(self._run(ws, batch_id))
            self._tasks[batch_id] = task
            task.add_done_callback(lambda _t: self._tasks.pop(batch_id, None))

    async def resume(self) -> int:
        """Start again the batches a stopped server left queued or running."""
        active = await anyio.to_thread.run_sync(self.batches.active)
        for ws, batch_id in active:
            self.start(ws, batch_id)
        return len(active)

    def close(self) -> None:
        """Stop running batches; they stay running in the store and resume at next start."""
        for task in list(self._tasks.values()):
            task.cancel()

    async def _run(self, ws: WorkspaceRef, batch_id: str) -> None:
        store = self.batches
        try:
            await anyio.to_thread.run_sync(lambda: store.set_status(
                batch_id, "running", only_from=("queued",)))
            while True:
                if await anyio.to_thread.run_sync(store.status, batch_id) != "running":
                    return  # cancelled
                pair = await anyio.to_thread.run_sync(store.next_pair, batch_id)
                if pair is None:
                    break
                item, old, new = pair
                outcome = await self._compare(ws, old, new)
                await anyio.to_thread.run_sync(partial(store.finish_pair, item, **outcome))
            await anyio.to_thread.run_sync(lambda: store.set_status(
                batch_id, "done", only_from=("running",)))
        except asyncio.CancelledError:
            raise
        except Exception:  # the store failed: say so on the batch rather than hang
            log.exception("batch %s failed", batch_id)
            await anyio.to_thread.run_sync(lambda: store.set_status(
                batch_id, "failed", only_from=("running", "queued")))

    async def _compare(self, ws: WorkspaceRef, old: str, new: str) -> dict[str, Any]:
        try:
            record = await self.service.compare(ws, old, new)
        except TermshiftError as exc:
            return {"error": str(exc).splitlines()[0] if str(exc) else exc.code}
        result = json.loads(record.result_json)
        findings = result.get("findings", [])
        top = min(findings, key=lambda f: SEVERITIES.index(f["severity"]), default=None)
        return {"comparison_id": record.id, "counts": result["summary"]["findings"],
                "highest": top["severity"] if top else None,
                "top_finding": top["title"] if top else None}


def runner_of(request: Request) -> BatchRunner:
    runner: BatchRunner | None = getattr(request.app.state, "batches", None)
    if runner is None or runner.service is not request.app.state.service:
        runner = request.app.state.batches = BatchRunner(request.app.state.service)
    return runner


class PairIn(BaseModel):
    old: str = Field(max_length=32, description="id of the older version")
    new: str = Field(max_length=32, description="id of the newer version")
    id: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                           description="the pair's name in the results; default: its position")


class BatchIn(BaseModel):
    pairs: list[PairIn] = Field(min_length=1, description="the pairs to compare")


@router.post("/batches", tags=["batches"], status_code=202,
             summary="Compare many pairs of stored documents in the background")
async def create_batch(request: Request, ws: Workspace, body: BatchIn) -> JSONResponse:
    if len(body.pairs) > MAX_PAIRS:
        raise InputError(f"a batch holds at most {MAX_PAIRS:,} pairs, not "
                         f"{len(body.pairs):,}; split it into several batches",
                         code="limit.batch_pairs")
    pairs = [BatchPair(p.id or f"pair-{n}", p.old, p.new)
             for n, p in enumerate(body.pairs, start=1)]
    seen: set[str] = set()
    for pair in pairs:
        if pair.id in seen:
            raise UsageError(f"two pairs are named {pair.id!r}; pair ids must differ")
        seen.add(pair.id)
    runner = runner_of(request)
    batch_id = await anyio.to_thread.run_sync(runner.batches.create, ws, pairs)
    runner.start(ws, batch_id)
    return JSONResponse({"id": batch_id, "status": "queued"}, status_code=202,
                        headers={"Location": f"/api/v1/batches/{batch_id}"})


@router.get("/batches/{batch_id}", tags=["batches"], summary="A batch and its results")
async def get_batch(request: Request, ws: Workspace, batch_id: str) -> dict[str, Any]:
    batches = runner_of(request).batches
    return await anyio.to_thread.run_sync(batches.get, ws, batch_id)


@router.delete("/batches/{batch_id}", tags=["batches"], summary="Cancel a batch")
async def cancel_batch(request: Request, ws: Workspace, batch_id: str) -> dict[str, Any]:
    batches = runner_of(request).batches
    await anyio.to_thread.run_sync(batches.cancel, ws, batch_id)
    return await anyio.to_thread.run_sync(batches.get, ws, batch_id)


@router.get("/comparisons", tags=["comparisons"], summary="The workspace's comparisons")
async def list_comparisons(
    request: Request, ws: Workspace,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # past it: 422, not a 500
) -> dict[str, Any]:
    store = request.app.state.store
    total, items = await anyio.to_thread.run_sync(comparisons_page, store, ws, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}
