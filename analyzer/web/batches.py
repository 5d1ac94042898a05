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
import time
from collections import OrderedDict, deque
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from analyzer.errors import InputError, TermshiftError, UsageError
from analyzer.model import SEVERITIES
from analyzer.store import WorkspaceRef
from analyzer.store.batches import BatchPair, BatchStore, comparisons_page
from analyzer.web.api import MEDIA, _attachment
from analyzer.web.api import router as api_router
from analyzer.web.auth import api_workspace
from analyzer.web.batch_results import chunks, report_formats, summary_html, write_zip
from analyzer.web.security import REPORT_HEADERS
from analyzer.web.service import Service

log = logging.getLogger("termshift.web")
MAX_PAIRS = 1000
router = APIRouter(prefix="/api/v1", responses=api_router.responses)
Workspace = Annotated[WorkspaceRef, Depends(api_workspace)]


class RunClock:
    """When a batch's pairs finished in this server's run of it: its rate and time left.

    Kept in memory, not in the store: a batch resumed after a restart is measured afresh
    from its resumption, and one that no server ran since a restart has no rate."""

    WINDOW = 20  # the rate is over the last pairs, so it follows a batch that speeds up

    def __init__(self) -> None:
        self.marks: deque[float] = deque([time.monotonic()], maxlen=self.WINDOW + 1)
        self.started = self.marks[0]
        self.ended: float | None = None

    def tick(self) -> None:
        self.marks.append(time.monotonic())

    def end(self) -> None:
        self.ended = time.monotonic()

    def figures(self, remaining: int) -> dict[str, float | None]:
        """`rate` (pairs a second), `eta_seconds` (while pairs remain) and `elapsed_seconds`
        of this run; a rate needs one finished pair."""
        now = self.ended if self.ended is not None else time.monotonic()
        pairs = len(self.marks) - 1
        span = now - self.marks[0]
        rate = pairs / span if pairs and span > 0 else None
        eta = remaining / rate if rate and remaining and self.ended is None else None
        return {"rate": round(rate, 3) if rate else None,
                "eta_seconds": round(eta, 1) if eta is not None else None,
                "elapsed_seconds": round(now - self.started, 1)}


class BatchRunner:
    """Runs stored batches on the service; one task per batch."""

    KEEP_CLOCKS = 500  # finished batches whose run figures are still shown

    def __init__(self, service: Service) -> None:
        self.service = service
        self.batches = BatchStore(service.store)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._clocks: OrderedDict[str, RunClock] = OrderedDict()

    def figures(self, batch: dict[str, Any]) -> dict[str, float | None]:
        """Rate, time left and time taken of a batch (as BatchStore.get gives it), as far as
        this server ran it; all None otherwise."""
        clock = self._clocks.get(batch["id"])
        if clock is None:
            return {"rate": None, "eta_seconds": None, "elapsed_seconds": None}
        return clock.figures(batch["total"] - batch["done"] - batch["cancelled"])

    def _clock(self, batch_id: str) -> RunClock:
        clock = self._clocks[batch_id] = RunClock()
        self._clocks.move_to_end(batch_id)
        while len(self._clocks) > self.KEEP_CLOCKS:
            self._clocks.popitem(last=False)
        return clock

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
        clock = self._clock(batch_id)
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
                clock.tick()
            await anyio.to_thread.run_sync(lambda: store.set_status(
                batch_id, "done", only_from=("running",)))
        except asyncio.CancelledError:
            raise
        except Exception:  # the store failed: say so on the batch rather than hang
            log.exception("batch %s failed", batch_id)
            await anyio.to_thread.run_sync(lambda: store.set_status(
                batch_id, "failed", only_from=("running", "queued")))
        finally:
            clock.end()

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


async def start_batch(request: Request, ws: WorkspaceRef, pairs: list[BatchPair]) -> str:
    """Store a batch of pairs and start it; its id. Refuses too many pairs and two pairs
    of one name."""
    if len(pairs) > MAX_PAIRS:
        raise InputError(f"a batch holds at most {MAX_PAIRS:,} pairs, not "
                         f"{len(pairs):,}; split it into several batches",
                         code="limit.batch_pairs")
    seen: set[str] = set()
    for pair in pairs:
        if pair.id in seen:
            raise UsageError(f"two pairs are named {pair.id!r}; pair ids must differ")
        seen.add(pair.id)
    runner = runner_of(request)
    batch_id = await anyio.to_thread.run_sync(runner.batches.create, ws, pairs)
    runner.start(ws, batch_id)
    return batch_id


async def batch_with_figures(request: Request, ws: WorkspaceRef, batch_id: str,
                             offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """The batch as GET answers it: the stored batch with its rate and time left."""
    runner = runner_of(request)
    batch = await anyio.to_thread.run_sync(runner.batches.get, ws, batch_id, offset, limit)
    return {**batch, **runner.figures(batch)}


async def batch_download(request: Request, ws: WorkspaceRef, batch_id: str, fmt: str,
                         reports: str | None) -> Response:
    """The batch's summary page (`html`) or its results as a zip (`zip`), as attachments."""
    runner = runner_of(request)
    batch = await anyio.to_thread.run_sync(runner.batches.get, ws, batch_id)
    labels = await anyio.to_thread.run_sync(runner.batches.labels, ws, batch_id)
    stem = f"termshift {batch['id']} {batch['created_at'][:10]}"
    if fmt == "html":
        base = str(request.base_url).rstrip("/")
        return Response(summary_html(batch, labels, base), media_type=MEDIA["html"],
                        headers={**REPORT_HEADERS,
                                 "Content-Disposition": _attachment(f"{stem} summary.html")})
    if fmt != "zip":
        raise UsageError(f"a batch downloads as zip or html, not {fmt!r}")
    formats = report_formats(reports)
    archive = await anyio.to_thread.run_sync(
        write_zip, runner.service, ws, batch, labels, formats)
    return StreamingResponse(chunks(archive), media_type="application/zip", headers={
        "Content-Disposition": _attachment(f"{stem}.zip")})


@router.post("/batches", tags=["batches"], status_code=202,
             summary="Compare many pairs of stored documents in the background")
async def create_batch(request: Request, ws: Workspace, body: BatchIn) -> JSONResponse:
    pairs = [BatchPair(p.id or f"pair-{n}", p.old, p.new)
             for n, p in enumerate(body.pairs, start=1)]
    batch_id = await start_batch(request, ws, pairs)
    return JSONResponse({"id": batch_id, "status": "queued"}, status_code=202,
                        headers={"Location": f"/api/v1/batches/{batch_id}"})


@router.get("/batches", tags=["batches"], summary="The workspace's batches, newest first")
async def list_batches(
    request: Request, ws: Workspace,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> dict[str, Any]:
    batches = runner_of(request).batches
    total, items = await anyio.to_thread.run_sync(batches.page, ws, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


ResultsOffset = Annotated[int, Query(ge=0, le=MAX_PAIRS, description=(
    "the first pair's position (from 0) in `results`; the counts always cover every pair"))]
ResultsLimit = Annotated[int | None, Query(ge=1, le=MAX_PAIRS, description=(
    "at most this many pairs in `results`; default: all"))]


@router.get("/batches/{batch_id}", tags=["batches"], summary="A batch and its results")
async def get_batch(request: Request, ws: Workspace, batch_id: str, offset: ResultsOffset = 0,
                    limit: ResultsLimit = None) -> dict[str, Any]:
    return await batch_with_figures(request, ws, batch_id, offset, limit)


@router.get("/batches/{batch_id}/download", tags=["batches"],
            summary="The batch's results as a zip, or its summary page",
            response_class=Response, responses={200: {"content": {
                "application/zip": {}, "text/html": {}},
                "description": "the zip (index.jsonl, index.html, a report per pair) or "
                               "the summary page, as an attachment"}})
async def download_batch(
    request: Request, ws: Workspace, batch_id: str,
    fmt: Annotated[str, Query(alias="format", pattern="^(zip|html)$",
                              description="zip (default): index.jsonl, index.html and "
                                          "each finished pair's report; html: the summary "
                                          "page alone")] = "zip",
    reports: Annotated[str | None, Query(max_length=40, description=(
        "the reports of each pair in the zip: json (default), html, md, comma-separated; "
        "JSON is always there"))] = None,
) -> Response:
    return await batch_download(request, ws, batch_id, fmt, reports)


@router.delete("/batches/{batch_id}", tags=["batches"], summary="Cancel a batch")
async def cancel_batch(request: Request, ws: Workspace, batch_id: str) -> dict[str, Any]:
    batches = runner_of(request).batches
    await anyio.to_thread.run_sync(batches.cancel, ws, batch_id)
    return await batch_with_figures(request, ws, batch_id)


@router.get("/comparisons", tags=["comparisons"], summary="The workspace's comparisons")
async def list_comparisons(
    request: Request, ws: Workspace,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # past it: 422, not a 500
) -> dict[str, Any]:
    store = request.app.state.store
    total, items = await anyio.to_thread.run_sync(comparisons_page, store, ws, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}
