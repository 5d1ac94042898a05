"""Batches of comparisons kept in the store: a batch, its pairs in order, each pair's outcome.

A batch belongs to a workspace like every other object: another workspace's batch is not
found. Its pairs are run by the web service one after another; a pair that is finished
keeps its outcome, so a server that stops mid-batch carries on from the first queued pair.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from analyzer.errors import NotFound
from analyzer.store.repository import Store, WorkspaceRef
from analyzer.store.tables import Base, StoredComparison, StoredDocument, Workspace, utcnow

_BATCH_ID = re.compile(r"bat_[0-9a-f]{16}")
ACTIVE = ("queued", "running")


class StoredBatch(Base):
    """One batch: queued -> running -> done | failed, or cancelled."""

    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_status", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredBatchItem(Base):
    """One pair of a batch: queued -> ok | failed, or cancelled; documents by id."""

    __tablename__ = "batch_items"
    __table_args__ = (
        UniqueConstraint("batch_id", "pair_id", name="uq_batch_items_pair"),
        Index("ix_batch_items_batch_position", "batch_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    pair_id: Mapped[str] = mapped_column(String(128))
    old_id: Mapped[str] = mapped_column(String(32))
    new_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    comparison_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counts: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, by severity
    highest: Mapped[str | None] = mapped_column(String(16), nullable=True)
    top_finding: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class BatchPair:
    id: str
    old: str
    new: str


class BatchStore:
    """The batch tables, over the store's sessions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, ws: WorkspaceRef, pairs: list[BatchPair]) -> str:
        batch_id = "bat_" + secrets.token_hex(8)
        with self.store.session() as s:
            s.add(StoredBatch(id=batch_id, workspace_id=ws.id, status="queued",
                              total=len(pairs)))
            s.flush()
            s.add_all(StoredBatchItem(batch_id=batch_id, position=n, pair_id=p.id,
                                      old_id=p.old, new_id=p.new, status="queued")
                      for n, p in enumerate(pairs))
        return batch_id

    def _row(self, s: Session, ws: WorkspaceRef, batch_id: str) -> StoredBatch:
        row = s.get(StoredBatch, batch_id) if _BATCH_ID.fullmatch(batch_id) else None
        if row is None or row.workspace_id != ws.id:
            raise NotFound(f"no batch {batch_id!r} in this workspace")
        return row

    def get(self, ws: WorkspaceRef, batch_id: str, offset: int = 0,
            limit: int | None = None) -> dict[str, Any]:
        """The batch as the API shows it: its counts, and every pair's outcome in order (or
        `limit` of them from position `offset`, for a page that follows a large batch)."""
        with self.store.session() as s:
            batch = self._row(s, ws, batch_id)
            by_status: dict[str, int] = dict(s.execute(
                select(StoredBatchItem.status, func.count())
                .where(StoredBatchItem.batch_id == batch_id)
                .group_by(StoredBatchItem.status)).all())
            query = (select(StoredBatchItem).where(StoredBatchItem.batch_id == batch_id)
                     .order_by(StoredBatchItem.position).offset(offset))
            items = s.scalars(query if limit is None else query.limit(limit)).all()
            results = [{"id": i.pair_id, "old": i.old_id, "new": i.new_id, "status": i.status,
                        "error": i.error, "comparison": i.comparison_id,
                        "counts": json.loads(i.counts) if i.counts else None,
                        "highest": i.highest, "top_finding": i.top_finding} for i in items]
            failed = by_status.get("failed", 0)
            return {"id": batch.id, "status": batch.status, "total": batch.total,
                    "done": by_status.get("ok", 0) + failed, "failed": failed,
                    "cancelled": by_status.get("cancelled", 0),
                    "created_at": batch.created_at.isoformat(timespec="seconds") + "Z",
                    "results": results}

    def page(self, ws: WorkspaceRef, limit: int,
             offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(how many batches the workspace has, one page of them, newest first), each with
        its counts and the names of the documents its pairs compare (of this workspace)."""
        where = StoredBatch.workspace_id == ws.id
        with self.store.session() as s:
            total = s.scalar(select(func.count()).select_from(StoredBatch).where(where)) or 0
            rows = s.scalars(select(StoredBatch).where(where)
                             .order_by(StoredBatch.created_at.desc(), StoredBatch.id.desc())
                             .limit(limit).offset(offset)).all()
            ids = [r.id for r in rows]
            counts: dict[str, dict[str, int]] = {i: {} for i in ids}
            for batch_id, status, n in s.execute(
                    select(StoredBatchItem.batch_id, StoredBatchItem.status, func.count())
                    .where(StoredBatchItem.batch_id.in_(ids))
                    .group_by(StoredBatchItem.batch_id, StoredBatchItem.status)):
                counts[batch_id][status] = n
            names: dict[str, set[str]] = {i: set() for i in ids}
            for batch_id, name in s.execute(
                    select(StoredBatchItem.batch_id, StoredDocument.name).distinct()
                    .join(StoredDocument, StoredDocument.id == StoredBatchItem.new_id)
                    .where(StoredBatchItem.batch_id.in_(ids),
                           StoredDocument.workspace_id == ws.id)):
                names[batch_id].add(name)
            return total, [{
                "id": r.id, "status": r.status, "total": r.total,
                "done": counts[r.id].get("ok", 0) + counts[r.id].get("failed", 0),
                "failed": counts[r.id].get("failed", 0),
                "created_at": r.created_at.isoformat(timespec="seconds") + "Z",
                "documents": sorted(names[r.id], key=str.lower)} for r in rows]

    def labels(self, ws: WorkspaceRef, batch_id: str) -> dict[str, tuple[str, str]]:
        """Document id -> (library name, version) of the batch's documents that this
        workspace holds; a document of another workspace, or deleted, is not named."""
        with self.store.session() as s:
            self._row(s, ws, batch_id)
            side = select(StoredBatchItem.old_id).where(StoredBatchItem.batch_id == batch_id)
            other = select(StoredBatchItem.new_id).where(StoredBatchItem.batch_id == batch_id)
            rows = s.execute(select(StoredDocument.id, StoredDocument.name,
                                    StoredDocument.version_label, StoredDocument.filename)
                             .where(StoredDocument.workspace_id == ws.id,
                                    StoredDocument.id.in_(side.union(other))))
            return {r.id: (r.name, r.version_label or r.filename) for r in rows}

    def status(self, batch_id: str) -> str:
        with self.store.session() as s:
            return str(s.scalar(select(StoredBatch.status).where(StoredBatch.id == batch_id)))

    def set_status(self, batch_id: str, status: str, *, only_from: tuple[str, ...]) -> bool:
        """Move a batch to `status` if it is in one of `only_from` (a cancel wins a race)."""
        with self.store.session() as s:
            done = s.execute(update(StoredBatch).where(
                StoredBatch.id == batch_id, StoredBatch.status.in_(only_from))
                .values(status=status))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def cancel(self, ws: WorkspaceRef, batch_id: str) -> None:
        """Stop a queued or running batch: its queued pairs become cancelled."""
        with self.store.session() as s:
            batch = self._row(s, ws, batch_id)
            if batch.status not in ACTIVE:
                return
            batch.status = "cancelled"
            s.execute(update(StoredBatchItem).where(
                StoredBatchItem.batch_id == batch_id, StoredBatchItem.status == "queued")
                .values(status="cancelled"))

    def next_pair(self, batch_id: str) -> tuple[int, str, str] | None:
        """(item, old id, new id) of the first queued pair, or None."""
        with self.store.session() as s:
            row = s.execute(select(StoredBatchItem.id, StoredBatchItem.old_id,
                                   StoredBatchItem.new_id)
                            .where(StoredBatchItem.batch_id == batch_id,
                                   StoredBatchItem.status == "queued")
                            .order_by(StoredBatchItem.position).limit(1)).first()
            return (row.id, row.old_id, row.new_id) if row else None

    def finish_pair(self, item_id: int, *, error: str | None = None,
                    comparison_id: str | None = None, counts: dict[str, int] | None = None,
                    highest: str | None = None, top_finding: str | None = None) -> None:
        with self.store.session() as s:
            s.execute(update(StoredBatchItem).where(
                StoredBatchItem.id == item_id, StoredBatchItem.status == "queued").values(
                status="failed" if error else "ok", error=error, comparison_id=comparison_id,
                counts=json.dumps(counts) if counts is not None else None, highest=highest,
                top_finding=top_finding))

    def active(self) -> list[tuple[WorkspaceRef, str]]:
        """Batches left queued or running (by a stopped server), oldest first."""
        with self.store.session() as s:
            rows = s.execute(select(StoredBatch.id, StoredBatch.workspace_id, Workspace.name)
                             .join(Workspace, Workspace.id == StoredBatch.workspace_id)
                             .where(StoredBatch.status.in_(ACTIVE))
                             .order_by(StoredBatch.created_at))
            return [(WorkspaceRef(r.workspace_id, r.name), r.id) for r in rows]


def comparisons_page(store: Store, ws: WorkspaceRef, limit: int,
                     offset: int) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page of the workspace's comparisons, newest first)."""
    where = StoredComparison.workspace_id == ws.id
    with store.session() as s:
        total = s.scalar(select(func.count()).select_from(StoredComparison).where(where)) or 0
        rows = s.execute(select(StoredComparison.id, StoredComparison.old_id,
                                StoredComparison.new_id, StoredComparison.high,
                                StoredComparison.medium, StoredComparison.created_at)
                         .where(where)
                         .order_by(StoredComparison.created_at.desc(), StoredComparison.id)
                         .limit(limit).offset(offset))
        return total, [{"id": r.id, "old": r.old_id, "new": r.new_id, "high": r.high,
                        "medium": r.medium,
                        "created_at": r.created_at.isoformat(timespec="seconds") + "Z"}
                       for r in rows]
