"""Who is asking: an API key names a workspace; with no key configured at all, the one
local workspace answers (and `serve` then listens on loopback only).

People on the pages sign in with a key once and then hold a session: the cookie carries a
random token (never the key), the store its hash (store/sessions.py). The cookie is
`HttpOnly` (no script reads it), `Secure` whenever the browser reached us over HTTPS (directly
or through a trusted proxy), and `SameSite=Lax`: a link to a report opened from mail or chat
arrives signed in, while another site's forms, frames and scripts never carry it; writes are
refused on their own when another site (or an opaque `Origin: null`) sends them (gate.py).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from analyzer.errors import AuthError
from analyzer.settings import Settings
from analyzer.store import LOCAL_WORKSPACE, Store, WorkspaceRef
from analyzer.store.sessions import end_session, session_workspace, start_session

COOKIE = "termshift_session"
# Before sessions the cookie held the API key itself; such a cookie is ignored and cleared.
OLD_COOKIE = "termshift_key"


class LoginRequired(Exception):
    """A page was asked for without a key while keys are configured: show the login page."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def workspace_for(store: Store, key: str | None) -> WorkspaceRef:
    if key:
        ws = store.workspace_for_key(key)
        if ws is None:
            raise AuthError("the API key is not known to this server")
        return ws
    if store.has_keys():
        raise AuthError("this server needs an API key: send 'Authorization: Bearer KEY' "
                        "(create one with `termshift keys create --workspace NAME`)")
    return store.workspace(LOCAL_WORKSPACE)


def page_workspace_for(store: Store, settings: Settings, token: str | None) -> WorkspaceRef:
    """The workspace of a page request: its live session's, or the local one when no key
    exists at all; otherwise an AuthError (sign in)."""
    if token:
        ws = session_workspace(store, token, idle=settings.session_idle_seconds,
                               max_age=settings.session_max_seconds)
        if ws is not None:
            return ws
    if store.has_keys():
        raise AuthError("sign in with an API key")
    return store.workspace(LOCAL_WORKSPACE)


def sign_in(request: Request, response: Response, store: Store, settings: Settings,
            key: str) -> WorkspaceRef:
    """Open a session for `key` and set its cookie on `response`; AuthError when the key is
    not known."""
    opened = start_session(store, key, idle=settings.session_idle_seconds,
                           max_age=settings.session_max_seconds)
    if opened is None:
        raise AuthError("the API key is not known to this server")
    token, ws = opened
    response.set_cookie(COOKIE, token, max_age=settings.session_max_seconds, path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(OLD_COOKIE, path="/")
    return ws


def sign_out(request: Request, response: Response, store: Store) -> None:
    """End the request's session in the store and clear its cookie."""
    token = request.cookies.get(COOKIE)
    if token:
        end_session(store, token)
    secure = request.url.scheme == "https"
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(OLD_COOKIE, path="/")


# Declares "Authorization: Bearer KEY" in the OpenAPI document, so /docs offers to send it;
# the key itself is checked by the gate before the body is read.
BEARER = HTTPBearer(auto_error=False, description="an API key from `termshift keys create`")


def api_workspace(request: Request,
                  _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
                  ) -> WorkspaceRef:
    """The workspace of an API call, found by the gate from its `Authorization` header."""
    ws: WorkspaceRef | None = getattr(request.state, "workspace", None)
    if ws is None:  # only routes the gate leaves open get here
        raise AuthError("this route needs an API key")
    return ws


def page_workspace(request: Request) -> WorkspaceRef:
    """The workspace of a page, found by the gate from the sign-in cookie."""
    ws: WorkspaceRef | None = getattr(request.state, "workspace", None)
    if ws is None:
        raise LoginRequired("sign in first")
    return ws
