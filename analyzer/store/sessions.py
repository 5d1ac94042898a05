"""Sign-in sessions of the web pages: the cookie holds a random token, the store its SHA-256.

A session belongs to the API key that opened it: revoking the key deletes its sessions (a
foreign key with ON DELETE CASCADE, and every lookup joins the key, so a session can never
outlive it). A session ends when signed out, after `idle` seconds without a request, or
`max_age` seconds after sign-in, whichever comes first. The limits are applied when a
session is looked up, so lowering them takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from analyzer.store.repository import Store, WorkspaceRef
from analyzer.store.tables import ApiKey, Base, Workspace, utcnow

TOKEN_BYTES = 32
# last_seen_at is written at most this often, so browsing does not write on every page.
TOUCH_SECONDS = 60


class StoredSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_api_key_id", "api_key_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("api_keys.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _expired(now: datetime, idle: int, max_age: int) -> ColumnElement[bool]:
    return or_(StoredSession.last_seen_at < now - timedelta(seconds=idle),
               StoredSession.created_at < now - timedelta(seconds=max_age))


def start_session(store: Store, key: str, *, idle: int, max_age: int
                  ) -> tuple[str, WorkspaceRef] | None:
    """A new session for an API key: (token for the cookie, workspace); None for an unknown
    key. Expired sessions of every key are cleared on the way."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    with store.session() as s:
        row = s.execute(
            select(ApiKey.id, Workspace.id.label("ws_id"), Workspace.name)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(ApiKey.key_hash == hashlib.sha256(key.encode("utf-8")).hexdigest())
        ).first()
        if row is None:
            return None
        s.execute(delete(StoredSession).where(_expired(now, idle, max_age)))
        s.add(StoredSession(token_hash=_hash(token), api_key_id=row.id, created_at=now,
                            last_seen_at=now))
        return token, WorkspaceRef(row.ws_id, row.name)


def session_workspace(store: Store, token: str, *, idle: int, max_age: int
                      ) -> WorkspaceRef | None:
    """The workspace of a live session, which counts as a request; None when the token is
    unknown, expired or its key was revoked."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    digest = _hash(token)
    with store.session() as s:
        row = s.execute(
            select(StoredSession.created_at, StoredSession.last_seen_at,
                   Workspace.id, Workspace.name)
            .join(ApiKey, ApiKey.id == StoredSession.api_key_id)
            .join(Workspace, Workspace.id == ApiKey.workspace_id)
            .where(StoredSession.token_hash == digest)
        ).first()
        if row is None:
            return None
        if (row.last_seen_at < now - timedelta(seconds=idle)
                or row.created_at < now - timedelta(seconds=max_age)):
            s.execute(delete(StoredSession).where(StoredSession.token_hash == digest))
            return None
        if row.last_seen_at < now - timedelta(seconds=TOUCH_SECONDS):
            s.execute(update(StoredSession).where(StoredSession.token_hash == digest)
                      .values(last_seen_at=now))
        return WorkspaceRef(row.id, row.name)


def session_key_prefix(store: Store, token: str) -> str | None:
    """The prefix (as `termshift keys list` shows it) of the key that opened a session: who
    acts on a page, without the key itself; None for an unknown token."""
    if not token or len(token) > 200:
        return None
    with store.session() as s:
        return s.scalar(select(ApiKey.prefix)
                        .join(StoredSession, StoredSession.api_key_id == ApiKey.id)
                        .where(StoredSession.token_hash == _hash(token)))


def end_session(store: Store, token: str) -> bool:
    """Sign out: the session is deleted; True when there was one."""
    if not token or len(token) > 200:
        return False
    with store.session() as s:
        result = s.execute(delete(StoredSession).where(StoredSession.token_hash == _hash(token)))
        return bool(getattr(result, "rowcount", 0))


def count_sessions(store: Store) -> int:
    """How many sessions are kept (live, or ended and not yet cleared)."""
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(StoredSession)) or 0)
