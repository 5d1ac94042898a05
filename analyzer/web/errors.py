"""Errors as the API promises them: `{"error": {"code", "message"}}` with a 4xx status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from analyzer.errors import (
    AuthError,
    InputError,
    LimitExceeded,
    NotFound,
    NotReady,
    RuleError,
    StoreError,
    TermshiftError,
    UsageError,
)
from analyzer.web.auth import LoginRequired
from analyzer.web.pages import error_page

log = logging.getLogger("termshift.web")


def status_of(exc: TermshiftError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotReady):
        return 409
    if isinstance(exc, AuthError):
        return 401
    if isinstance(exc, LimitExceeded):
        return 413 if exc.limit == "file size" else 422
    if isinstance(exc, InputError) and exc.code == "ingest.unsupported_format":
        return 415  # not a document at all (an image, an archive, a program)
    if isinstance(exc, InputError | RuleError):
        return 422
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, StoreError):
        return 503
    return 400


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def _wants_page(request: Request) -> bool:
    """An error page for a page, JSON for the API and for a page's script (which asks
    for JSON: the report's triage controls)."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


def _page(request: Request, status: int, message: str) -> Response:
    return error_page(request, status, message)


def _methods_of(app: FastAPI, path: str) -> list[str]:
    """The methods the API's published paths answer on this path (Starlette's 405 names
    only the first route that matched, e.g. POST of POST and GET /documents)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(TermshiftError)
    async def termshift_error(request: Request, exc: TermshiftError) -> Response:
        status = status_of(exc)
        if isinstance(exc, StoreError):  # its message names the database and folders
            log.error("store error on %s %s: %s", request.method, request.url.path, exc)
            exc = StoreError("the store is unavailable; the server log has the details")
        if _wants_page(request):
            return _page(request, status, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(exc.code, exc.message), status, headers=headers)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "request failed"
        if _wants_page(request) and exc.status_code != 405:
            return _page(request, exc.status_code, message)
        headers = dict(getattr(exc, "headers", None) or {})
        allowed = _methods_of(app, request.url.path) if exc.status_code == 405 else []
        if allowed:  # every method of the path, not just one route's
            headers["Allow"] = ", ".join(allowed)
        return JSONResponse(error_body(f"http.{exc.status_code}", message), exc.status_code,
                            headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        message = "; ".join(problems) or "the request is not valid"
        if _wants_page(request):
            return _page(request, 422, message)
        return JSONResponse(error_body("request.invalid", message), 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "the server failed on this request; the error is in the server log"
        if _wants_page(request):
            return _page(request, 500, message)
        return JSONResponse(error_body("internal", message), 500)
