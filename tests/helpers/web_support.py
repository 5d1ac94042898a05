"""Helpers of the web tests: the bundled corpora as upload bodies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

CORPORA = Path(__file__).resolve().parents[2] / "corpora"


def corpus(name: str) -> bytes:
    return (CORPORA / name).read_bytes()


def upload(client: TestClient, filename: str, data: bytes | None = None,
           headers: dict[str, str] | None = None, form: dict[str, str] | None = None) -> Any:
    """POST one corpora file (or `data` under that file name) to /api/v1/documents."""
    body = corpus(filename) if data is None else data
    return client.post("/api/v1/documents", files={"file": (filename, body)},
                       data=form or {}, headers=headers or {})


def wait_until_read(client: TestClient, doc_id: str, headers: dict[str, str] | None = None,
                    seconds: float = 60) -> Any:
    """The document's metadata once its parse has finished (bounded wait)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        doc = client.get(f"/api/v1/documents/{doc_id}", headers=headers or {}).json()
        if doc["status"] != "processing" or time.monotonic() > deadline:
            return doc
        time.sleep(0.05)

# The local mode answers only on loopback (DNS rebinding): test clients use its address.
LOCAL = "http://127.0.0.1"


@contextmanager
def local_client(tmp_path: Path, **settings: Any) -> Iterator[TestClient]:
    """A test client of the app in local mode over a fresh SQLite store in `tmp_path`, with
    parsing in the server process and the given settings (limits, budgets)."""
    from analyzer.settings import Settings
    from analyzer.store import open_store
    from analyzer.web.app import create_app

    chosen = Settings(data_dir=tmp_path, workers=0, **settings)
    store = open_store(chosen)
    try:
        with TestClient(create_app(chosen, store), base_url=LOCAL) as client:
            yield client
    finally:
        store.close()


def migrations_config() -> Any:
    """Alembic's configuration for the store's own migrations (for tests that move a store
    to a given revision)."""
    from alembic.config import Config

    import analyzer.store.repository as repository

    config = Config()
    config.set_main_option("script_location",
                           str(Path(repository.__file__).parent / "migrations"))
    return config


@contextmanager
def store_at_revision(settings: Any, revision: str) -> Iterator[Any]:
    """A connection (in one transaction) to the settings' store migrated only up to
    `revision`, for a test to fill as an older release would have; the next `open_store`
    migrates it to the head."""
    from alembic import command
    from sqlalchemy import create_engine

    url = settings.database_url or f"sqlite:///{settings.data_dir / 'termshift.db'}"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    config = migrations_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            yield conn
    finally:
        engine.dispose()


def finished_batch(client: TestClient, batch_id: str, headers: dict[str, str] | None = None,
                   seconds: float = 90) -> Any:
    """The batch as the API shows it once it is no longer queued or running (or after
    `seconds`, for the test to fail on its status)."""
    deadline = time.monotonic() + seconds
    while True:
        body = client.get(f"/api/v1/batches/{batch_id}", headers=headers or {}).json()
        if body["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)
