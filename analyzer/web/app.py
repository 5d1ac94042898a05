"""The FastAPI application: the API under /api/v1, the pages at /, one store behind both."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from analyzer.settings import Settings, get_settings
from analyzer.store import Store, open_store
from analyzer.web import api, batches, errors, pages, triage
from analyzer.web.gate import WorkspaceGate
from analyzer.web.limits import BodyLimit
from analyzer.web.proxy import TrustedProxies
from analyzer.web.security import DocsPolicy
from analyzer.web.service import Service

log = logging.getLogger("termshift.web")
UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries and form fields around one file
FORM_LIMIT = 2 * 1024 * 1024  # JSON bodies and small forms (a control baseline fits)


def create_app(settings: Settings | None = None, store: Store | None = None, *,
               bind_host: str | None = None) -> FastAPI:
    """The app over `store` (opened from the settings when not given); `bind_host` is the
    address the server listens on (default: the host setting)."""
    settings = settings or get_settings()
    bind_host = bind_host or settings.host

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        if own:
            app.state.store = open_store(settings)
            app.state.service = Service(app.state.store, settings)
        resumed = await app.state.service.resume_pending()
        if resumed:
            log.warning("resuming the parse of %d document(s) left unfinished", resumed)
        app.state.batches = batches.BatchRunner(app.state.service)
        if await app.state.batches.resume():
            log.warning("resuming batches left unfinished")
        try:
            yield
        finally:
            app.state.batches.close()
            app.state.service.close()
            if own:
                app.state.store.close()

    # The API docs page serves Swagger UI from the package, not a CDN: it works offline and
    # tells no third party who reads it.
    app = FastAPIOffline(
        title="termshift",
        version="1",
        summary="Where terms of service and AI-agent policies shift responsibility.",
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.settings = settings
    if store is not None:  # usable before startup, e.g. by tests that skip the lifespan
        app.state.store = store
        app.state.service = Service(store, settings)

    def limit_for(path: str) -> tuple[int, str]:
        """The most bytes a request body may have, and what the refusal says."""
        if path == "/api/v1/documents":
            return (settings.max_bytes + UPLOAD_OVERHEAD,
                    f"{settings.max_bytes:,} bytes per file (raise it with TERMSHIFT_MAX_BYTES)")
        if path == "/upload":
            return (settings.max_request_bytes,
                    f"{settings.max_request_bytes:,} bytes per upload "
                    "(raise it with TERMSHIFT_MAX_REQUEST_BYTES)")
        return FORM_LIMIT, f"{FORM_LIMIT:,} bytes for this request"

    # The last added runs first: forwarded headers of trusted proxies are applied, then the
    # gate checks the key, before the body limit lets anything be read.
    app.add_middleware(BodyLimit, limits=limit_for)
    app.add_middleware(WorkspaceGate, store=lambda: app.state.store, bind_host=bind_host,
                       settings=settings)
    app.add_middleware(DocsPolicy)
    app.add_middleware(TrustedProxies, networks=settings.trusted_networks())
    errors.install(app)
    app.include_router(api.router)
    app.include_router(batches.router)
    app.include_router(triage.router)
    app.include_router(pages.router)
    app.include_router(triage.pages)
    return app
