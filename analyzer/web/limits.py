"""Request bodies are counted as they arrive: an upload above the limit is refused with 413
before the server has read it all (whatever Content-Length says, or when it is absent)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: `limits(path)` gives the byte limit and how to name it to the user."""

    def __init__(self, app: ASGIApp, limits: Any) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit, shown = self.limits(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, shown)
            return
        seen = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            # However the framework reports the aborted read, the client gets the 413.
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._refuse(send, shown)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, shown)

    @staticmethod
    async def _refuse(send: Send, shown: str) -> None:
        body = json.dumps({"error": {
            "code": "limit.request_size",
            "message": f"the request is larger than the limit of {shown}"}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
