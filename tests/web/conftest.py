"""The store and the app over both stores: SQLite in a temp folder, and PostgreSQL when
TERMSHIFT_TEST_DATABASE_URL names a server (.ci/run starts one; in CI it is required)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import LOCAL

from analyzer.settings import Settings
from analyzer.store import Store, open_store
from analyzer.web.app import create_app

PG_ENV = "TERMSHIFT_TEST_DATABASE_URL"


def _postgres_database() -> Iterator[str]:
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"no PostgreSQL: set {PG_ENV} to run the store tests against one")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "termshift_test_" + secrets.token_hex(6)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a fresh, empty store of each kind."""
    base: dict[str, Any] = {"data_dir": tmp_path / "data", "workers": 0}
    if request.param == "sqlite":
        yield Settings(**base)
    else:
        for url in _postgres_database():
            yield Settings(**base, database_url=url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.close()


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store), base_url=LOCAL) as test_client:
        yield test_client
