"""The web pages: documents, upload, compare, batches, reports, checks, sign-in. Plain
forms that work without JavaScript; pages.js adds drag and drop, batch.js keeps a running
batch's page up to date. No analysis logic here."""

from __future__ import annotations

import itertools
import re
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from analyzer.errors import AuthError, NotFound, TermshiftError, UsageError
from analyzer.report.render import BINARY_FORMATS, render_analysis, render_page
from analyzer.settings import Settings
from analyzer.store import DocumentInfo, ReportRecord, Store, WorkspaceRef
from analyzer.store.batches import BatchPair, BatchStore
from analyzer.web.api import (
    _attachment,
    comparison_file_response,
    original_response,
    read_upload,
    report_body,
    service_of,
)
from analyzer.web.auth import COOKIE, page_workspace, sign_in, sign_out
from analyzer.web.batch_results import (
    SORT_KEYS,
    STATUS_WORDS,
    sort_rows,
    status_text,
    table_rows,
)
from analyzer.web.batches import (
    MAX_PAIRS,
    batch_download,
    batch_with_figures,
    runner_of,
    start_batch,
)
from analyzer.web.security import REPORT_HEADERS

router = APIRouter(include_in_schema=False)
Workspace = Annotated[WorkspaceRef, Depends(page_workspace)]
MAX_FILES = 20
LIBRARY_BATCHES = 5  # the newest batches listed on the library page; /batches has them all
BATCHES_PER_PAGE = 50
HEADINGS = {400: "That cannot be done", 401: "Sign-in needed", 404: "Not found",
            413: "Too large", 422: "That file could not be read", 500: "Server error",
            503: "Storage unavailable"}


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A page under the app's policy headers, with the nav bar's workspace filled in."""
    context = {**_who(request), "downloads": None, "reading": False, "swap": None, **context}
    return HTMLResponse(render_page(template, **context), code, headers=REPORT_HEADERS)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "pages/error.html", status, status=status,
                  heading=HEADINGS.get(status, "Request failed"), message=message)


def _who(request: Request) -> dict[str, Any]:
    """The nav bar's workspace name, and whether a sign-in cookie is there to sign out of."""
    ws: WorkspaceRef | None = getattr(request.state, "workspace", None)
    return {"workspace": ws.name if ws else None, "keyed": COOKIE in request.cookies}


def _with_nav(request: Request, html: str, downloads: list[tuple[str, str]],
              swap: tuple[str, ...] | None = None) -> HTMLResponse:
    """A stored report with the app's navigation bar placed at the top of its body."""
    nav = render_page("pages/nav.html", downloads=downloads, swap=swap, **_who(request))
    start = html.find("<body")
    cut = html.find(">", start) + 1 if start >= 0 else 0
    return HTMLResponse(html[:cut] + nav + html[cut:], headers=REPORT_HEADERS)


def _groups(docs: list[DocumentInfo]) -> list[tuple[str, list[DocumentInfo]]]:
    groups: dict[str, list[DocumentInfo]] = {}
    for doc in docs:
        groups.setdefault(doc.name, []).append(doc)
    return [(name, sorted(ds, key=lambda d: (d.created_at, d.id)))
            for name, ds in sorted(groups.items(), key=lambda kv: kv[0].lower())]


def _pair_counts(docs: list[DocumentInfo]) -> dict[str, int]:
    """Document name -> how many pairs "each version with the next" makes of its versions."""
    return {name: max(0, sum(d.status != "failed" for d in versions) - 1)
            for name, versions in _groups(docs)}


def _index(request: Request, ws: WorkspaceRef, *, q: str | None = None,
           uploaded: list[DocumentInfo] | None = None, notices: list[str] | None = None,
           errors: list[str] | None = None, status: int = 200) -> HTMLResponse:
    store: Store = service_of(request).store
    settings: Settings = request.app.state.settings
    everything = store.list_documents(ws, None, limit=1000)
    docs = store.list_documents(ws, q, limit=1000) if q else everything
    by_id = {d.id: d for d in everything}
    comparisons = [(cid, by_id[o], by_id[n], high, medium)
                   for cid, o, n, high, medium in store.list_comparisons(ws, 50)
                   if o in by_id and n in by_id]
    checks = [(cid, by_id[d]) for cid, d in store.list_checks(ws, 50) if d in by_id]
    uploaded = list({d.id: d for d in uploaded or []}.values())  # the same file twice is one
    pair = [d for d in uploaded if d.name == uploaded[-1].name] if uploaded else []
    suggest = tuple(sorted(pair, key=lambda d: (d.created_at, d.id))) if len(pair) == 2 else None
    reading = any(d.status == "processing" for d in docs)
    batch_total, batches = BatchStore(store).page(ws, LIBRARY_BATCHES)
    # While documents are read the page refreshes itself, to the "Uploaded" notice and the
    # "Compare these two" offer (errors and "already in the library" are said once).
    refresh = "/?uploaded=" + quote(",".join(d.id for d in uploaded)) if uploaded else "/"
    return render(
        request, "pages/index.html", status, groups=_groups(docs), q=q, reading=reading,
        refresh=refresh, comparisons=comparisons, checks=checks,
        # A document's own batch takes all its versions; "every version" the listed ones.
        batches=batches, batch_total=batch_total, group_pairs=_pair_counts(everything),
        all_pairs=sum(_pair_counts(docs).values()), status_words=STATUS_WORDS,
        uploaded={d.id for d in uploaded},
        suggest=suggest, notices=notices or [], errors=errors or [],
        max_mb=settings.max_bytes // 2**20, max_chars=f"{settings.max_chars:,}",
        max_pages=f"{settings.max_chars // 3000:,}")  # about 3,000 characters a page


@router.get("/", response_class=HTMLResponse)
def index(request: Request, ws: Workspace, q: str | None = None,
          uploaded: str | None = None, deleted: str | None = None) -> HTMLResponse:
    store = service_of(request).store
    docs = []
    for doc_id in dict.fromkeys((uploaded or "").split(",")[:MAX_FILES]):  # each id once
        try:
            docs.append(store.get_document(ws, doc_id))
        except NotFound:
            continue
    notices = [f"Uploaded {len(docs)} document{'s' if len(docs) != 1 else ''}."] if docs else []
    if deleted:
        notices.append(f"Deleted {deleted[:200]}, with its comparisons and checks.")
    return _index(request, ws, q=(q or "").strip()[:200] or None, uploaded=docs,
                  notices=notices)


@router.post("/upload")
async def upload(request: Request, ws: Workspace,
                 files: Annotated[list[UploadFile], File()],
                 name: Annotated[str | None, Form(max_length=300)] = None) -> Response:
    files = [f for f in files if f.filename]
    if not files:
        raise UsageError("choose at least one file to upload")
    if len(files) > MAX_FILES:
        raise UsageError(f"upload at most {MAX_FILES} files at a time")
    settings: Settings = request.app.state.settings
    done: list[DocumentInfo] = []
    errors: list[str] = []
    known: list[str] = []
    for file in files:
        shown = file.filename or "upload"
        try:
            data = await read_upload(file, settings)
            info, created = await service_of(request).upload(
                ws, data, shown, name=name, wait=False)
            if not created:
                known.append(f"{shown}: the same file is already in the library as "
                             f"{info.name} · {info.version_label or info.filename}; "
                             "no copy was added.")
            done.append(info)
        except TermshiftError as exc:  # one bad file must not lose the others
            message = exc.message
            errors.append(message if message.startswith(shown) else f"{shown}: {message}")
    if errors or known:
        added = len(done) - len(known)
        notices = [f"Uploaded {added} of {len(files)} files.", *known] if done else []
        return await anyio.to_thread.run_sync(lambda: _index(
            request, ws, uploaded=done, notices=notices, errors=errors,
            status=422 if errors else 200))
    return RedirectResponse("/?uploaded=" + quote(",".join(d.id for d in done)), 303)


@router.post("/compare")
async def compare(request: Request, ws: Workspace,
                  doc: Annotated[list[str] | None, Form()] = None,
                  old: Annotated[str | None, Form()] = None,
                  new: Annotated[str | None, Form()] = None) -> Response:
    store = service_of(request).store
    if old and new:
        pair = [old, new]
    else:
        picked = [store.get_document(ws, d) for d in dict.fromkeys(doc or [])]
        if len(picked) != 2:
            raise UsageError(f"pick exactly two documents to compare ({len(picked)} picked)")
        pair = [d.id for d in sorted(picked, key=lambda d: (d.created_at, d.id))]
    record = await service_of(request).compare(ws, pair[0], pair[1])
    return RedirectResponse(f"/comparisons/{record.id}", 303)


def _downloads(base: str, formats: tuple[str, ...]) -> list[tuple[str, str]]:
    names = {"html": "HTML", "json": "JSON", "md": "Markdown",
             "docx": "Word (tracked changes)", "pdf": "PDF"}
    return [(names[f], f"{base}/download?format={f}") for f in formats]


@router.get("/comparisons/{comparison_id}", response_class=HTMLResponse)
async def comparison_page(request: Request, ws: Workspace, comparison_id: str) -> Response:
    service = service_of(request)
    record = await service.comparison(ws, comparison_id)
    html, _media = await anyio.to_thread.run_sync(
        service.comparison_text, ws, record, "html", f"/comparisons/{record.id}/triage")
    return _with_nav(request, html,
                     _downloads(f"/comparisons/{record.id}",
                                ("html", "json", "md", "docx", "pdf")),
                     swap=record.subject[::-1])


def _download(record: ReportRecord, fmt: str, stem: str,
              body: tuple[str, str] | None = None) -> Response:
    text, media = body or report_body(record, fmt)
    return Response(text, media_type=media, headers={
        **REPORT_HEADERS, "Content-Disposition": _attachment(f"{stem}.{fmt}")})


@router.get("/comparisons/{comparison_id}/download")
async def comparison_download(request: Request, ws: Workspace, comparison_id: str,
                              format: str = "html") -> Response:
    service = service_of(request)
    if format in BINARY_FORMATS:
        return await comparison_file_response(service, ws, comparison_id, format,
                                              REPORT_HEADERS)
    record = await service.comparison(ws, comparison_id)
    stem = await anyio.to_thread.run_sync(service.report_stem, ws, record.subject, "report")
    body = await anyio.to_thread.run_sync(service.comparison_text, ws, record, format)
    return _download(record, format, stem, body)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
async def document_page(request: Request, ws: Workspace, doc_id: str) -> Response:
    service = service_of(request)
    await service.ready(ws, doc_id)
    analysis = await anyio.to_thread.run_sync(service.store.load_analysis, ws, doc_id)
    downloads = [("JSON", f"/api/v1/documents/{doc_id}/clauses?format=json"),
                 ("original", f"/documents/{doc_id}/original")]
    return _with_nav(request, render_analysis(analysis, "html"), downloads)


@router.post("/documents/{doc_id}/delete")
def document_delete(request: Request, ws: Workspace, doc_id: str) -> Response:
    info = service_of(request).store.delete_document(ws, doc_id)
    return RedirectResponse("/?deleted=" + quote(info.filename[:200]), 303)


@router.get("/documents/{doc_id}/original")
def document_original(request: Request, ws: Workspace, doc_id: str) -> Response:
    return original_response(service_of(request).store, ws, doc_id)


@router.post("/checks")
async def check(request: Request, ws: Workspace,
                document: Annotated[str, Form(max_length=32)]) -> Response:
    record = await service_of(request).check(ws, document)
    return RedirectResponse(f"/checks/{record.id}", 303)


@router.get("/checks/{check_id}", response_class=HTMLResponse)
async def check_page(request: Request, ws: Workspace, check_id: str) -> Response:
    record = await service_of(request).check_report(ws, check_id)
    return _with_nav(request, record.html, _downloads(f"/checks/{record.id}",
                                                        ("html", "json", "md")))


@router.get("/checks/{check_id}/download")
async def check_download(request: Request, ws: Workspace, check_id: str,
                         format: str = "html") -> Response:
    service = service_of(request)
    record = await service.check_report(ws, check_id)
    stem = await anyio.to_thread.run_sync(service.report_stem, ws, record.subject[:1], "check")
    return _download(record, format, stem)


# Batches ------------------------------------------------------------------------------------

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str) -> str:
    return _UNSAFE_ID.sub("-", text).strip("._-")[:40] or "x"


def consecutive_pairs(docs: list[DocumentInfo]) -> list[BatchPair]:
    """Each document's versions in upload order, each with the next one (a version that
    could not be read is left out), named "<document>__<old version>__<new version>"."""
    pairs: list[BatchPair] = []
    seen: set[str] = set()
    for name, versions in _groups(docs):
        usable = [d for d in versions if d.status != "failed"]
        for old, new in itertools.pairwise(usable):
            base = "__".join(_slug(part) for part in (
                name, old.version_label or old.filename, new.version_label or new.filename))
            ident, n = base[:120], 2
            while ident in seen:  # two uploads under one label
                ident, n = f"{base[:120]}-{n}", n + 1
            seen.add(ident)
            pairs.append(BatchPair(ident, old.id, new.id))
    return pairs


@router.post("/batches")
async def batch_start(request: Request, ws: Workspace,
                      batch: Annotated[str, Form(max_length=320)] = "selected",
                      doc: Annotated[list[str] | None, Form()] = None,
                      q: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    """The library's batch buttons: `all` (the listed documents), `group:NAME` (one
    document's versions) or `selected` (the ticked versions); then the batch's page."""
    store = service_of(request).store
    if batch == "selected":
        ids = list(dict.fromkeys(doc or []))[:1000]
        docs = [await anyio.to_thread.run_sync(store.get_document, ws, d) for d in ids]
        none = ("tick at least two versions of one document to compare them in a batch "
                "(each ticked version is compared with the next)")
    elif batch == "all" or batch.startswith("group:"):
        name = batch.partition(":")[2] if batch != "all" else None
        found = await anyio.to_thread.run_sync(
            store.list_documents, ws, name or (q or "").strip() or None, 1000)
        docs = [d for d in found if name is None or d.name == name]
        none = ("no document here has two versions that could be read; upload another "
                "version first")
    else:
        raise UsageError(f"unknown batch choice {batch[:40]!r}: all, group:NAME or selected")
    pairs = consecutive_pairs(docs)
    if not pairs:
        raise UsageError(none)
    batch_id = await start_batch(request, ws, pairs)
    return RedirectResponse(f"/batches/{batch_id}", 303)


@router.get("/batches", response_class=HTMLResponse)
def batches_page(request: Request, ws: Workspace, offset: int = 0) -> HTMLResponse:
    offset = max(0, min(offset, 2**31 - 1))
    total, items = BatchStore(service_of(request).store).page(ws, BATCHES_PER_PAGE, offset)
    return render(request, "pages/batches.html", batches=items, total=total, offset=offset,
                  per_page=BATCHES_PER_PAGE, status_words=STATUS_WORDS)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(request: Request, ws: Workspace, batch_id: str,
                     sort: str | None = None, order: str | None = None,
                     offset: int = 0, limit: int | None = None) -> Response:
    """The batch's progress and table of pairs; for the page's script, JSON of the same
    (with `offset` and `limit`, of the pairs it has not seen finish)."""
    if _wants_json(request):
        offset = max(0, min(offset, MAX_PAIRS))
        limit = max(1, min(limit, MAX_PAIRS)) if limit is not None else None
        view = await batch_with_figures(request, ws, batch_id, offset, limit)
        return JSONResponse({**view, "status_text": status_text(view, view)},
                            headers={"Cache-Control": "no-store"})
    view = await batch_with_figures(request, ws, batch_id)
    line = status_text(view, view)
    labels = await anyio.to_thread.run_sync(runner_of(request).batches.labels, ws, batch_id)
    rows, sort, order = sort_rows(table_rows(view, labels), sort, order)
    names = sorted({n for n, _v in labels.values()}, key=str.lower)

    def sort_link(column: str) -> str:
        flip = "desc" if column == sort and order == "asc" else "asc"
        return "?" + urlencode({"sort": column, "order": flip})

    return render(request, "pages/batch.html", batch=view, status_line=line, rows=rows,
                  names=names, sort=sort, order=order, sort_link=sort_link,
                  columns=list(SORT_KEYS), active=view["status"] in ("queued", "running"))


@router.post("/batches/{batch_id}/cancel")
async def batch_cancel(request: Request, ws: Workspace, batch_id: str) -> Response:
    await anyio.to_thread.run_sync(runner_of(request).batches.cancel, ws, batch_id)
    return RedirectResponse(f"/batches/{batch_id}", 303)


@router.get("/batches/{batch_id}/download")
async def batch_page_download(request: Request, ws: Workspace, batch_id: str,
                              format: str = "zip", reports: str | None = None) -> Response:
    return await batch_download(request, ws, batch_id, format, (reports or "")[:40] or None)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "pages/login.html", message=None)


@router.post("/login")
def login(request: Request, key: Annotated[str, Form(max_length=200)]) -> Response:
    response = RedirectResponse("/", 303)
    try:
        sign_in(request, response, service_of(request).store, request.app.state.settings,
                key.strip())
    except AuthError as exc:
        return render(request, "pages/login.html", 401, message=exc.message)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", 303)
    sign_out(request, response, service_of(request).store)
    return response
