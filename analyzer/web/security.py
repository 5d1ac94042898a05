"""Response headers: every page is served under the same strict policy its HTML declares
(only our own inline style and scripts, by hash), plus framing and sniffing protections.
The API docs pages (Swagger UI, served from the package) get a policy of their own, and an
uploaded original is sent as an inert download."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analyzer.report.render import content_security_policy

REPORT_HEADERS = {
    "Content-Security-Policy": content_security_policy() + "; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # No address of ours goes to another site; our own forms keep their Origin (with
    # no-referrer, Chromium sends "Origin: null" on a same-site form post, which the gate
    # must refuse as an opaque origin).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# An uploaded original is someone else's bytes: never sniffed into HTML, never run.
ORIGINAL_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}

DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def docs_policy(html: bytes) -> str:
    """The policy of a docs page: its scripts and styles from this server, its own inline
    scripts by hash, requests to this server only (the "Try it out" button)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html))
    return ("default-src 'none'; script-src 'self' " + hashes + "; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


class DocsPolicy:
    """ASGI middleware: the docs pages get a Content-Security-Policy made from their own
    inline scripts (the HTML comes from fastapi-offline, so it is hashed as served)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in DOCS_PATHS:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", [])
                       if k.lower() not in (b"content-security-policy", b"content-length")]
            extra = {"Content-Security-Policy": docs_policy(body), **_DOCS_HEADERS}
            headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


_DOCS_HEADERS = {key: value for key, value in REPORT_HEADERS.items()
                 if key != "Content-Security-Policy"}
