"""Runs a batch into a folder: skips what the ledger says is finished, hashes the documents,
groups a document's consecutive pairs into chunks, writes each result as it arrives, shows
progress, and ends with the summary page."""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from analyzer.errors import TermshiftError
from analyzer.jobs.executor import Chunk, default_workers, run_dask, run_local
from analyzer.jobs.ledger import Ledger, Record, write_atomic
from analyzer.jobs.manifest import Pair, RowError
from analyzer.jobs.worker import PairTask
from analyzer.model import SEVERITIES
from analyzer.settings import Settings, get_settings

SUFFIX = {"json": "json", "html": "html", "md": "md"}


@dataclass(frozen=True)
class BatchOptions:
    out: Path
    formats: tuple[str, ...] = ("json",)
    workers: int | None = None
    scheduler: str | None = None
    progress: bool = False
    chunk_size: int | None = None  # pairs per task; None: from the batch size


@dataclass
class BatchStats:
    total: int = 0
    resumed: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    worst: str | None = None  # the highest severity found in any pair
    # per worker: peak RSS, documents parsed, CPU milliseconds (for benchmarks)
    workers: dict[str, dict[str, int]] = field(default_factory=dict)


def _record(pair: Pair | RowError, **fields: Any) -> Record:
    base: Record = {"id": pair.id, "old": pair.old, "new": pair.new, "status": "failed",
                    "error": None, "counts": None, "highest": None, "top_finding": None,
                    "reports": {}}
    base.update(fields)
    return base


def hash_documents(pairs: Sequence[Pair], settings: Settings) -> tuple[
        list[tuple[Pair, str, str]], list[Record], dict[str, Path], dict[str, int]]:
    """Each pair's two documents by sha256 (each file read once); pairs whose files cannot
    be read become failed records. Also each document's path and size in bytes, by hash."""
    from analyzer.ingest import read_path

    by_path: dict[Path, str | TermshiftError] = {}
    paths: dict[str, Path] = {}
    sizes: dict[str, int] = {}

    def sha_of(path: Path) -> str:
        key = path.resolve()
        if key not in by_path:
            try:
                data = read_path(path, settings)
                sha = by_path[key] = hashlib.sha256(data).hexdigest()
                paths.setdefault(sha, path)
                sizes[sha] = len(data)
            except TermshiftError as exc:
                by_path[key] = exc
        found = by_path[key]
        if isinstance(found, TermshiftError):
            raise found
        return found

    ready: list[tuple[Pair, str, str]] = []
    failed: list[Record] = []
    for pair in pairs:
        try:
            ready.append((pair, sha_of(pair.old_path), sha_of(pair.new_path)))
        except TermshiftError as exc:
            # Name the file as the manifest wrote it, not as resolved here.
            error = (str(exc).splitlines() or [exc.code])[0]
            for path, shown in ((pair.old_path, pair.old), (pair.new_path, pair.new)):
                error = error.replace(str(path), shown)
            failed.append(_record(pair, error=error))
    return ready, failed, paths, sizes


def components(ready: Sequence[tuple[Pair, str, str]]) -> list[list[PairTask]]:
    """Pairs that share a document (a version history, a repeated pair), in manifest order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, old, new in ready:
        parent[find(old)] = find(new)
    groups: dict[str, list[PairTask]] = {}
    for pair, old, new in ready:
        groups.setdefault(find(old), []).append(
            PairTask(pair.id, old, new, pair.old, pair.new))
    return list(groups.values())


def plan_lanes(ready: Sequence[tuple[Pair, str, str]], lanes: int, size: int,
               sizes: Mapping[str, int] | None = None) -> list[list[Chunk]]:
    """The chunks of each worker ("lane"), at most `size` pairs each. A component of pairs
    that share documents stays on one worker, so each of its documents is parsed once; one
    larger than a worker's share is cut into consecutive segments (a version history then
    parses only the versions at the cuts twice). Segments go to the least loaded lane,
    largest first. A segment's load is its number of pairs, or with `sizes` (bytes by
    document hash) what it costs: each pair's two documents compared plus each distinct
    document parsed once, so lanes of long and short documents finish together."""
    share = max(1, -(-len(ready) // max(1, lanes)))
    segments = [c[i:i + share] for c in components(ready) for i in range(0, len(c), share)]

    def load_of(segment: list[PairTask]) -> int:
        if sizes is None:
            return len(segment)
        docs = {t.old_sha for t in segment} | {t.new_sha for t in segment}
        return (sum(sizes.get(t.old_sha, 1) + sizes.get(t.new_sha, 1) for t in segment)
                + sum(sizes.get(sha, 1) for sha in docs))

    plan: list[list[Chunk]] = [[] for _ in range(max(1, lanes))]
    load = [0] * len(plan)
    for weight, segment in sorted(((load_of(s), s) for s in segments),
                                  key=lambda item: item[0], reverse=True):
        lane = load.index(min(load))
        plan[lane].extend(segment[i:i + size] for i in range(0, len(segment), size))
        load[lane] += weight
    return plan


class Progress:
    """done/failed/total, rate and ETA on one rewritten stderr line (a terminal only)."""

    def __init__(self, total: int, already: int, enabled: bool,
                 stream: TextIO | None = None) -> None:
        self.total, self.already, self.enabled = total, already, enabled
        self.stream = stream or sys.stderr
        self.done = self.failed = 0
        self.started = self.shown = time.monotonic()

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        now = time.monotonic()
        if self.enabled and (now - self.shown >= 0.2 or self.already + self.done == self.total):
            self.shown = now
            self.stream.write("\r\x1b[K" + self.line(now))
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.already - self.done
        eta = f"{left / rate:.0f}s" if rate > 0 else "?"
        return (f"batch: {self.already + self.done}/{self.total} done, {self.failed} failed, "
                f"{rate:.2f} pairs/s, ETA {eta}")

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _write_result(out: Path, pair: Pair, result: dict[str, Any]) -> Record:
    reports: dict[str, str] = {}
    for fmt, text in result.pop("reports").items():
        name = f"{pair.id}.{SUFFIX[fmt]}"
        write_atomic(out / name, text)
        reports[fmt] = name
    result.pop("seconds", None)
    return _record(pair, **{**result, "reports": reports})


def _chunks_run(ready: Sequence[tuple[Pair, str, str]], paths: dict[str, Path],
                sizes: Mapping[str, int], options: BatchOptions, settings: Settings
                ) -> Iterator[dict[str, Any]]:
    """Each chunk's outcome, as it is done: one lane per worker, pairs at most `size` to a
    chunk (from the batch size unless set) and lanes balanced by document size."""
    def plan_for(workers: int) -> list[list[Chunk]]:
        size = options.chunk_size or max(1, min(8, len(ready) // (workers * 4) or 1))
        return plan_lanes(ready, workers, size, sizes)

    scheduler = options.scheduler or settings.dask_scheduler
    if scheduler:  # one lane per worker the scheduler has
        return run_dask(plan_for, paths, options.formats, scheduler,
                        settings.dask_wait_seconds)
    return run_local(plan_for(options.workers or default_workers()), paths, options.formats)


def run_batch(pairs: Sequence[Pair], row_errors: Sequence[RowError], options: BatchOptions,
              settings: Settings | None = None) -> BatchStats:
    """Run every pair the ledger in `options.out` does not hold yet; return the figures."""
    settings = settings or get_settings()
    started = time.monotonic()
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(out / "index.jsonl")
    stats = BatchStats(total=len(pairs) + len(row_errors))
    ids = [p.id for p in pairs] + [r.id for r in row_errors]
    stats.resumed = sum(1 for ident in ids if ident in ledger)
    progress = Progress(stats.total, stats.resumed, options.progress)
    try:
        for bad in row_errors:
            if bad.id not in ledger:
                ledger.append(_record(bad, error=bad.error))
                progress.update(ok=False)
        todo = [p for p in pairs if p.id not in ledger]
        ready, unreadable, paths, sizes = hash_documents(todo, settings)
        for record in unreadable:
            ledger.append(record)
            progress.update(ok=False)
        by_id = {pair.id: pair for pair, _, _ in ready}
        if ready:
            for outcome in _chunks_run(ready, paths, sizes, options, settings):
                stats.workers[outcome["worker"]] = {
                    k: outcome[k] for k in ("peak_rss_kb", "parsed", "cpu_ms")}
                for result in outcome["results"]:
                    record = _write_result(out, by_id[result["id"]], result)
                    ledger.append(record)
                    progress.update(ok=record["status"] == "ok")
    finally:
        progress.close()
        ledger.close()
        write_summary(out, [*pairs, *row_errors], ledger.records)
    stats.failed = sum(1 for r in ledger.records.values() if r["status"] != "ok")
    stats.ok = len(ledger.records) - stats.failed
    stats.seconds = time.monotonic() - started
    found = {r["highest"] for r in ledger.records.values() if r.get("highest")}
    stats.worst = next((s for s in SEVERITIES if s in found), None)
    return stats


def write_summary(out: Path, order: Sequence[Pair | RowError],
                  records: dict[str, Record]) -> None:
    """OUT/index.html: every pair of the ledger, in manifest order, linked to its report."""
    from analyzer.report.render import render_page

    rank = {p.id: i for i, p in enumerate(order)}
    rows = sorted(records.values(), key=lambda r: (rank.get(r["id"], len(rank)), r["id"]))
    write_atomic(out / "index.html", render_page("batch.html", rows=rows))
