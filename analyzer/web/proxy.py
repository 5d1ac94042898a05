"""Requests through a reverse proxy: whose X-Forwarded-Proto and X-Forwarded-For are believed.

A proxy that ends TLS talks to the server over plain HTTP, so only its headers can say that
the browser used HTTPS (and the sign-in cookie must then be `Secure`). Anyone can send those
headers, so they are read only from the peers listed in TERMSHIFT_TRUSTED_PROXIES; by default
no one is trusted and the connection itself decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "192.0.2.1:8080"
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(peer: str | None, networks: Sequence[Network]) -> bool:
    address = _address(peer or "")
    return address is not None and any(address in network for network in networks)


def forwarded_client(header: str, networks: Sequence[Network]) -> str | None:
    """The client an X-Forwarded-For chain names: the right-most hop that is not one of our
    own proxies (hops further left were written by whoever the client is, so not believed)."""
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return _shown(hop)
    return _shown(hops[0]) if hops else None


def _shown(hop: str) -> str | None:
    address = _address(hop)
    return str(address) if address is not None else None


class TrustedProxies:
    """ASGI middleware: for a request from a trusted proxy, the scheme and client address
    become what the proxy says; from anyone else, the forwarded headers are ignored."""

    def __init__(self, app: ASGIApp, networks: Sequence[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.networks:
            client = scope.get("client")
            if client and is_trusted(client[0], self.networks):
                scope = dict(scope)
                headers = {k.lower(): v.decode("latin-1") for k, v in scope["headers"]}
                # The proxy nearest the browser states the scheme the browser used.
                proto = headers.get(b"x-forwarded-proto", "").split(",")[0].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
                forwarded = forwarded_client(headers.get(b"x-forwarded-for", ""), self.networks)
                if forwarded:
                    scope["client"] = (forwarded, 0)
        await self.app(scope, receive, send)
