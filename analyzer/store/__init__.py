"""Storage: SQLAlchemy tables, Alembic migrations and the repository the web app uses."""

from analyzer.store.repository import (
    LOCAL_WORKSPACE,
    DocumentInfo,
    ReportRecord,
    Store,
    WorkspaceRef,
    open_store,
)

__all__ = ["LOCAL_WORKSPACE", "DocumentInfo", "ReportRecord", "Store", "WorkspaceRef",
           "open_store"]
