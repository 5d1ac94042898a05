"""Helpers of the web tests: the bundled corpora as upload bodies."""

from __future__ import annotations

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
