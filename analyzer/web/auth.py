"""Who is asking: an API key names a workspace; with no key configured at all, the one
local workspace answers (and `serve` then listens on loopback only)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from analyzer.errors import AuthError
from analyzer.store import LOCAL_WORKSPACE, Store, WorkspaceRef

COOKIE = "termshift_key"


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
