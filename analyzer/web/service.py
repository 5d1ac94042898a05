"""What the API and the pages both do: keep uploads, compare and check stored documents.

Parsing runs in worker processes (TERMSHIFT_WORKERS; 0 runs it in threads), so a large
PDF never stalls the server; stored analyses are reused, so a comparison never parses.
"""

from __future__ import annotations

import itertools
import json
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import anyio
import anyio.to_thread

from analyzer import api
from analyzer.errors import InputError, NotFound, UsageError
from analyzer.model import Analysis, Timeline
from analyzer.report.render import render_check, render_comparison
from analyzer.resources import content_version
from analyzer.settings import Settings
from analyzer.store import DocumentInfo, ReportRecord, Store, WorkspaceRef
from analyzer.store.blobs import sha256_of

_VERSION_SUFFIX = re.compile(
    r"^(?P<name>.+?)[-_ .]+(?P<label>v\d+(?:\.\d+)*|\d{4}-\d{2}-\d{2}(?:T[\d-]+Z?)?|"
    r"(?:old|new|draft|final|current|previous))$", re.IGNORECASE)
MAX_TIMELINE = 50


def split_version(filename: str) -> tuple[str, str | None]:
    """'agent-terms-v2.pdf' -> ('agent-terms', 'v2'): versions of one document share a name."""
    stem = Path(filename).stem or filename
    match = _VERSION_SUFFIX.match(stem)
    if match:
        return match["name"], match["label"]
    return stem, None


def _analyze_bytes(data: bytes, filename: str, settings: Settings) -> Analysis:
    return api.analyze(data, name=filename, settings=settings)


class Service:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            workers = self.settings.workers
            self._executor = (
                ProcessPoolExecutor(workers, mp_context=get_context("spawn")) if workers > 0
                else ThreadPoolExecutor(4, thread_name_prefix="termshift-analyze"))
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def _analyze(self, data: bytes, filename: str) -> Analysis:
        future: Future[Analysis] = self._pool().submit(_analyze_bytes, data, filename,
                                                       self.settings)
        return await anyio.to_thread.run_sync(future.result)

    # Documents ----------------------------------------------------------------------------

    async def upload(self, ws: WorkspaceRef, data: bytes, filename: str, *,
                     name: str | None = None,
                     version_label: str | None = None) -> tuple[DocumentInfo, bool]:
        """Keep one upload; the same bytes again give the existing document, unparsed."""
        filename = Path(filename or "upload").name or "upload"
        if not data:
            raise InputError(f"{filename}: the file is empty")
        existing = await anyio.to_thread.run_sync(self.store.find_document, ws,
                                                  sha256_of(data))
        if existing is not None:
            return existing, False
        guessed_name, guessed_label = split_version(filename)
        analysis = await self._analyze(data, filename)
        return await anyio.to_thread.run_sync(
            lambda: self.store.add_document(
                ws, data, analysis, filename=filename, name=(name or "").strip() or guessed_name,
                version_label=(version_label or "").strip() or guessed_label))

    # Comparisons --------------------------------------------------------------------------

    async def compare(self, ws: WorkspaceRef, old_id: str, new_id: str) -> ReportRecord:
        """The comparison of two stored documents, reused while rules and templates stand."""
        if old_id == new_id:
            raise UsageError("old and new are the same document; pick two versions")
        return await anyio.to_thread.run_sync(self._compare, ws, old_id, new_id)

    def _compare(self, ws: WorkspaceRef, old_id: str, new_id: str) -> ReportRecord:
        version = content_version()
        cached = self.store.find_comparison(ws, old_id, new_id)
        if cached is not None and cached.report_version == version:
            return cached
        old = self.store.load_analysis(ws, old_id)
        new = self.store.load_analysis(ws, new_id)
        comparison = api.compare_versions(old, new)
        high = sum(1 for f in comparison.findings if f.severity == "high")
        return self.store.save_comparison(
            ws, old_id, new_id, report_version=version,
            result_json=render_comparison(comparison, "json"),
            html=render_comparison(comparison, "html"),
            markdown=render_comparison(comparison, "md"), high=high)

    async def comparison(self, ws: WorkspaceRef, comparison_id: str) -> ReportRecord:
        record = await anyio.to_thread.run_sync(self.store.get_comparison, ws, comparison_id)
        if record.report_version != content_version():
            return await self.compare(ws, *record.subject)
        return record

    # Checks and timelines -----------------------------------------------------------------

    async def check(self, ws: WorkspaceRef, document_id: str,
                    controls: str | None = None) -> ReportRecord:
        return await anyio.to_thread.run_sync(self._check, ws, document_id, controls)

    def _check(self, ws: WorkspaceRef, document_id: str, controls: str | None) -> ReportRecord:
        from analyzer.check import check_analysis

        analysis = self.store.load_analysis(ws, document_id)
        if controls is None:
            result = check_analysis(analysis)
        else:
            with tempfile.TemporaryDirectory(prefix="termshift-controls-") as tmp:
                path = Path(tmp) / "controls.yaml"
                path.write_text(controls, encoding="utf-8")
                result = check_analysis(analysis, path)
        return self.store.save_check(
            ws, document_id,
            controls_sha256=sha256_of(controls.encode()) if controls is not None else None,
            report_version=content_version(), result_json=render_check(result, "json"),
            html=render_check(result, "html"))

    async def timeline(self, ws: WorkspaceRef, document_ids: list[str]) -> Timeline:
        if not 2 <= len(document_ids) <= MAX_TIMELINE:
            raise UsageError(f"a timeline needs 2 to {MAX_TIMELINE} documents, "
                             f"got {len(document_ids)}")
        return await anyio.to_thread.run_sync(self._timeline, ws, document_ids)

    def _timeline(self, ws: WorkspaceRef, document_ids: list[str]) -> Timeline:
        infos = [self.store.get_document(ws, d) for d in document_ids]
        analyses = [self.store.load_analysis(ws, d) for d in document_ids]
        steps = tuple(api.compare_versions(a, b) for a, b in itertools.pairwise(analyses))
        labels = tuple(i.version_label or i.filename for i in infos)
        return Timeline(labels=labels, versions=tuple(analyses), steps=steps)

    def result(self, record: ReportRecord) -> dict[str, object]:
        """The stored JSON result with its id first."""
        try:
            body = json.loads(record.result_json)
        except ValueError as exc:
            raise NotFound(f"the stored result {record.id} cannot be read") from exc
        return {"id": record.id, **body}


SAMPLE_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}


def sample_files(paths: list[Path]) -> list[Path]:
    """The documents among `paths`; a folder gives its own files (not sub-folders, not
    READMEs), in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir())
                         if p.is_file() and p.suffix.lower() in SAMPLE_SUFFIXES
                         and not p.name.lower().startswith("readme"))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def load_samples(store: Store, settings: Settings, paths: list[Path],
                 echo: Callable[[str], None]) -> list[ReportRecord]:
    """Upload the sample documents into the local workspace and compare each document's
    consecutive versions; returns the comparisons. Already stored files are not re-parsed."""
    ws = store.workspace()
    files = sample_files(paths)
    docs: list[DocumentInfo] = []
    for number, path in enumerate(files, start=1):
        data = path.read_bytes()
        info = store.find_document(ws, sha256_of(data))
        if info is None:
            name, label = split_version(path.name)
            analysis = api.analyze(data, name=path.name, settings=settings)
            info, _ = store.add_document(ws, data, analysis, filename=path.name, name=name,
                                         version_label=label)
        echo(f"  [{number}/{len(files)}] {path.name}: {info.clause_count} clauses")
        docs.append(info)
    service = Service(store, settings)
    records = []
    groups: dict[str, list[DocumentInfo]] = {}
    for doc in docs:
        groups.setdefault(doc.name, []).append(doc)
    for versions in groups.values():
        for old, new in itertools.pairwise(versions):
            records.append(service._compare(ws, old.id, new.id))
    return records
