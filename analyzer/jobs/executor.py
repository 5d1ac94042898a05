"""Where chunks run: a local process pool (the default) or a Dask distributed cluster.

Both yield each chunk's results as soon as it is done, in completion order. Dask is imported
only when a scheduler address is given.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from analyzer.errors import TermshiftError
from analyzer.jobs.worker import PairTask, run_chunk

Chunk = list[PairTask]
Paths = dict[str, Path]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def run_local(lanes: list[list[Chunk]], paths: Paths,
              formats: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Run each lane's chunks, in order, on a local process of its own (so the documents a
    lane's pairs share are parsed there once); tasks carry paths, not bytes."""
    # Spawned, not forked: the caller may hold threads (a server, a Dask client), and a
    # fork copies their locks mid-use. Workers import the pipeline once and then stay.
    context = multiprocessing.get_context("spawn")
    busy = [lane for lane in lanes if lane]
    pools = [ProcessPoolExecutor(max_workers=1, initializer=_ignore_interrupts,
                                 mp_context=context) for _ in busy]
    try:
        pending: set[Future[dict[str, Any]]] = {
            pool.submit(run_chunk, chunk, _sources(chunk, paths), formats)
            for pool, lane in zip(pools, busy, strict=True) for chunk in lane}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    raise TermshiftError(
                        "a worker process died (out of memory?); finished pairs are kept: "
                        "run the same command again to resume", code="batch.worker_died",
                    ) from exc
    finally:
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)


def _ignore_interrupts() -> None:
    """Ctrl-C is the parent's to handle: it stops handing out work and keeps what is done,
    without a traceback from every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _sources(chunk: Chunk, paths: Paths) -> dict[str, str | bytes]:
    shas = {t.old_sha for t in chunk} | {t.new_sha for t in chunk}
    return {sha: str(paths[sha]) for sha in shas}


_IN_FLIGHT = 2  # chunks given to a Dask worker at a time: one running, one ready
_ATTEMPTS = 3  # times a chunk is sent before a batch says the cluster is lost


class _Lost(Exception):
    """A chunk could not be run: no worker is left, or it failed on every attempt."""


def run_dask(plan_for: Callable[[int], list[list[Chunk]]], paths: Paths,
             formats: tuple[str, ...], address: str,
             wait_for_workers: float = 60.0) -> Iterator[dict[str, Any]]:
    """Run chunks on a Dask cluster: `plan_for(n)` gives one lane of chunks per worker the
    scheduler has. A lane's chunks and documents are placed on its worker, so the documents
    its pairs share are parsed there once; Dask may still move a chunk to an idle worker,
    and a worker that joins later takes half of the longest lane. Each distinct document is
    scattered once, by its hash, so a worker on another machine needs no shared disk. A
    scheduler with no worker is given `wait_for_workers` seconds for one to join."""
    try:
        from distributed import Client, KilledWorker, as_completed
        from distributed.comm.core import CommClosedError
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise TermshiftError("Dask distributed is not installed; install termshift's "
                             "dependencies again", code="batch.no_dask") from exc
    try:
        # Dask's own connect timeout (30s; DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
        client = Client(address)
        # The client logs its own lost connections; the batch says it once, in one line.
        logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    except (OSError, TimeoutError) as exc:
        raise TermshiftError(f"cannot reach the Dask scheduler at {address} ({exc})",
                             code="batch.scheduler_unreachable") from exc
    try:
        if not client.scheduler_info().get("workers"):
            try:
                client.wait_for_workers(1, timeout=wait_for_workers)
            except TimeoutError as exc:
                raise TermshiftError(
                    f"the Dask scheduler at {address} has no workers (waited "
                    f"{wait_for_workers:g} s, TERMSHIFT_DASK_WAIT_SECONDS); start one with: "
                    f"dask worker {address}",
                    code="batch.no_workers") from exc
        known = set(client.scheduler_info().get("workers", {}))
        present = set(known)  # the workers the scheduler has now
        lanes = [list(lane) for lane in plan_for(max(1, len(known)))]
        owner = sorted(known)[:len(lanes)]  # each lane's worker (it may leave)
        docs: dict[str, Any] = {}
        running = as_completed()
        # future key -> its future, lane, chunk and attempt, until its result is taken
        sent: dict[Any, tuple[Any, int, Chunk, int]] = {}
        stop, deserted = threading.Event(), threading.Event()

        def deserted_error() -> TermshiftError:
            return TermshiftError(
                f"the Dask scheduler at {address} has had no workers for {wait_for_workers:g} s "
                "(TERMSHIFT_DASK_WAIT_SECONDS); finished pairs are kept: start a worker (dask "
                f"worker {address}) and run the same command again to resume",
                code="batch.no_workers")

        def watch() -> None:
            """Chunks wait for ever on a scheduler whose workers have all gone: after
            `wait_for_workers` seconds without one, cancel them so the batch can say so."""
            since: float | None = None
            while not stop.wait(1.0):
                try:
                    workers = client.scheduler_info().get("workers")
                except (OSError, TimeoutError, CommClosedError):
                    return  # the cluster is gone: the loop below hears it too
                if workers:
                    since = None
                    continue
                since = since or time.monotonic()
                if time.monotonic() - since >= wait_for_workers:
                    deserted.set()
                    client.cancel([entry[0] for entry in list(sent.values())])
                    return

        def scatter(data: bytes, where: list[str] | None) -> Any:
            """`data` onto the cluster, on `where` if it can be; a worker that died since
            the last look (the scheduler may not know yet) costs a retry elsewhere."""
            try:
                for tries in range(_ATTEMPTS - 1):
                    try:
                        return client.scatter(data, hash=False, timeout=wait_for_workers,
                                              workers=where if not tries else None)
                    except (KeyError, CommClosedError):
                        time.sleep(1.0)
                return client.scatter(data, hash=False, timeout=wait_for_workers)
            except AttributeError as exc:
                # A client whose scheduler went mid-call has no connection to call through
                # ("'NoneType' object has no attribute 'scatter'"): the cluster is gone.
                if client.status == "running" and getattr(client, "scheduler", None) is not None:
                    raise
                raise CommClosedError(f"the scheduler connection closed ({exc})") from exc
            except TimeoutError as exc:
                # The scheduler waited for a worker to hold the document and none came: its
                # workers left between our last look and the scatter.
                if "no valid workers" in str(exc).lower():
                    raise deserted_error() from exc
                raise

        def send(number: int, chunk: Chunk, attempt: int = 1) -> None:
            """One chunk, with its documents, to lane `number`'s worker if it is still
            there (anywhere otherwise)."""
            mine = owner[number] if number < len(owner) else None
            where = [mine] if mine is not None and mine in present else None
            shas = {t.old_sha for t in chunk} | {t.new_sha for t in chunk}
            for sha in sorted(shas - docs.keys()):
                try:
                    data = paths[sha].read_bytes()
                except OSError as exc:  # not the cluster's fault: say which file
                    raise TermshiftError(f"{paths[sha]}: cannot read it again ({exc.strerror}); "
                                         "finished pairs are kept: run the same command again "
                                         "to resume", code="batch.unreadable") from exc
                docs[sha] = scatter(data, where)
            future = client.submit(run_chunk, chunk, {s: docs[s] for s in shas}, formats,
                                   pure=False, workers=where,
                                   allow_other_workers=where is not None)
            sent[future.key] = (future, number, chunk, attempt)
            running.add(future)

        def submit(number: int) -> None:
            """The next chunk of lane `number`; when the lane has run dry, the last chunk of
            the lane with most left (so no worker idles while work waits, and what it takes
            is at the far end from where the other worker reads)."""
            if not lanes[number]:
                longest = max(range(len(lanes)), key=lambda n: len(lanes[n]))
                if not lanes[longest]:
                    return
                send(number, lanes[longest].pop())
            else:
                send(number, lanes[number].pop(0))

        def refresh() -> None:
            """Notice workers that left (their lanes go anywhere) and workers that joined
            (each takes the second half of the longest lane)."""
            now = set(client.scheduler_info().get("workers", {}))
            present.clear()
            present.update(now)
            for joined in sorted(now - known):
                known.add(joined)
                longest = max(range(len(lanes)), key=lambda n: len(lanes[n]))
                half = len(lanes[longest]) // 2
                if half:
                    lanes.append(lanes[longest][-half:])
                    del lanes[longest][-half:]
                    owner.append(joined)
                    for _ in range(_IN_FLIGHT):
                        submit(len(lanes) - 1)

        try:
            # A few chunks in flight per lane, not the whole batch: queued work is what
            # Dask's work stealing moves between workers, and a moved chunk parses its
            # documents again.
            for number in range(len(lanes)):
                for _ in range(_IN_FLIGHT):
                    submit(number)
            threading.Thread(target=watch, name="dask-workers-watch", daemon=True).start()
            for future in running:
                _, number, chunk, attempt = sent.pop(future.key)
                if deserted.is_set():
                    raise deserted_error()
                try:
                    result = future.result()
                except (CancelledError, KilledWorker, CommClosedError) as exc:
                    # A worker that died took its documents (and maybe the chunk) with it:
                    # send the chunk again with fresh copies, to a worker there is or that
                    # joins within the wait.
                    refresh()
                    if not present:
                        try:
                            client.wait_for_workers(1, timeout=wait_for_workers)
                        except TimeoutError:
                            raise deserted_error() from exc
                        refresh()
                    if attempt >= _ATTEMPTS:
                        raise _Lost(exc) from exc
                    for t in chunk:
                        docs.pop(t.old_sha, None)
                        docs.pop(t.new_sha, None)
                    send(number, chunk, attempt + 1)
                    continue
                future.release()  # a result stays in a worker's memory while a future holds it
                refresh()
                submit(number)
                yield result
        except (_Lost, OSError, CommClosedError, CancelledError) as exc:
            # Every call to a gone scheduler fails with an OSError (Dask's timeouts and
            # closed connections are OSErrors too); the files were read above.
            cause = exc.__cause__ if isinstance(exc, _Lost) else exc
            raise TermshiftError(
                f"the Dask cluster at {address} stopped answering ({type(cause).__name__}); "
                "finished pairs are kept: run the same command again to resume",
                code="batch.dask_lost") from exc
        finally:
            stop.set()
    finally:
        client.close()
