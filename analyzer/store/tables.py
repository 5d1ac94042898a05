"""The tables of the store. Alembic migrations in `migrations/` create and evolve them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key is shown once; only its SHA-256 is kept (keys are 256-bit random tokens)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredDocument(Base):
    """One uploaded original (by content hash, per workspace) and its analysis."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("workspace_id", "sha256", name="uq_documents_workspace_sha256"),
        Index("ix_documents_workspace_name", "workspace_id", "name"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    version_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))  # the file name until it is parsed
    size: Mapped[int] = mapped_column(Integer)
    # processing -> ready | failed; parsing happens after the upload has been answered.
    status: Mapped[str] = mapped_column(String(16), default="ready")
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Parses started and not finished cleanly (crash, kill, restart, budget): quarantine.
    parse_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clause_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    analysis: Mapped[str | None] = mapped_column(Text, nullable=True)  # codec record, JSON
    # What read it (service.analysis_version); another one reads it again from the original.
    analysis_version: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredComparison(Base):
    """A comparison of two stored documents, with its reports rendered once."""

    __tablename__ = "comparisons"
    __table_args__ = (
        UniqueConstraint("workspace_id", "old_id", "new_id", name="uq_comparisons_pair"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    old_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    new_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    report_version: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    high: Mapped[int] = mapped_column(Integer, default=0)
    # Medium findings, so the library can badge a report whose worst finding is medium.
    medium: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredCheck(Base):
    """A policy check of a stored document against a control baseline."""

    __tablename__ = "checks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    controls_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    report_version: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredTriage(Base):
    """A reviewer's verdict on one finding: reviewed, dismissed (with a reason) or flagged.

    Keyed by the two documents' content hashes and the finding's key (its type and the hash
    of its clauses' texts, analyzer.store.triage.finding_keys), not by the comparison or the
    finding id, both of which a new rendering may change: a verdict follows its finding
    through re-comparisons and upgrades, and stays here when the finding no longer exists.
    """

    __tablename__ = "finding_triage"
    __table_args__ = (
        UniqueConstraint("workspace_id", "old_sha256", "new_sha256", "finding_key",
                         name="uq_finding_triage_finding"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    old_sha256: Mapped[str] = mapped_column(String(64))
    new_sha256: Mapped[str] = mapped_column(String(64))
    finding_key: Mapped[str] = mapped_column(String(64))
    finding_type: Mapped[str] = mapped_column(String(64))  # for a person reading the table
    state: Mapped[str] = mapped_column(String(16))  # open | reviewed | dismissed | flagged
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was dismissed
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Who set it: "key " + the key's prefix as `termshift keys list` shows it, or the
    # workspace's name in the local mode. Never the key itself.
    actor: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
