"""Who may ask, decided before a request body is read.

- An API call's key (or a page's session cookie) is checked first: a stranger cannot make the
  server read a large body. The workspace found is handed to the routes in the scope.
- With no key configured (the local mode), only a loopback Host is served, which defeats DNS
  rebinding. Writes from other sites (or from an opaque origin, `Origin: null`: a sandboxed
  frame, a data: URL) are refused on every page form, and on the API when no key protects it.
- A server listening beyond loopback whose keys were all revoked refuses everything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from analyzer.errors import AuthError
from analyzer.settings import Settings
from analyzer.store import Store, WorkspaceRef
from analyzer.web.auth import COOKIE, OLD_COOKIE, is_loopback, page_workspace_for, workspace_for

OPEN_PATHS = ("/docs", "/openapi.json", "/static-offline-docs", "/login", "/logout")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookie(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"') or None
    return None


def _host_name(host: str) -> str:
    return urlsplit("//" + host).hostname or ""


class WorkspaceGate:
    def __init__(self, app: ASGIApp, store: Callable[[], Store], bind_host: str,
                 settings: Settings) -> None:
        self.app = app
        self.store = store
        self.settings = settings
        self.bind_host = bind_host
        self.public = not is_loopback(bind_host)
        self._keys_seen: tuple[float, bool] = (0.0, False)

    async def _has_keys(self) -> bool:
        # Looked up at most once a second: a key created meanwhile takes effect at once after.
        seen_at, value = self._keys_seen
        if time.monotonic() - seen_at > 1.0:
            value = await anyio.to_thread.run_sync(self.store().has_keys)
            self._keys_seen = (time.monotonic(), value)
        return value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = _headers(scope)
        api = path.startswith("/api/")
        keyed = await self._has_keys()
        if not keyed and self.public:
            # Listening beyond loopback and every key was revoked: never fall back to the
            # key-less local mode, which anyone who can reach the port would then be in.
            await _refuse(send, api, 503, "auth.no_keys",
                          "this server has no API key left; create one with "
                          "`termshift keys create --workspace NAME`")
            return
        if not keyed:
            host = _host_name(headers.get("host", ""))
            if not is_loopback(host):
                await _refuse(send, api, 421, "http.misdirected",
                              "this server answers only on its loopback address")
                return
        # Cross-site writes: pages always (their sign-in cookie would ride along), the API
        # when no key protects it (a bearer key is never sent by another site's page).
        if scope["method"] in WRITE_METHODS and (not api or not keyed) and _cross_site(headers):
            await _refuse(send, api, 403, "http.cross_site",
                          "a request sent by another site was refused")
            return
        if path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        cookies = headers.get("cookie")
        try:
            ws: WorkspaceRef
            if api:
                key, problem = _bearer(headers.get("authorization"))
                if problem:
                    raise AuthError(problem)
                ws = await anyio.to_thread.run_sync(workspace_for, self.store(), key)
            else:
                ws = await anyio.to_thread.run_sync(
                    page_workspace_for, self.store(), self.settings, _cookie(cookies, COOKIE))
        except AuthError as exc:
            if api:
                await _refuse(send, True, 401, exc.code, exc.message,
                              [(b"www-authenticate", b"Bearer")])
            else:  # an ended session's cookie, or an old one holding a key, is cleared
                stale = [name for name in (COOKIE, OLD_COOKIE) if _cookie(cookies, name)]
                await _redirect(send, "/login", [
                    (b"set-cookie", f"{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
                     .encode()) for name in stale])
            return
        scope.setdefault("state", {})["workspace"] = ws
        await self.app(scope, receive, send)


def _bearer(header: str | None) -> tuple[str | None, str | None]:
    if header is None:
        return None, None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None, "the Authorization header must be 'Bearer KEY'"
    return value.strip(), None


def _cross_site(headers: dict[str, str]) -> bool:
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = headers.get("origin")
    if not origin:
        return False
    # "null" is an opaque origin (a sandboxed frame, a data: or file: page, a redirect
    # across sites): nothing that can be told apart from an attack.
    return origin.strip().lower() == "null" or urlsplit(origin).netloc != headers.get("host")


async def _refuse(send: Send, api: bool, status: int, code: str, message: str,
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    if api:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        kind = b"application/json"
    else:
        body = (f"<!doctype html><title>{status}</title><p>{message}</p>").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str,
                    extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"content-length", b"0"),
                            (b"connection", b"close"), *(extra or [])]})
    await send({"type": "http.response.body", "body": b""})
