"""What the API and the pages both do: keep uploads, compare and check stored documents.

An upload is kept first and parsed after, in worker processes (TERMSHIFT_WORKERS; 0 runs it
in threads), so a large PDF never stalls the server and many uploads can arrive at once.
Parses wait for a slot in a queue that is fair between workspaces (parse_queue.py), so one
team's fifty uploads do not hold up another's one. Whatever needs a parse (a comparison, a
check, the clauses) waits for it; stored analyses are reused, so a comparison never parses,
unless the analysis was read by another version of the reader (an upgrade), when the
document is read again from its original first (ready, _read_again).
A parse cut short by a stop is resumed at the next start. Worker processes die with the
server, even when it is killed with SIGKILL (ingest/budget.py, die_with_parent).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from analyzer import __version__, api
from analyzer.errors import (
    InputError,
    NotFound,
    NotReady,
    StoreError,
    TermshiftError,
    UsageError,
)
from analyzer.ingest.budget import die_with_parent, stop_readers
from analyzer.model import Analysis, Timeline
from analyzer.report.render import (
    BINARY_FORMATS,
    fill_triage,
    render_check,
    render_comparison,
)
from analyzer.report.triage import Triage
from analyzer.resources import content_version, reading_version
from analyzer.rulebook import Rulebook, default_rulebook
from analyzer.serialize import pretty_json
from analyzer.settings import THREAD_PARSERS, Settings, get_settings
from analyzer.store import DocumentInfo, ReportRecord, Store, WorkspaceRef
from analyzer.store.blobs import sha256_of
from analyzer.store.triage import (
    TriageStore,
    Verdict,
    finding_keys,
    is_finding_key,
    open_json,
    summarise,
)
from analyzer.web.parse_queue import FairQueue

_VERSION_SUFFIX = re.compile(
    r"^(?P<name>.+?)[-_ .]+(?P<label>v\d+(?:\.\d+)*|\d{4}-\d{2}-\d{2}(?:T[\d-]+Z?)?|"
    r"(?:old|new|draft|final|current|previous))$", re.IGNORECASE)
MAX_TIMELINE = 50
log = logging.getLogger("termshift.web")


def split_version(filename: str) -> tuple[str, str | None]:
    """'agent-terms-v2.pdf' -> ('agent-terms', 'v2'): versions of one document share a name."""
    stem = Path(filename).stem or filename
    match = _VERSION_SUFFIX.match(stem)
    if match:
        return match["name"], match["label"]
    return stem, None


@dataclass(frozen=True)
class ComparisonTriage:
    """A stored comparison's findings (from its compare JSON) with their triage."""

    findings: list[dict[str, Any]]
    triage: Triage
    old_sha256: str
    new_sha256: str
    head: str = "{"  # the stored JSON before its findings (see _split_findings)

    def finding(self, finding: str) -> dict[str, Any]:
        """A finding of the result, by its id ("f3") or by its triage key."""
        findings = self.findings
        for item in findings:
            if item["id"] == finding:
                return dict(item)
        if is_finding_key(finding):
            for item in findings:
                if self.triage.of(item["id"]).get("key") == finding:
                    return dict(item)
        raise NotFound(f"no finding {finding[:64]!r} in this comparison; its findings are "
                       f"f1 to f{len(findings)}" if findings else
                       "this comparison has no findings")

    def items(self) -> list[dict[str, Any]]:
        """Every finding's triage with the finding's id, type, severity and title."""
        return [{"finding": f["id"], "type": f["type"], "severity": f["severity"],
                 "title": f["title"], **self.triage.of(f["id"])}
                for f in self.findings]


@dataclass(frozen=True)
class ParseOutcome:
    """What a parser process sends back: the analysis, or the error's code and message
    (the project's exceptions do not survive pickling with their codes)."""

    analysis: Analysis | None
    code: str = ""
    message: str = ""


def report_version() -> str:
    """What a stored report was made with: termshift's version and its rules and templates.
    A stored report of another one is made again, so its findings and its "Made by" line
    never come from retired code. Rules-only reports are another version again."""
    return f"{__version__}+{content_version()}{_rules_chosen()}"


def analysis_version() -> str:
    """What a stored analysis was read with: termshift's version, its rules and its model.
    A document read by another one is read again from its original before it is compared
    or checked, so an upgrade's reading reaches documents stored before it."""
    return f"{__version__}+{reading_version()}{_rules_chosen()}"


def _rules_chosen() -> str:
    """The settings' choice of rules: the shipped digests cover the shipped rules; a folder
    of one's own has its fingerprint, and rules-only reading is another version again."""
    settings = get_settings()
    rules_only = "+rules-only" if settings.rules_only else ""
    own = f"+rules-{default_rulebook(settings).fingerprint}" if settings.rules_dir else ""
    return f"{own}{rules_only}"


def _parse_bytes(data: bytes, filename: str, settings: Settings) -> ParseOutcome:
    try:
        return ParseOutcome(api.analyze(data, name=filename, settings=settings))
    except TermshiftError as exc:
        return ParseOutcome(None, exc.code, exc.message)
    except MemoryError:
        return ParseOutcome(None, "ingest.out_of_memory",
                            f"{filename}: ran out of memory while reading the document")


def _worker_started(server_pid: int) -> None:
    """In each parse worker process, first: it dies with the server (even one killed with
    SIGKILL, which cannot end it), and leaves Ctrl-C, which a terminal sends to the whole
    process group, to the server, which ends its workers itself."""
    die_with_parent(server_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Service:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._executor: Executor | None = None
        self._parsing: dict[str, asyncio.Task[None]] = {}
        # Documents whose reading by this version failed: their earlier analysis is served
        # and they are not read again until the next start.
        self._kept_earlier: set[str] = set()
        self._keyed = False  # whether keys exist (several workspaces), seen at each upload
        self._stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        capacity = settings.workers if settings.workers > 0 else THREAD_PARSERS
        self.queue = FairQueue(capacity, lambda: settings.parses_per_workspace(self._keyed))

    @property
    def rulebook(self) -> Rulebook:
        """The rules comparisons and checks read with (loaded once per process; the parser
        processes load the same folder, from the same settings)."""
        return default_rulebook(self.settings)

    def _pool(self) -> Executor:
        if self._executor is None:
            workers = self.settings.workers
            self._executor = (
                # Renewed after worker_max_tasks documents, so memory goes back to the system.
                ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                    max_tasks_per_child=self.settings.worker_max_tasks,
                                    initializer=_worker_started, initargs=(os.getpid(),))
                if workers > 0
                else ThreadPoolExecutor(THREAD_PARSERS, thread_name_prefix="termshift-parse"))
        return self._executor

    def close(self) -> None:
        """Stop parsing: unfinished documents stay "processing" and resume at the next start.
        Parser processes are ended here; left alone they outlive the server and spin."""
        for task in list(self._parsing.values()):
            task.cancel()
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if isinstance(executor, ThreadPoolExecutor):
            # Parses in this process's threads: their reader children are killed, so the
            # threads return now rather than at the parse time limit.
            executor.shutdown(wait=False, cancel_futures=True)
            stop_readers()
            return
        # ProcessPoolExecutor keeps its workers in _processes (no public handle exists).
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)

    def stop_waiting(self) -> None:
        """The server was told to stop: requests waiting for a parse are answered now (409,
        the document is read again at the next start) rather than cut off. Safe to call
        from a signal handler."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._stopping.set)

    # Documents ----------------------------------------------------------------------------

    async def upload(self, ws: WorkspaceRef, data: bytes, filename: str, *,
                     name: str | None = None, version_label: str | None = None,
                     wait: bool = True) -> tuple[DocumentInfo, bool]:
        """Keep one upload and parse it, once: the same bytes again give the same document.
        With `wait`, answer after the parse (its failure is an InputError); without, at once
        with status "processing"."""
        filename = Path(filename or "upload").name or "upload"
        fmt = api.detect_format(data, filename)  # not a document at all: refused right away
        guessed_name, guessed_label = split_version(filename)
        info, created = await anyio.to_thread.run_sync(lambda: self.store.add_original(
            ws, data, filename=filename, fmt=fmt, name=(name or "").strip() or guessed_name,
            version_label=(version_label or "").strip() or guessed_label))
        if info.status == "failed":  # a limit or the reader may have changed since
            await anyio.to_thread.run_sync(self.store.retry, info.id)
            info = replace(info, status="processing", error=None, error_code=None)
        if info.status == "processing":
            self._schedule(ws.id, info.id, info.sha256, filename)
            if wait:
                info = await self.ready(ws, info.id)
        return info, created

    def _schedule(self, workspace_id: int, doc_id: str, sha256: str,
                  filename: str, *, again: bool = False) -> asyncio.Task[None]:
        task = self._parsing.get(doc_id)
        if task is None:
            self._loop = asyncio.get_running_loop()
            task = self._loop.create_task(self._parse(workspace_id, doc_id, sha256, filename,
                                                      again=again))
            self._parsing[doc_id] = task
            task.add_done_callback(lambda _done: self._parsing.pop(doc_id, None))
        return task

    async def _parse(self, workspace_id: int, doc_id: str, sha256: str, filename: str, *,
                     again: bool = False) -> None:
        """Read a stored original and keep the result. `again`: the document is ready with
        an analysis by an older reader, which stays when this reading fails."""
        version = analysis_version()
        try:
            self._keyed = await anyio.to_thread.run_sync(self.store.has_keys)
            async with self.queue.slot(workspace_id):
                # Read from the originals only now: a queued upload holds no memory.
                data = await anyio.to_thread.run_sync(self.store.blobs.get, sha256)
                # Counted before it starts: a parse that takes the server down stays counted.
                if not await anyio.to_thread.run_sync(self.store.begin_parse, doc_id):
                    return  # deleted while it waited
                future: Future[ParseOutcome] = self._pool().submit(
                    _parse_bytes, data, filename, self.settings)
                # Awaited on the event loop, not in a thread: a queue of parses must not use
                # up the thread pool the store calls and plain routes need.
                outcome = await asyncio.wrap_future(future)
        except NotFound:
            log.info("%s was deleted while it was read", doc_id)
            return
        except StoreError as exc:  # its original cannot be read
            log.error("cannot read the original of %s: %s", doc_id, exc)
            outcome = ParseOutcome(None, "store.original_missing",
                                   f"{filename}: its original could not be read on the "
                                   "server; upload it again")
        except BrokenProcessPool:
            self._executor = None  # a reader process died (killed, out of memory): start anew
            outcome = ParseOutcome(None, "ingest.reader_crashed",
                                   f"{filename}: the reader stopped while reading this "
                                   "document; it may be too large or damaged")
        except Exception:  # a bug, not the document: keep the original, say so
            log.exception("parsing %s failed", doc_id)
            outcome = ParseOutcome(None, "ingest.internal",
                                   f"{filename}: the server failed while reading it; "
                                   "the error is in the server log")
        try:
            if outcome.analysis is not None:
                await anyio.to_thread.run_sync(self.store.set_analysis, doc_id,
                                               outcome.analysis, version)
            elif again:  # the earlier reading stands, until the next start
                self._kept_earlier.add(doc_id)
                log.warning("reading %s (%s) again with this version failed (%s: %s); its "
                            "earlier analysis is kept", doc_id, filename, outcome.code,
                            outcome.message)
            else:
                await anyio.to_thread.run_sync(self.store.set_failed, doc_id, outcome.code,
                                               outcome.message)
        except NotFound:
            log.info("%s was deleted while it was read", doc_id)
        except Exception:  # the store failed (locked, gone): say so rather than wait forever
            log.exception("storing the parse of %s failed", doc_id)
            with contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(
                    self.store.set_failed, doc_id, "store.unavailable",
                    f"{filename}: the server could not store what it read; upload it again")

    async def ready(self, ws: WorkspaceRef, doc_id: str) -> DocumentInfo:
        """The document once its parse is finished: waits for it (up to
        TERMSHIFT_READY_TIMEOUT seconds); a failed parse is raised as an InputError."""
        info = await anyio.to_thread.run_sync(self.store.get_document, ws, doc_id)
        deadline = time.monotonic() + self.settings.ready_timeout
        self._loop = asyncio.get_running_loop()
        while info.status == "processing":
            task = self._parsing.get(doc_id)
            remaining = deadline - time.monotonic()
            if self._stopping.is_set():
                raise NotReady(f"{info.filename} is still being read and the server is "
                               "stopping; it is read again when the server is back")
            if remaining <= 0:
                raise NotReady(f"{info.filename} is still being read; try again in a moment")
            if task is not None:  # parsed here
                await self._wait_for(task, remaining)
            else:  # parsed by another server process: look again shortly
                await asyncio.sleep(min(0.2, remaining))
            info = await anyio.to_thread.run_sync(self.store.get_document, ws, doc_id)
        if info.status == "failed":
            raise InputError(info.error or f"{info.filename} could not be read",
                             code=info.error_code or "ingest.unreadable")
        if info.analysis_version != analysis_version():
            info = await self._read_again(ws, info, deadline)
        return info

    async def _read_again(self, ws: WorkspaceRef, info: DocumentInfo,
                          deadline: float) -> DocumentInfo:
        """A ready document read by another version (an upgrade, other rules or model): read
        it again from its original and wait for that until the deadline. Meanwhile, and if
        the new reading fails, its earlier analysis is what is served; a reading that lands
        later marks the reports made from the earlier one to be made again. A failed one is
        not tried again before the next start."""
        if info.id in self._kept_earlier:
            return info
        attempts = await anyio.to_thread.run_sync(self.store.parse_attempts, info.id)
        if attempts >= self.settings.max_parse_attempts:
            return info  # it stopped a reader before: not tried again (see resume_pending)
        task = self._schedule(ws.id, info.id, info.sha256, info.filename, again=True)
        remaining = deadline - time.monotonic()
        if remaining > 0 and not self._stopping.is_set():
            await self._wait_for(task, remaining)
        return await anyio.to_thread.run_sync(self.store.get_document, ws, info.id)

    async def _wait_for(self, task: asyncio.Task[None], seconds: float) -> None:
        """Wait for a parse, a stop or the time to pass, whichever comes first (the parse
        goes on when a request gives up; asyncio.wait cancels neither)."""
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stop}, timeout=seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()

    async def resume_pending(self) -> int:
        """Parse again what a previous run left half done; returns how many. A document
        whose parse was already interrupted TERMSHIFT_MAX_PARSE_ATTEMPTS times is not read
        again: it is marked failed (code ingest.quarantined) and logged."""
        pending = await anyio.to_thread.run_sync(self.store.pending_documents)
        resumed = 0
        for ws, info in pending:
            attempts = await anyio.to_thread.run_sync(self.store.parse_attempts, info.id)
            if attempts >= self.settings.max_parse_attempts:
                log.warning("not resuming %s (%s): its parse was interrupted %d times",
                            info.id, info.filename, attempts)
                await anyio.to_thread.run_sync(
                    self.store.set_failed, info.id, "ingest.quarantined",
                    f"{info.filename}: reading it was interrupted {attempts} times (a crash, "
                    "a kill, a restart or a parse limit), so it is not read again "
                    "automatically; upload it again to retry")
                continue
            self._schedule(ws.id, info.id, info.sha256, info.filename)
            resumed += 1
        return resumed

    # Comparisons --------------------------------------------------------------------------

    async def compare(self, ws: WorkspaceRef, old_id: str, new_id: str) -> ReportRecord:
        """The comparison of two stored documents, reused while rules and templates stand."""
        if old_id == new_id:
            raise UsageError("old and new are the same document; pick two versions")
        await self._all_ready(ws, [old_id, new_id])
        return await anyio.to_thread.run_sync(self._compare, ws, old_id, new_id)

    async def _all_ready(self, ws: WorkspaceRef, doc_ids: list[str]) -> None:
        """Wait for several documents at once: parses still running, and readings again
        after an upgrade, go on side by side in the parse queue rather than one by one."""
        await asyncio.gather(*(self.ready(ws, d) for d in doc_ids))

    def _compare(self, ws: WorkspaceRef, old_id: str, new_id: str) -> ReportRecord:
        version = report_version()
        cached = self.store.find_comparison(ws, old_id, new_id)
        if cached is not None and cached.report_version == version:
            return cached
        old = self.store.load_analysis(ws, old_id)
        new = self.store.load_analysis(ws, new_id)
        comparison = api.compare_versions(old, new, rulebook=self.rulebook)
        severities = [f.severity for f in comparison.findings]
        title = self._display_title(ws, new_id, new)
        # HTML and Markdown with a place for each finding's triage, filled when served.
        return self.store.save_comparison(
            ws, old_id, new_id, report_version=version,
            result_json=render_comparison(comparison, "json"),
            html=render_comparison(comparison, "html", title, triage_slots=True),
            markdown=render_comparison(comparison, "md", title, triage_slots=True),
            high=severities.count("high"), medium=severities.count("medium"))

    def _display_title(self, ws: WorkspaceRef, doc_id: str, analysis: Analysis) -> str:
        """The name a report's heading gives the document: its own title, or, when it has
        none (the title is its file name), its name in the library, so that the report
        does not read "What shifted in new.md"."""
        document = analysis.document
        if document.title != Path(document.source.replace("\\", "/")).name:
            return document.title
        return self.store.get_document(ws, doc_id).name

    async def comparison(self, ws: WorkspaceRef, comparison_id: str) -> ReportRecord:
        record = await anyio.to_thread.run_sync(self.store.get_comparison, ws, comparison_id)
        if record.report_version != report_version():
            return await self.compare(ws, *record.subject)
        return record

    async def comparison_file(self, ws: WorkspaceRef, comparison_id: str,
                              fmt: str) -> tuple[ReportRecord, bytes]:
        """A stored comparison as DOCX (tracked changes) or PDF, rendered on request.

        The store keeps the rendered JSON, HTML and Markdown, not the comparison itself;
        it does keep both analyses, so the comparison is recomputed from them (no parse,
        and the same result while the report version stands) rather than storing
        binaries that few comparisons are ever asked for."""
        record = await self.comparison(ws, comparison_id)
        return record, await anyio.to_thread.run_sync(self._render_file, ws, record, fmt)

    def _render_file(self, ws: WorkspaceRef, record: ReportRecord, fmt: str) -> bytes:
        if fmt not in BINARY_FORMATS:
            raise UsageError(f"a comparison file comes as docx or pdf, not {fmt!r}")
        old_id, new_id = record.subject
        old = self.store.load_analysis(ws, old_id)
        new = self.store.load_analysis(ws, new_id)
        body = render_comparison(api.compare_versions(old, new, rulebook=self.rulebook),
                                 fmt,
                                 self._display_title(ws, new_id, new),
                                 triage=self.triage_of(ws, record).triage)
        assert isinstance(body, bytes)
        return body

    # Triage -------------------------------------------------------------------------------

    def triage_of(self, ws: WorkspaceRef, record: ReportRecord) -> ComparisonTriage:
        """A stored comparison's findings with their triage, found by the documents'
        content and each finding's key (analyzer.store.triage)."""
        head, findings = _split_findings(record)
        triage = TriageStore(self.store)
        old_sha, new_sha = triage.content_hashes(ws, *record.subject)
        verdicts = triage.verdicts(ws, old_sha, new_sha)
        by_finding: dict[str, dict[str, Any]] = {}
        for finding_id, key in finding_keys(findings).items():
            verdict = verdicts.get(key)
            by_finding[finding_id] = verdict.to_json() if verdict else open_json(key)
        summary = summarise(t["state"] for t in by_finding.values())
        return ComparisonTriage(findings, Triage(by_finding, summary), old_sha, new_sha, head)

    async def set_triage(self, ws: WorkspaceRef, comparison_id: str, finding: str, *,
                         state: str, reason: str | None, note: str | None,
                         actor_key: str | None) -> tuple[str, ComparisonTriage]:
        """Set one finding's triage (by finding id or key); returns the finding's id and
        the comparison's triage after it. `actor_key` is the caller's API key, if any: the
        verdict records its prefix, never the key."""
        record = await self.comparison(ws, comparison_id)  # current: ids match what is shown

        def save() -> tuple[str, ComparisonTriage]:
            before = self.triage_of(ws, record)
            found = before.finding(finding)
            store = TriageStore(self.store)
            verdict: Verdict = store.set(
                ws, before.old_sha256, before.new_sha256,
                key=str(before.triage.of(found["id"])["key"]), finding_type=found["type"],
                state=state, reason=reason, note=note, actor=store.actor(ws, actor_key))
            by_finding = {**before.triage.by_finding, found["id"]: verdict.to_json()}
            summary = summarise(t["state"] for t in by_finding.values())
            return found["id"], replace(before, triage=Triage(by_finding, summary))

        return await anyio.to_thread.run_sync(save)

    def comparison_text(self, ws: WorkspaceRef, record: ReportRecord, fmt: str,
                        action: str | None = None) -> tuple[str, str]:
        """A stored comparison in a text format with its findings' triage: JSON gets a
        `triage` object in each finding (and the comparison's `id` first), HTML and Markdown
        show each state; with `action` the HTML has the controls that change them."""
        triage = self.triage_of(ws, record)
        if fmt == "json":
            with_triage = [{**f, "triage": triage.triage.of(f["id"])} for f in triage.findings]
            # The findings are the result's last member; its changes (most of its bytes)
            # are served as stored, after the id.
            tail = pretty_json({"findings": with_triage})
            return ("{\n  \"id\": " + json.dumps(record.id) + "," + triage.head[1:] + tail[1:],
                    "application/json")
        if fmt == "html":
            return (fill_triage(record.html, "html", triage.triage, action),
                    "text/html; charset=utf-8")
        if fmt == "md":
            return (fill_triage(record.markdown or "", "md", triage.triage),
                    "text/markdown; charset=utf-8")
        raise UsageError(f"this report comes as html, json or md, not {fmt!r}")

    def report_stem(self, ws: WorkspaceRef, doc_ids: tuple[str, ...], what: str) -> str:
        """A download's file name without suffix: the document's name and versions, so
        that "Acme terms v1 to v2 report.html" says what it holds next to other downloads."""
        docs = [self.store.get_document(ws, doc_id) for doc_id in doc_ids]
        versions = " to ".join(d.version_label or d.filename.rsplit(".", 1)[0] for d in docs)
        return f"{docs[-1].name} {versions} {what}".replace("/", "-")[:140]

    # Checks and timelines -----------------------------------------------------------------

    async def check(self, ws: WorkspaceRef, document_id: str,
                    controls: str | None = None) -> ReportRecord:
        await self.ready(ws, document_id)
        return await anyio.to_thread.run_sync(self._check, ws, document_id, controls)

    async def check_report(self, ws: WorkspaceRef, check_id: str) -> ReportRecord:
        """A stored check, made again (with the same controls) when the installed rules or
        templates changed since."""
        record = await anyio.to_thread.run_sync(self.store.get_check, ws, check_id)
        if record.report_version == report_version():
            return record
        default, controls = await anyio.to_thread.run_sync(self.store.check_controls, ws,
                                                           check_id)
        if not default and controls is None:
            return record  # its control file was not kept: the stored rendering stands
        return await anyio.to_thread.run_sync(self._check, ws, record.subject[0], controls,
                                              check_id)

    def _check(self, ws: WorkspaceRef, document_id: str, controls: str | None,
               check_id: str | None = None) -> ReportRecord:
        from analyzer.check import check_analysis

        analysis = self.store.load_analysis(ws, document_id)
        if controls is None:
            result = check_analysis(analysis, self.rulebook.controls)
        else:
            # A user's baseline is read from the request's text, in the rulebook's terms.
            rules = self.rulebook.with_controls(controls, "controls.yaml")
            result = check_analysis(analysis, rules.controls)
            self.store.keep_controls(controls)
        return self.store.save_check(
            ws, document_id,
            controls_sha256=sha256_of(controls.encode()) if controls is not None else None,
            report_version=report_version(), result_json=render_check(result, "json"),
            html=render_check(result, "html"), markdown=render_check(result, "md"),
            check_id=check_id)

    async def timeline(self, ws: WorkspaceRef, document_ids: list[str]) -> Timeline:
        if not 2 <= len(document_ids) <= MAX_TIMELINE:
            raise UsageError(f"a timeline needs 2 to {MAX_TIMELINE} documents, "
                             f"got {len(document_ids)}")
        await self._all_ready(ws, document_ids)
        return await anyio.to_thread.run_sync(self._timeline, ws, document_ids)

    def _timeline(self, ws: WorkspaceRef, document_ids: list[str]) -> Timeline:
        infos = [self.store.get_document(ws, d) for d in document_ids]
        analyses = [self.store.load_analysis(ws, d) for d in document_ids]
        steps = tuple(api.compare_versions(a, b, rulebook=self.rulebook)
                      for a, b in itertools.pairwise(analyses))
        labels = tuple(i.version_label or i.filename for i in infos)
        return Timeline(labels=labels, versions=tuple(analyses), steps=steps)


# Where a stored compare JSON (indented by two spaces; a string holds no raw line break) puts
# its findings, the last member of the object.
_FINDINGS_MEMBER = '\n  "findings": '


def _split_findings(record: ReportRecord) -> tuple[str, list[dict[str, Any]]]:
    """A stored comparison's JSON up to its findings (from the opening brace to the comma
    before them), and the findings parsed. Only the findings are parsed: the changes before
    them are most of the bytes (a 50,000-word pair: 4 MB, 0.6 s to parse and write again)."""
    body = record.result_json
    at = body.rfind(_FINDINGS_MEMBER)
    try:
        if not body.startswith("{\n") or at < 0:
            raise ValueError("not an indented compare result")
        tail = json.loads("{" + body[at:])
        if list(tail) != ["findings"] or not isinstance(tail["findings"], list):
            raise ValueError("the findings are not the last member")
    except ValueError as exc:
        raise StoreError(f"the stored result {record.id} cannot be read") from exc
    return body[:at], tail["findings"]


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
    consecutive versions; returns the comparisons. Files stored already are not parsed again
    unless another version of termshift (or other rules) read them."""
    ws = store.workspace()
    files = sample_files(paths)
    docs: list[DocumentInfo] = []
    version = analysis_version()
    for number, path in enumerate(files, start=1):
        data = path.read_bytes()
        info = store.find_document(ws, sha256_of(data))
        if info is None or info.status != "ready" or info.analysis_version != version:
            name, label = split_version(path.name)
            analysis = api.analyze(data, name=path.name, settings=settings)
            info, _ = store.add_document(ws, data, analysis, version=version,
                                         filename=path.name, name=name, version_label=label)
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
