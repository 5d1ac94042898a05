"""The store: workspaces and keys, documents by content hash, comparisons and checks.

SQLite in the data folder (WAL mode) by default; any SQLAlchemy URL, PostgreSQL in
practice, when TERMSHIFT_DATABASE_URL says so. Every read and write names its workspace:
an object of another workspace is not found, exactly like a missing one.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from analyzer.errors import InputError, NotFound, NotReady, StoreError, UsageError
from analyzer.model import Analysis
from analyzer.settings import Settings
from analyzer.store.blobs import BlobStore
from analyzer.store.codec import analysis_from_record, analysis_to_record
from analyzer.store.tables import (
    ApiKey,
    StoredCheck,
    StoredComparison,
    StoredDocument,
    StoredTriage,
    Workspace,
)

LOCAL_WORKSPACE = "local"
KEY_PREFIX = "tsk_"
# Failure codes of a parse that was cut short rather than refused: they count towards the
# quarantine (TERMSHIFT_MAX_PARSE_ATTEMPTS).
INTERRUPTIONS = frozenset({"limit.parse_time", "limit.parse_memory", "ingest.reader_crashed",
                           "ingest.quarantined"})


@dataclass(frozen=True)
class WorkspaceRef:
    id: int
    name: str


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    sha256: str
    name: str
    version_label: str | None
    filename: str
    format: str
    title: str
    size: int
    status: str  # processing | ready | failed
    page_count: int | None
    clause_count: int | None
    created_at: datetime
    error_code: str | None = None
    error: str | None = None
    analysis_version: str | None = None  # what read it (service.analysis_version)

    def to_json(self) -> dict[str, Any]:
        failure = {"code": self.error_code, "message": self.error} if self.error else None
        return {"id": self.id, "sha256": self.sha256, "name": self.name,
                "version_label": self.version_label, "filename": self.filename,
                "format": self.format, "title": self.title, "size": self.size,
                "status": self.status, "error": failure,
                "page_count": self.page_count, "clause_count": self.clause_count,
                "created_at": self.created_at.isoformat(timespec="seconds") + "Z"}


@dataclass(frozen=True)
class ReportRecord:
    """A stored comparison or check with its rendered forms."""

    id: str
    subject: tuple[str, ...]  # (old_id, new_id) or (document_id,)
    report_version: str
    result_json: str
    html: str
    markdown: str | None
    created_at: datetime


_ID = re.compile(r"(?:doc|cmp|chk)_[0-9a-f]{16}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str, limit: int) -> str:
    """Names and titles as a database can keep them (PostgreSQL refuses NUL in text)."""
    return _CONTROL.sub(" ", text)[:limit]


def _valid_id(object_id: str) -> bool:
    return bool(_ID.fullmatch(object_id))


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


def _doc_info(row: StoredDocument) -> DocumentInfo:
    return DocumentInfo(id=row.id, sha256=row.sha256, name=row.name,
                        version_label=row.version_label, filename=row.filename,
                        format=row.format, title=row.title, size=row.size,
                        status=row.status, page_count=row.page_count,
                        clause_count=row.clause_count, created_at=row.created_at,
                        error_code=row.error_code, error=row.error,
                        analysis_version=row.analysis_version)


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _engine(settings: Settings) -> Engine:
    url = settings.database_url
    if not url:
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {settings.data_dir} "
                             f"({exc.strerror}); set TERMSHIFT_DATA_DIR") from exc
        url = f"sqlite:///{settings.data_dir / 'termshift.db'}"
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False,
                                                      "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"TERMSHIFT_DATABASE_URL is not a usable database URL "
                         f"({_shown_url(url)}): {exc}") from exc
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """One database plus the originals folder. Thread-safe: each call opens its own session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = _engine(settings)
        self.url = _shown_url(str(self.engine.url))
        self.blobs = BlobStore(settings.data_dir / "originals")
        # The text of custom control files, so a check made with them can be made again.
        self.control_files = BlobStore(settings.data_dir / "controls")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is there already)."""
        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url}: "
                             f"{str(exc.orig).strip().splitlines()[0]}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"the database {self.url} failed: "
                             f"{str(exc.orig).strip().splitlines()[0]}") from exc
        except DataError as exc:  # a value the database cannot hold: the caller's input
            raise InputError("the request holds a value the database cannot store",
                             code="store.bad_value") from exc
        except StaleDataError as exc:  # a row changed by this session was deleted meanwhile
            raise NotFound("it was deleted meanwhile") from exc

    # Workspaces and keys ------------------------------------------------------------------

    def workspace(self, name: str = LOCAL_WORKSPACE) -> WorkspaceRef:
        """The workspace called `name`, created on first use."""
        name = name.strip()
        if not name or len(name) > 200:
            raise StoreError("a workspace name must have 1 to 200 characters")
        for _attempt in range(2):
            try:
                with self.session() as s:
                    row = s.scalar(select(Workspace).where(Workspace.name == name))
                    if row is None:
                        row = Workspace(name=name)
                        s.add(row)
                        s.flush()
                    return WorkspaceRef(row.id, row.name)
            except IntegrityError:  # created by a concurrent caller: read it again
                continue
        raise StoreError(f"cannot create the workspace {name!r}")

    def create_key(self, workspace_name: str) -> str:
        """A new API key for the workspace (created if needed); only its hash is kept."""
        ws = self.workspace(workspace_name)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.session() as s:
            s.add(ApiKey(workspace_id=ws.id, key_hash=_hash_key(key), prefix=key[:10]))
        return key

    def list_keys(self) -> list[tuple[str, str, datetime]]:
        """(workspace, key prefix, created) of every key; the keys themselves are not kept."""
        with self.session() as s:
            rows = s.execute(select(Workspace.name, ApiKey.prefix, ApiKey.created_at)
                             .join(Workspace, Workspace.id == ApiKey.workspace_id)
                             .order_by(Workspace.name, ApiKey.created_at))
            return [(r.name, r.prefix, r.created_at) for r in rows]

    def revoke_key(self, key_or_prefix: str) -> str:
        """Delete one key, given whole or by the prefix `keys list` shows; returns its
        workspace. An unknown or ambiguous prefix is an error, never a guess."""
        given = key_or_prefix.strip()
        with self.session() as s:
            if len(given) > 16:
                matched = list(s.scalars(select(ApiKey).where(
                    ApiKey.key_hash == _hash_key(given))))
            elif len(given) >= 8:
                matched = list(s.scalars(select(ApiKey).where(ApiKey.prefix == given)))
            else:
                raise UsageError("give the key, or its prefix as `termshift keys list` shows "
                                 "it", code="usage.key_prefix")
            if not matched:
                raise UsageError(f"no key matches {given[:10]!r}", code="usage.key_unknown")
            if len(matched) > 1:
                raise UsageError(f"{len(matched)} keys start with {given!r}; give the whole "
                                 "key", code="usage.key_ambiguous")
            workspace = s.get(Workspace, matched[0].workspace_id)
            s.delete(matched[0])
            return workspace.name if workspace else "?"

    def has_keys(self) -> bool:
        with self.session() as s:
            return bool(s.scalar(select(func.count()).select_from(ApiKey)))

    def workspace_for_key(self, key: str) -> WorkspaceRef | None:
        with self.session() as s:
            row = s.execute(
                select(Workspace.id, Workspace.name)
                .join(ApiKey, ApiKey.workspace_id == Workspace.id)
                .where(ApiKey.key_hash == _hash_key(key))
            ).first()
            return WorkspaceRef(row.id, row.name) if row else None

    # Documents ----------------------------------------------------------------------------

    def find_document(self, ws: WorkspaceRef, sha256: str) -> DocumentInfo | None:
        with self.session() as s:
            row = s.scalar(select(StoredDocument).where(
                StoredDocument.workspace_id == ws.id, StoredDocument.sha256 == sha256))
            return _doc_info(row) if row else None

    def add_original(self, ws: WorkspaceRef, data: bytes, *, filename: str, fmt: str,
                     name: str | None = None,
                     version_label: str | None = None) -> tuple[DocumentInfo, bool]:
        """Keep an upload, to be parsed later (status "processing"); the same bytes again give
        the same document. Returns the document and whether it is new."""
        digest = self.blobs.put(data)
        existing = self.find_document(ws, digest)
        if existing is not None:
            return existing, False
        row = StoredDocument(
            id=_new_id("doc_"), workspace_id=ws.id, sha256=digest,
            name=_clean(name or Path(filename).stem or "document", 300),
            version_label=_clean(version_label, 200) if version_label else None,
            filename=_clean(filename, 300), format=fmt, title=_clean(filename, 500),
            size=len(data),
            status="processing")
        try:
            with self.session() as s:
                s.add(row)
            self.blobs.put(data, digest)  # again: a deletion of these bytes may have raced
            return _doc_info(row), True
        except IntegrityError:  # the same bytes arrived twice at once
            again = self.find_document(ws, digest)
            if again is None:
                raise
            return again, False

    def set_analysis(self, doc_id: str, analysis: Analysis, version: str) -> DocumentInfo:
        """Store a document's parse, made by reader `version`: it becomes ready. A parse that
        replaces an earlier one (read again by a newer reader) marks the document's stored
        comparisons and checks as made by no version, so they are made again when next
        shown, under the same ids."""
        doc = analysis.document
        with self.session() as s:
            row = s.get(StoredDocument, doc_id)
            if row is None:
                raise NotFound(f"no document {doc_id!r}")
            if row.analysis is not None:
                s.execute(update(StoredComparison).where(or_(
                    StoredComparison.old_id == doc_id, StoredComparison.new_id == doc_id))
                    .values(report_version=""))
                s.execute(update(StoredCheck).where(StoredCheck.document_id == doc_id)
                          .values(report_version=""))
            row.analysis = json.dumps(analysis_to_record(analysis), separators=(",", ":"))
            row.analysis_version = version
            row.title = _clean(doc.title or row.filename, 500)
            row.format = doc.format
            row.page_count = doc.page_count
            row.clause_count = len(analysis.clauses)
            row.status, row.error_code, row.error = "ready", None, None
            row.parse_attempts = 0
            return _doc_info(row)

    def set_failed(self, doc_id: str, code: str, message: str) -> None:
        """Record why a document could not be parsed; the original is kept. A refusal of
        the input clears the count of interrupted parses; an interruption keeps it."""
        with self.session() as s:
            row = s.get(StoredDocument, doc_id)
            if row is not None:
                row.status, row.error_code = "failed", _clean(code, 64)
                row.error = _clean(message, 2000)
                if code not in INTERRUPTIONS:
                    row.parse_attempts = 0

    def begin_parse(self, doc_id: str) -> int:
        """Count one more parse of a document before it starts (kept if it never ends);
        returns the count including this one."""
        with self.session() as s:
            row = s.get(StoredDocument, doc_id)
            if row is None:
                return 0
            row.parse_attempts = (row.parse_attempts or 0) + 1
            return row.parse_attempts

    def parse_attempts(self, doc_id: str) -> int:
        """How many parses of a document were started and not finished cleanly."""
        with self.session() as s:
            row = s.get(StoredDocument, doc_id)
            return 0 if row is None else row.parse_attempts or 0

    def retry(self, doc_id: str) -> None:
        """Put a failed document back in the queue (limits or the reader may have changed)."""
        with self.session() as s:
            row = s.get(StoredDocument, doc_id)
            if row is not None and row.status == "failed":
                row.status, row.error_code, row.error = "processing", None, None

    def document_status(self, ws: WorkspaceRef, doc_id: str) -> str:
        with self.session() as s:
            return self._document_row(s, ws, doc_id).status

    def pending_documents(self) -> list[tuple[WorkspaceRef, DocumentInfo]]:
        """Documents whose parse was never finished (e.g. the server stopped meanwhile)."""
        with self.session() as s:
            rows = s.execute(select(StoredDocument, Workspace.name)
                             .join(Workspace, Workspace.id == StoredDocument.workspace_id)
                             .where(StoredDocument.status == "processing")
                             .order_by(StoredDocument.created_at))
            return [(WorkspaceRef(doc.workspace_id, name), _doc_info(doc))
                    for doc, name in rows]

    def add_document(self, ws: WorkspaceRef, data: bytes, analysis: Analysis, *,
                     version: str, filename: str, name: str | None = None,
                     version_label: str | None = None) -> tuple[DocumentInfo, bool]:
        """Keep an original together with its finished analysis, made by reader `version`
        (a stored one made by another reader is replaced)."""
        info, created = self.add_original(ws, data, filename=filename,
                                          fmt=analysis.document.format, name=name,
                                          version_label=version_label)
        if info.status != "ready" or info.analysis_version != version:
            info = self.set_analysis(info.id, analysis, version)
        return info, created

    def get_document(self, ws: WorkspaceRef, doc_id: str) -> DocumentInfo:
        with self.session() as s:
            return _doc_info(self._document_row(s, ws, doc_id))

    def _document_row(self, s: Session, ws: WorkspaceRef, doc_id: str) -> StoredDocument:
        row = s.get(StoredDocument, doc_id) if _valid_id(doc_id) else None
        if row is None or row.workspace_id != ws.id:
            raise NotFound(f"no document {doc_id!r} in this workspace")
        return row

    def delete_document(self, ws: WorkspaceRef, doc_id: str) -> DocumentInfo:
        """Delete a document with its comparisons, their triage, and its checks; its
        original goes too unless another document (in any workspace) has the same bytes."""
        with self.session() as s:
            row = self._document_row(s, ws, doc_id)
            info = _doc_info(row)
            controls = {d for d in s.scalars(select(StoredCheck.controls_sha256).where(
                StoredCheck.document_id == doc_id)) if d is not None}
            for table, column in ((StoredComparison, StoredComparison.old_id),
                                  (StoredComparison, StoredComparison.new_id),
                                  (StoredCheck, StoredCheck.document_id)):
                s.execute(delete(table).where(column == doc_id))
            # Triage is keyed by content, not by document: what was said about this
            # document's comparisons in this workspace goes with it.
            s.execute(delete(StoredTriage).where(
                StoredTriage.workspace_id == ws.id,
                or_(StoredTriage.old_sha256 == info.sha256,
                    StoredTriage.new_sha256 == info.sha256)))
            s.delete(row)
            s.flush()
            shared = s.scalar(select(func.count()).select_from(StoredDocument)
                              .where(StoredDocument.sha256 == info.sha256))
            still_used = set(s.scalars(select(StoredCheck.controls_sha256).where(
                StoredCheck.controls_sha256.in_(controls)))) if controls else set()
        if not shared:
            self.blobs.remove(info.sha256)
        for digest in controls - still_used:
            self.control_files.remove(digest)
        return info

    def load_analysis(self, ws: WorkspaceRef, doc_id: str) -> Analysis:
        """The stored parse; NotReady while it is being made, InputError if it failed."""
        with self.session() as s:
            row = self._document_row(s, ws, doc_id)
            record, status = row.analysis, row.status
            code, error = row.error_code, row.error
        if status == "failed":
            raise InputError(error or f"{doc_id} could not be read",
                             code=code or "ingest.unreadable")
        if record is None:
            raise NotReady(f"{doc_id} is still being read; try again in a moment")
        try:
            return analysis_from_record(json.loads(record))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"the stored analysis of {doc_id} cannot be read; "
                             "upload the document again") from exc

    def original(self, ws: WorkspaceRef, doc_id: str) -> bytes:
        return self.blobs.get(self.get_document(ws, doc_id).sha256)

    def list_documents(self, ws: WorkspaceRef, query: str | None = None,
                       limit: int = 200, offset: int = 0) -> list[DocumentInfo]:
        stmt = select(StoredDocument).where(StoredDocument.workspace_id == ws.id)
        query = _clean(query, 200).strip() if query else None
        if query:
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(or_(*(func.lower(col).like(like.lower(), escape="\\") for col in (
                StoredDocument.name, StoredDocument.title, StoredDocument.filename,
                StoredDocument.version_label))))
        stmt = stmt.order_by(StoredDocument.name, StoredDocument.created_at,
                             StoredDocument.id).limit(limit).offset(offset)
        with self.session() as s:
            return [_doc_info(row) for row in s.scalars(stmt)]

    # Comparisons and checks ---------------------------------------------------------------

    def find_comparison(self, ws: WorkspaceRef, old_id: str, new_id: str) -> ReportRecord | None:
        if not (_valid_id(old_id) and _valid_id(new_id)):
            return None
        with self.session() as s:
            row = s.scalar(select(StoredComparison).where(
                StoredComparison.workspace_id == ws.id, StoredComparison.old_id == old_id,
                StoredComparison.new_id == new_id))
            return self._comparison_record(row) if row else None

    @staticmethod
    def _comparison_record(row: StoredComparison) -> ReportRecord:
        return ReportRecord(id=row.id, subject=(row.old_id, row.new_id),
                            report_version=row.report_version, result_json=row.result_json,
                            html=row.html, markdown=row.markdown, created_at=row.created_at)

    def save_comparison(self, ws: WorkspaceRef, old_id: str, new_id: str, *,
                        report_version: str, result_json: str, html: str, markdown: str,
                        high: int, medium: int = 0) -> ReportRecord:
        """Keep a comparison's reports, replacing an older rendering of the same pair."""
        for _attempt in range(2):
            try:
                with self.session() as s:
                    self._document_row(s, ws, old_id)
                    self._document_row(s, ws, new_id)
                    row = s.scalar(select(StoredComparison).where(
                        StoredComparison.workspace_id == ws.id,
                        StoredComparison.old_id == old_id, StoredComparison.new_id == new_id))
                    if row is None:
                        row = StoredComparison(id=_new_id("cmp_"), workspace_id=ws.id,
                                               old_id=old_id, new_id=new_id)
                        s.add(row)
                    row.report_version = report_version
                    row.result_json, row.html, row.markdown = result_json, html, markdown
                    row.high, row.medium = high, medium
                    s.flush()
                    return self._comparison_record(row)
            except IntegrityError:  # the same pair compared twice at once
                continue
        raise StoreError("cannot save the comparison")

    def get_comparison(self, ws: WorkspaceRef, comparison_id: str) -> ReportRecord:
        with self.session() as s:
            row = s.get(StoredComparison, comparison_id) if _valid_id(comparison_id) else None
            if row is None or row.workspace_id != ws.id:
                raise NotFound(f"no comparison {comparison_id!r} in this workspace")
            return self._comparison_record(row)

    def list_comparisons(self, ws: WorkspaceRef, limit: int = 200
                         ) -> list[tuple[str, str, str, int, int]]:
        """(id, old_id, new_id, high findings, medium findings) of the newest comparisons."""
        with self.session() as s:
            rows = s.execute(select(StoredComparison.id, StoredComparison.old_id,
                                    StoredComparison.new_id, StoredComparison.high,
                                    StoredComparison.medium)
                             .where(StoredComparison.workspace_id == ws.id)
                             .order_by(StoredComparison.created_at.desc()).limit(limit))
            return [(r.id, r.old_id, r.new_id, r.high, r.medium) for r in rows]

    def list_checks(self, ws: WorkspaceRef, limit: int = 200) -> list[tuple[str, str]]:
        """(id, document_id) of the newest agent-policy checks."""
        with self.session() as s:
            rows = s.execute(select(StoredCheck.id, StoredCheck.document_id)
                             .where(StoredCheck.workspace_id == ws.id)
                             .order_by(StoredCheck.created_at.desc()).limit(limit))
            return [(r.id, r.document_id) for r in rows]

    def save_check(self, ws: WorkspaceRef, document_id: str, *, controls_sha256: str | None,
                   report_version: str, result_json: str, html: str,
                   markdown: str, check_id: str | None = None) -> ReportRecord:
        """Keep a check's reports (a new check, or `check_id` rendered again)."""
        with self.session() as s:
            self._document_row(s, ws, document_id)
            row = s.get(StoredCheck, check_id) if check_id else None
            if row is None or row.workspace_id != ws.id:
                row = StoredCheck(id=_new_id("chk_"), workspace_id=ws.id,
                                  document_id=document_id)
                s.add(row)
            row.controls_sha256, row.report_version = controls_sha256, report_version
            row.result_json, row.html, row.markdown = result_json, html, markdown
            s.flush()
            return ReportRecord(id=row.id, subject=(document_id,),
                                report_version=report_version, result_json=result_json,
                                html=html, markdown=markdown, created_at=row.created_at)

    def keep_controls(self, text: str) -> str:
        """Store a custom control file's text; returns its SHA-256."""
        return self.control_files.put(text.encode("utf-8"))

    def check_controls(self, ws: WorkspaceRef, check_id: str) -> tuple[bool, str | None]:
        """Whether a check used the built-in controls, and if not, the text of its own
        control file (None when it was not kept, as by earlier releases)."""
        with self.session() as s:
            row = s.get(StoredCheck, check_id) if _valid_id(check_id) else None
            if row is None or row.workspace_id != ws.id:
                raise NotFound(f"no check {check_id!r} in this workspace")
            digest = row.controls_sha256
        if digest is None:
            return True, None
        try:
            return False, self.control_files.get(digest).decode("utf-8")
        except (StoreError, UnicodeDecodeError):
            return False, None

    def get_check(self, ws: WorkspaceRef, check_id: str) -> ReportRecord:
        with self.session() as s:
            row = s.get(StoredCheck, check_id) if _valid_id(check_id) else None
            if row is None or row.workspace_id != ws.id:
                raise NotFound(f"no check {check_id!r} in this workspace")
            return ReportRecord(id=row.id, subject=(row.document_id,),
                                report_version=row.report_version,
                                result_json=row.result_json, html=row.html,
                                markdown=row.markdown, created_at=row.created_at)


def open_store(settings: Settings) -> Store:
    try:
        return Store(settings)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store: {exc}") from exc
