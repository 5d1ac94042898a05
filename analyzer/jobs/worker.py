"""What runs inside a batch worker: a chunk of pairs in, one plain result per pair out.

Documents travel by content hash: a chunk names each document by its sha256 and carries
either its path (local workers share the disk) or its bytes (a Dask worker may not). Each
worker keeps its recent analyses by hash, so a document's consecutive pairs, sent together,
parse it once. Every pair of a worker is read with the rulebook of its process
(analyzer.rulebook.default_rulebook: loaded once, from the same settings as the batch).
"""

from __future__ import annotations

import hashlib
import os
import resource
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import InputError, TermshiftError
from analyzer.model import SEVERITIES, Analysis

if TYPE_CHECKING:
    from analyzer.rulebook import Rulebook

CACHE_SIZE = 32
_cache: OrderedDict[str, Analysis | TermshiftError] = OrderedDict()
_parsed = {"count": 0}
_lock = threading.Lock()


@dataclass(frozen=True)
class PairTask:
    """One pair inside a chunk: its id, and its two documents by hash and shown name."""

    id: str
    old_sha: str
    new_sha: str
    old_name: str
    new_name: str


def _analysis(sha: str, name: str, source: str | bytes, rulebook: Rulebook) -> Analysis:
    from analyzer.api import analyze_document
    from analyzer.ingest import ingest, read_path

    with _lock:
        cached = _cache.get(sha)
        if cached is not None:
            _cache.move_to_end(sha)
    if cached is None:
        try:
            data = source if isinstance(source, bytes) else read_path(Path(source))
            if hashlib.sha256(data).hexdigest() != sha:
                raise InputError(f"{name}: the file changed while the batch ran")
            cached = analyze_document(ingest(data, name), rulebook)
            _parsed["count"] += 1
        except TermshiftError as exc:
            cached = exc
        with _lock:  # a Dask worker may run several chunks in threads
            _cache[sha] = cached
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if isinstance(cached, TermshiftError):
        raise cached
    if cached.document.source != name:
        # The same bytes under another name: the report names the file it was given.
        return replace(cached, document=replace(cached.document, source=name))
    return cached


def _one(task: PairTask, sources: dict[str, str | bytes], formats: tuple[str, ...],
         rulebook: Rulebook) -> dict[str, Any]:
    from analyzer.api import compare_versions
    from analyzer.report.render import render_comparison
    from analyzer.serialize import comparison_summary

    started = time.perf_counter()
    result: dict[str, Any] = {"id": task.id, "status": "failed", "error": None,
                              "counts": None, "highest": None, "top_finding": None,
                              "reports": {}}
    try:
        old = _analysis(task.old_sha, task.old_name, sources[task.old_sha], rulebook)
        new = _analysis(task.new_sha, task.new_name, sources[task.new_sha], rulebook)
        comparison = compare_versions(old, new, rulebook=rulebook)
        reports = {fmt: render_comparison(comparison, fmt) for fmt in formats}
    except TermshiftError as exc:
        result["error"] = str(exc).splitlines()[0] if str(exc) else exc.code
    except MemoryError:
        result["error"] = "out of memory while comparing this pair"
    except Exception as exc:  # a bug on one pair must not end the batch
        result["error"] = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
    else:
        counts = comparison_summary(comparison)["findings"]
        top = min(comparison.findings, key=lambda f: SEVERITIES.index(f.severity),
                  default=None)
        result.update(status="ok", counts=counts, reports=reports,
                      highest=top.severity if top else None,
                      top_finding=top.title if top else None)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def run_chunk(tasks: list[PairTask], sources: dict[str, str | bytes],
              formats: tuple[str, ...]) -> dict[str, Any]:
    """Compare each pair of a chunk; never raises for a pair's own failure (a rule file
    that does not load fails every pair, with its reason)."""
    from analyzer.rulebook import default_rulebook

    results: list[dict[str, Any]]
    try:
        rulebook = default_rulebook()
    except TermshiftError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.code
        results = [{"id": task.id, "status": "failed", "error": reason, "counts": None,
                    "highest": None, "top_finding": None, "reports": {}, "seconds": 0.0}
                   for task in tasks]
    else:
        results = [_one(task, sources, formats, rulebook) for task in tasks]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"results": results, "worker": f"{os.uname().nodename}:{os.getpid()}",
            "peak_rss_kb": usage.ru_maxrss, "parsed": _parsed["count"],
            "cpu_ms": int((usage.ru_utime + usage.ru_stime) * 1000)}
