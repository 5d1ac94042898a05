"""A hostile upload is refused by the parse budgets (422, the document failed with the
reason), and a document whose parse was interrupted twice is not read again at start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hostile_docs import flate_bomb_pdf
from web_support import LOCAL, corpus, local_client, upload, wait_until_read

import analyzer.web.service as service_module
from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.web.app import create_app


@pytest.fixture
def budget_client(tmp_path: Path) -> Iterator[TestClient]:
    with local_client(tmp_path, parse_seconds=2, parse_memory_mb=300) as client:
        yield client


def test_a_flate_bomb_upload_is_422_and_the_document_failed(
        budget_client: TestClient) -> None:
    response = upload(budget_client, "bomb.pdf", flate_bomb_pdf(400))
    assert response.status_code == 422, response.text
    code = response.json()["error"]["code"]
    assert code in ("limit.parse_memory", "limit.parse_time", "limit.pdf_stream_size")
    (doc,) = budget_client.get("/api/v1/documents").json()["documents"]
    assert doc["status"] == "failed" and doc["error"]["code"] == code
    good = upload(budget_client, "assistant-terms-v1.md")  # the server is still fine
    assert good.status_code in (200, 201) and good.json()["clause_count"] > 5


def test_a_document_interrupted_twice_is_quarantined_not_reparsed(
        settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    ws = store.workspace()
    info, _ = store.add_original(ws, corpus("assistant-terms-v1.md"),
                                 filename="assistant-terms-v1.md", fmt="markdown")
    store.begin_parse(info.id)  # two parses that never ended (the server was killed)
    store.begin_parse(info.id)
    parsed: list[str] = []
    real = service_module._parse_bytes

    def spy(data: bytes, filename: str, limits: Settings) -> service_module.ParseOutcome:
        parsed.append(filename)
        return real(data, filename, limits)

    monkeypatch.setattr(service_module, "_parse_bytes", spy)
    with caplog.at_level(logging.WARNING, logger="termshift.web"), \
            TestClient(create_app(settings, store), base_url=LOCAL) as fresh:
        doc = wait_until_read(fresh, info.id)
        page = fresh.get(f"/documents/{info.id}")
    assert parsed == []
    assert doc["status"] == "failed" and doc["error"]["code"] == "ingest.quarantined"
    assert "interrupted 2 times" in doc["error"]["message"]
    assert "interrupted 2 times" in page.text
    assert any("not resuming" in r.getMessage() for r in caplog.records)
    with TestClient(create_app(settings, store), base_url=LOCAL) as again:  # a 2nd restart
        assert again.get(f"/api/v1/documents/{info.id}").json()["status"] == "failed"
    assert parsed == []


def test_a_document_interrupted_once_is_resumed_and_its_count_cleared(
        settings: Settings, store: Store) -> None:
    ws = store.workspace()
    info, _ = store.add_original(ws, corpus("assistant-terms-v1.md"),
                                 filename="assistant-terms-v1.md", fmt="markdown")
    store.begin_parse(info.id)
    with TestClient(create_app(settings, store), base_url=LOCAL) as fresh:
        doc = wait_until_read(fresh, info.id)
    assert doc["status"] == "ready"
    assert store.parse_attempts(info.id) == 0


def test_a_budget_failure_counts_towards_the_quarantine(store: Store) -> None:
    ws = store.workspace()
    info, _ = store.add_original(ws, b"# T\n\nYou agree.\n", filename="t.md", fmt="markdown")
    store.begin_parse(info.id)
    store.set_failed(info.id, "limit.parse_time", "too slow")
    assert store.parse_attempts(info.id) == 1
    store.set_failed(info.id, "ingest.damaged", "not a document")  # a refusal: cleared
    assert store.parse_attempts(info.id) == 0
