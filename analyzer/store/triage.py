"""Triage of findings: a reviewer marks a finding reviewed, dismissed (with a reason) or
flagged, with an optional note; who and when are kept.

A verdict is stored under the two documents' content hashes and the finding's key, never
under a comparison id or a finding id ("f3"), which a new rendering of the same comparison
may number differently. The key is the finding's type and the texts of its old and new
clauses, hashed, so a verdict follows its finding through a re-comparison and an upgrade
that rebuilds the stored reports. A finding that no longer exists keeps its verdict here;
it is not shown, and comes back if the finding does.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analyzer.errors import InputError, NotFound, StoreError
from analyzer.store.repository import Store, WorkspaceRef, _hash_key
from analyzer.store.sessions import session_key_prefix
from analyzer.store.tables import ApiKey, StoredDocument, StoredTriage, utcnow

STATES = ("open", "reviewed", "dismissed", "flagged")
MAX_NOTE = 2000  # characters
MAX_REASON = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # PostgreSQL refuses NUL in text
_KEY = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Verdict:
    """One finding's stored triage."""

    key: str
    finding_type: str
    state: str
    reason: str | None
    note: str | None
    actor: str
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "state": self.state, "reason": self.reason,
                "note": self.note, "by": self.actor,
                "at": self.updated_at.isoformat(timespec="seconds") + "Z"}


def open_json(key: str) -> dict[str, Any]:
    """The triage object of a finding nobody has triaged yet."""
    return {"key": key, "state": "open", "reason": None, "note": None, "by": None, "at": None}


def is_finding_key(value: str) -> bool:
    return bool(_KEY.fullmatch(value))


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def finding_keys(findings: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Finding id -> key, for the findings of a `compare` result (the contract JSON).

    The key hashes the finding's type with its evidence: the texts of its old and new
    clauses as the finding quotes them (whitespace does not count). They are in the finding
    itself, so a stored result's long list of changes need not be read. Two findings that
    agree on all three (one sentence added in two places) are told apart by their order in
    the document, which a change of their severities (and so of the report's order) leaves
    as it was."""
    bases: dict[str, list[tuple[int, int, str]]] = {}
    for order, finding in enumerate(findings):
        evidence = finding.get("evidence") or {}
        base = "\x00".join((finding["type"], _words(evidence.get("old")),
                            _words(evidence.get("new"))))
        bases.setdefault(base, []).append((_place(finding), order, finding["id"]))
    keys: dict[str, str] = {}
    for base, found in bases.items():
        for ordinal, (_, _, finding_id) in enumerate(sorted(found), start=1):
            text = f"{base}\x00{ordinal}"
            keys[finding_id] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return keys


def _place(finding: Mapping[str, Any]) -> int:
    """Where a finding sits in the document: the number of its clause ("c42": 42), new
    version first; a finding on several clauses sits at the first."""
    for key, several in (("new_clause", "new_clauses"), ("old_clause", "old_clauses")):
        clause = finding.get(key) or next(iter(finding.get(several) or ()), None)
        digits = "".join(ch for ch in str(clause or "") if ch.isdigit())
        if digits:
            return int(digits) + (0 if key == "new_clause" else 10**9)
    return 2 * 10**9


def summarise(states: Iterable[str]) -> dict[str, int]:
    """How many findings are in each state, and how many there are."""
    counts = Counter(states)
    return {"findings": sum(counts.values()), **{s: counts.get(s, 0) for s in STATES}}


def _text(value: str | None, limit: int, what: str, code: str) -> str | None:
    if value is None:
        return None
    cleaned = _CONTROL.sub(" ", value).strip()
    if len(cleaned) > limit:
        raise InputError(f"{what} holds at most {limit:,} characters, not {len(cleaned):,}; "
                         "shorten it", code=code)
    return cleaned or None


def _verdict(row: StoredTriage) -> Verdict:
    return Verdict(key=row.finding_key, finding_type=row.finding_type, state=row.state,
                   reason=row.reason, note=row.note, actor=row.actor,
                   updated_at=row.updated_at)


class TriageStore:
    """The triage table, over the store's sessions; every call names its workspace."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def content_hashes(self, ws: WorkspaceRef, old_id: str, new_id: str) -> tuple[str, str]:
        """The SHA-256 of a comparison's two documents, which its verdicts are kept under."""
        with self.store.session() as s:
            rows = s.execute(select(StoredDocument.id, StoredDocument.sha256).where(
                StoredDocument.workspace_id == ws.id, StoredDocument.id.in_((old_id, new_id))))
            found = {row.id: row.sha256 for row in rows}
        if old_id not in found or new_id not in found:
            raise NotFound("the comparison's documents are not in this workspace")
        return found[old_id], found[new_id]

    def verdicts(self, ws: WorkspaceRef, old_sha256: str, new_sha256: str
                 ) -> dict[str, Verdict]:
        """Finding key -> verdict, for every finding of this pair of documents ever triaged
        in the workspace (also those of findings that no longer exist)."""
        with self.store.session() as s:
            rows = s.scalars(select(StoredTriage).where(
                StoredTriage.workspace_id == ws.id, StoredTriage.old_sha256 == old_sha256,
                StoredTriage.new_sha256 == new_sha256))
            return {row.finding_key: _verdict(row) for row in rows}

    def set(self, ws: WorkspaceRef, old_sha256: str, new_sha256: str, *, key: str,
            finding_type: str, state: str, reason: str | None, note: str | None,
            actor: str) -> Verdict:
        """Record a finding's state (replacing the one before). A dismissal needs a reason;
        notes and reasons have a length limit. "open" clears a verdict, keeping who did it."""
        if state not in STATES:
            raise InputError(f"a finding's state is one of {', '.join(STATES)}, not "
                             f"{state[:40]!r}", code="triage.bad_state")
        note = _text(note, MAX_NOTE, "a note", "limit.triage_note")
        reason = _text(reason, MAX_REASON, "a reason", "limit.triage_reason")
        if state != "dismissed":
            reason = None
        elif reason is None:
            raise InputError("a dismissal needs a reason: say why this finding does not "
                             "matter", code="triage.reason_required")
        for _attempt in range(2):
            try:
                with self.store.session() as s:
                    row = s.scalar(select(StoredTriage).where(
                        StoredTriage.workspace_id == ws.id,
                        StoredTriage.old_sha256 == old_sha256,
                        StoredTriage.new_sha256 == new_sha256,
                        StoredTriage.finding_key == key))
                    if row is None:
                        row = StoredTriage(workspace_id=ws.id, old_sha256=old_sha256,
                                           new_sha256=new_sha256, finding_key=key)
                        s.add(row)
                    row.finding_type = finding_type[:64]
                    row.state, row.reason, row.note = state, reason, note
                    row.actor, row.updated_at = actor[:200], utcnow()
                    s.flush()
                    return _verdict(row)
            except IntegrityError:  # the same finding triaged twice at once: update it
                continue
        raise StoreError("cannot save the triage of this finding")

    def actor(self, ws: WorkspaceRef, key: str | None) -> str:
        """Who is acting, as a verdict records it: the prefix, as `termshift keys list` shows
        it, of the key given or of the key behind a page's session token (never the key),
        else the workspace's name (the local mode)."""
        if key:
            with self.store.session() as s:
                prefix = s.scalar(select(ApiKey.prefix).where(
                    ApiKey.key_hash == _hash_key(key), ApiKey.workspace_id == ws.id))
            if prefix is None:  # a page's sign-in cookie holds a session token
                prefix = session_key_prefix(self.store, key)
            if prefix:
                return f"key {prefix}"
        return ws.name
