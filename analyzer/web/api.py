"""The HTTP API under /api/v1 (CONTRACT.md, "HTTP API"). No analysis logic here: every
route reads its input, calls the service and renders what it returns."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from analyzer.errors import LimitExceeded, StoreError, UsageError
from analyzer.report.render import BINARY_FORMATS, render_analysis, render_timeline
from analyzer.settings import Settings
from analyzer.store import DocumentInfo, ReportRecord, Store, WorkspaceRef
from analyzer.web.auth import api_workspace
from analyzer.web.security import ORIGINAL_HEADERS, REPORT_HEADERS
from analyzer.web.service import Service


class ErrorBody(BaseModel):
    code: str = Field(description=(
        "a stable code: usage.invalid, request.invalid, ingest.unreadable, rules.invalid, "
        "limit.exceeded or limit.<name> (limit.request_size, ...), store.not_found, "
        "document.processing, auth.invalid_key, http.cross_site, http.misdirected, "
        "http.request, store.unavailable, triage.bad_state, triage.reason_required"))
    message: str = Field(description="one line saying what went wrong and what to do")


class ErrorOut(BaseModel):
    """Every error of the API: a 4xx status with this body."""

    error: ErrorBody


_ERROR = {"model": ErrorOut}
# The statuses analyzer.web.errors.status_of and the request gate answer with.
router = APIRouter(prefix="/api/v1", responses={
    400: {**_ERROR, "description": "a request that cannot be done as asked (usage.invalid)"},
    401: {**_ERROR, "description": "a missing or wrong key (auth.invalid_key)"},
    403: {**_ERROR, "description": "a write from another site, or a host name not served"},
    404: {**_ERROR, "description": "no such object in this workspace (store.not_found)"},
    409: {**_ERROR, "description": "the document is still being read (document.processing)"},
    413: {**_ERROR, "description": "the request body or file is over its size limit"},
    415: {**_ERROR, "description": "a file that is not a document: an image, an archive, a "
                                    "program (ingest.unsupported_format)"},
    422: {**_ERROR, "description": "input that cannot be read, or over a limit other than "
                                    "size; the message names which"},
    503: {**_ERROR, "description": "the store is unavailable (store.unavailable)"},
})
Workspace = Annotated[WorkspaceRef, Depends(api_workspace)]
FormatParam = Annotated[str | None, Query(alias="format", pattern="^(json|html|md)$",
                                          description="json, html or md; else by Accept")]
# Clause lists and timelines come as JSON or HTML only: the schema says so.
PageFormatParam = Annotated[str | None, Query(alias="format", pattern="^(json|html)$",
                                              description="json or html; else by Accept")]
# A comparison also comes as a Word document with tracked changes, or a PDF.
ComparisonFormatParam = Annotated[
    str | None, Query(alias="format", pattern="^(json|html|md|docx|pdf)$",
                      description="json, html or md; docx (the new version with tracked "
                                  "changes and the findings as comments) or pdf; "
                                  "else by Accept")]
REPORT_FORMATS = ("json", "html", "md")
COMPARISON_FORMATS = (*REPORT_FORMATS, *BINARY_FORMATS)
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8",
         "md": "text/markdown; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf"}


def bodies(*formats: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The media types a route answers with, declared in the OpenAPI document."""
    return {status: {"description": "the result, as asked by ?format= or Accept",
                     "content": {MEDIA[f].split(";")[0]: {} for f in formats}}}


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def pick_format(request: Request, fmt: str | None, allowed: tuple[str, ...]) -> str:
    """`?format=` first, then the Accept header, then JSON."""
    if fmt is None:
        accept = request.headers.get("accept", "")
        if "text/html" in accept:
            fmt = "html"
        elif "text/markdown" in accept:
            fmt = "md"
        else:
            fmt = "json"
    if fmt not in allowed:
        raise UsageError(f"this result comes as {', '.join(allowed)}, not {fmt!r}")
    return fmt


def report_body(record: ReportRecord, fmt: str) -> tuple[str, str]:
    """A stored report's text and media type in one format (JSON gets its id first)."""
    if fmt == "html":
        return record.html, MEDIA["html"]
    if fmt == "md":
        if record.markdown is None:  # a check stored before Markdown was kept
            raise UsageError("this report was stored without Markdown; run the check again")
        return record.markdown, MEDIA["md"]
    if fmt == "json":
        return with_id(record), MEDIA["json"]
    raise UsageError(f"this report comes as html, json or md, not {fmt!r}")


def with_id(record: ReportRecord) -> str:
    """The stored JSON with `"id"` as its first key, spliced in rather than parsed and
    dumped again: a cached comparison is served as it was stored."""
    body = record.result_json
    if not body.startswith("{\n"):  # every result is rendered as an indented JSON object
        raise StoreError(f"the stored result {record.id} cannot be read")
    return "{\n  \"id\": " + json.dumps(record.id) + "," + body[1:]


def report_response(record: ReportRecord, fmt: str, status: int = 200,
                    location: str | None = None, body: tuple[str, str] | None = None
                    ) -> Response:
    """A stored report; `body` (text, media type) when it was made already (a comparison
    with its triage)."""
    headers = {"X-Termshift-Id": record.id}
    if location:
        headers["Location"] = location
    if fmt == "html":
        headers.update(REPORT_HEADERS)
    text, media = body or report_body(record, fmt)
    return Response(text, status, headers=headers, media_type=media)


async def comparison_response(service: Service, ws: WorkspaceRef, record: ReportRecord,
                              fmt: str, status: int = 200,
                              location: str | None = None) -> Response:
    """A comparison's report with its findings' triage (read-only in HTML)."""
    body = await anyio.to_thread.run_sync(service.comparison_text, ws, record, fmt)
    return report_response(record, fmt, status, location, body)


class DocumentOut(BaseModel):
    id: str
    sha256: str
    name: str
    version_label: str | None
    filename: str
    format: str
    title: str
    size: int
    status: str = Field(description="processing, ready or failed")
    error: dict[str, str] | None = Field(None, description="why a failed parse failed")
    page_count: int | None
    clause_count: int | None
    created_at: str
    existing: bool = Field(False, description="true when the same bytes were uploaded before")


def _out(info: DocumentInfo, existing: bool = False) -> dict[str, Any]:
    return {**info.to_json(), "existing": existing}


@router.post("/documents", tags=["documents"],
             status_code=201, response_model=DocumentOut,
             summary="Upload a document (the same bytes again return the same id)")
async def upload_document(
    request: Request, ws: Workspace,
    file: Annotated[UploadFile, File(description="PDF, HTML, DOCX, Markdown or text")],
    name: Annotated[str | None, Form(max_length=300)] = None,
    version_label: Annotated[str | None, Form(max_length=200)] = None,
    wait: Annotated[bool, Query(description="answer after the parse (default), so the "
                                "reply has clause_count and a parse error is a 422; false: "
                                "answer at once with status processing")] = True,
) -> JSONResponse:
    settings: Settings = request.app.state.settings
    parts = len((await request.form()).getlist("file"))  # parsed once already: cached
    if parts > 1:
        raise UsageError(f"one file per upload, got {parts} `file` parts: send each on its own")
    data = await read_upload(file, settings)
    info, created = await service_of(request).upload(
        ws, data, file.filename or "upload", name=name, version_label=version_label,
        wait=wait)
    return JSONResponse(_out(info, existing=not created), 201,
                        headers={"Location": f"/api/v1/documents/{info.id}"})


async def read_upload(file: UploadFile, settings: Settings) -> bytes:
    """The bytes of one uploaded file, refused past TERMSHIFT_MAX_BYTES without reading on."""
    if file.size is not None and file.size > settings.max_bytes:
        raise LimitExceeded("file size", file.size, settings.max_bytes, "TERMSHIFT_MAX_BYTES")
    data = await file.read(settings.max_bytes + 1)
    if len(data) > settings.max_bytes:
        raise LimitExceeded("file size", len(data), settings.max_bytes, "TERMSHIFT_MAX_BYTES")
    return data


@router.get("/documents", tags=["documents"],
             summary="List documents (optionally matching q)")
def list_documents(request: Request, ws: Workspace,
                   q: Annotated[str | None, Query(max_length=200)] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                   offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> dict[str, Any]:
    docs = service_of(request).store.list_documents(ws, q, limit, offset)
    return {"documents": [d.to_json() for d in docs]}


@router.get("/documents/{doc_id}", tags=["documents"],
             response_model=DocumentOut, summary="Document metadata")
def get_document(request: Request, ws: Workspace, doc_id: str) -> dict[str, Any]:
    return _out(service_of(request).store.get_document(ws, doc_id))


@router.delete("/documents/{doc_id}", tags=["documents"], status_code=204,
                summary="Delete a document, its comparisons and checks, and its original")
def delete_document(request: Request, ws: Workspace, doc_id: str) -> Response:
    service_of(request).store.delete_document(ws, doc_id)
    return Response(status_code=204)


@router.get("/documents/{doc_id}/clauses", tags=["documents"],
            responses=bodies("json", "html"),
             summary="The document's clauses (analyze JSON)")
async def get_clauses(request: Request, ws: Workspace, doc_id: str,
                      fmt: PageFormatParam = None) -> Response:
    chosen = pick_format(request, fmt, ("json", "html"))
    service = service_of(request)
    await service.ready(ws, doc_id)
    analysis = await anyio.to_thread.run_sync(service.store.load_analysis, ws, doc_id)
    text = render_analysis(analysis, chosen)
    if chosen == "html":
        return HTMLResponse(text, headers=REPORT_HEADERS)
    return Response(text, media_type=MEDIA["json"])


@router.get("/documents/{doc_id}/original", tags=["documents"], response_class=Response,
            responses={200: {"description": "the bytes as uploaded",
                             "content": {"application/octet-stream": {}}}},
             summary="The uploaded bytes, unchanged")
def get_original(request: Request, ws: Workspace, doc_id: str) -> Response:
    return original_response(service_of(request).store, ws, doc_id)


def original_response(store: Store, ws: WorkspaceRef, doc_id: str) -> Response:
    """The uploaded bytes as a download under their original file name."""
    info = store.get_document(ws, doc_id)
    return Response(store.original(ws, doc_id), media_type="application/octet-stream",
                    headers={"Content-Disposition": _attachment(info.filename),
                             **ORIGINAL_HEADERS})


def _attachment(filename: str) -> str:
    """A Content-Disposition for any file name: an ASCII fallback plus the UTF-8 name."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                       for c in filename)[:150] or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename[:150])}"


class ComparisonIn(BaseModel):
    old: str = Field(max_length=32, description="id of the older version")
    new: str = Field(max_length=32, description="id of the newer version")


@router.post("/comparisons", tags=["comparisons"],
             responses=bodies(*REPORT_FORMATS, status=201),
             status_code=201, summary="Compare two stored documents")
async def create_comparison(request: Request, ws: Workspace, body: ComparisonIn,
                            fmt: FormatParam = None) -> Response:
    chosen = pick_format(request, fmt, REPORT_FORMATS)
    service = service_of(request)
    record = await service.compare(ws, body.old, body.new)
    return await comparison_response(service, ws, record, chosen, 201,
                                     location=f"/api/v1/comparisons/{record.id}")


@router.get("/comparisons/{comparison_id}", tags=["comparisons"],
            responses=bodies(*COMPARISON_FORMATS),
             summary="A comparison report")
async def get_comparison(request: Request, ws: Workspace, comparison_id: str,
                         fmt: ComparisonFormatParam = None) -> Response:
    chosen = pick_format(request, fmt, COMPARISON_FORMATS)
    if chosen in BINARY_FORMATS:
        return await comparison_file_response(service_of(request), ws, comparison_id, chosen)
    service = service_of(request)
    record = await service.comparison(ws, comparison_id)
    return await comparison_response(service, ws, record, chosen)


async def comparison_file_response(service: Service, ws: WorkspaceRef, comparison_id: str,
                                   fmt: str, headers: dict[str, str] | None = None
                                   ) -> Response:
    """A comparison as a .docx or .pdf attachment named after the document and versions."""
    record, body = await service.comparison_file(ws, comparison_id, fmt)
    stem = await anyio.to_thread.run_sync(service.report_stem, ws, record.subject, "report")
    return Response(body, media_type=MEDIA[fmt], headers={
        **(headers or {}), "X-Termshift-Id": record.id,
        "Content-Disposition": _attachment(f"{stem}.{fmt}")})


class CheckIn(BaseModel):
    document: str = Field(max_length=32, description="id of a stored agent policy")
    controls: str | None = Field(None, max_length=1_000_000,
                                 description="a control baseline as YAML; default: built-in")


@router.post("/checks", tags=["checks"], responses=bodies(*REPORT_FORMATS, status=201),
             status_code=201, summary="Check a policy against controls")
async def create_check(request: Request, ws: Workspace, body: CheckIn,
                       fmt: FormatParam = None) -> Response:
    chosen = pick_format(request, fmt, REPORT_FORMATS)
    record = await service_of(request).check(ws, body.document, body.controls)
    return report_response(record, chosen, 201, location=f"/api/v1/checks/{record.id}")


@router.get("/checks/{check_id}", tags=["checks"], responses=bodies(*REPORT_FORMATS),
             summary="A policy check report")
async def get_check(request: Request, ws: Workspace, check_id: str,
                    fmt: FormatParam = None) -> Response:
    chosen = pick_format(request, fmt, REPORT_FORMATS)
    return report_response(await service_of(request).check_report(ws, check_id), chosen)


class TimelineIn(BaseModel):
    documents: list[str] = Field(min_length=2, max_length=50,
                                 description="document ids, oldest first")


@router.post("/timelines", tags=["timelines"], responses=bodies("json", "html"),
             summary="One document's history over stored versions")
async def create_timeline(request: Request, ws: Workspace, body: TimelineIn,
                          fmt: PageFormatParam = None) -> Response:
    chosen = pick_format(request, fmt, ("json", "html"))
    timeline = await service_of(request).timeline(ws, body.documents)
    text = render_timeline(timeline, chosen)
    if chosen == "html":
        return HTMLResponse(text, headers=REPORT_HEADERS)
    return Response(text, media_type=MEDIA["json"])
