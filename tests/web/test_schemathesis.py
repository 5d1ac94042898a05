"""Schemathesis against the OpenAPI document that `termshift serve` publishes, over SQLite
(local mode, no key) and PostgreSQL (with a key): no 5xx, and every answer matches the
schema (its status, media type, headers and body).

A bounded run: a fixed number of examples per operation, a fixed seed, a timeout on every
request and on the whole run; no shrinking and no example database, so every run sends the
same kind of cases. Select it with `pytest -m schemathesis`; leave it out with
`-m "not schemathesis"`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from analyzer.settings import Settings
from analyzer.store import open_store

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = 25  # per operation and phase
SEED = 20261206
RUN_SECONDS = 150  # the whole run, per store; it took about 50 s on 2 busy cores
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance,"
          "unsupported_method,allow_header_conformance")

pytestmark = pytest.mark.schemathesis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(settings: Settings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "TERMSHIFT_DATA_DIR": str(settings.data_dir),
           "TERMSHIFT_WORKERS": "1", "TERMSHIFT_READY_TIMEOUT": "20",
           "TERMSHIFT_PARSE_SECONDS": "20"}
    env.pop("TERMSHIFT_DATABASE_URL", None)
    if settings.database_url:
        env["TERMSHIFT_DATABASE_URL"] = settings.database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "serve", "--port", str(port)], cwd=REPO,
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            httpx.get(base + "/openapi.json", timeout=5).raise_for_status()
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start within 60 s:\n" + log.read_text())


def test_the_api_holds_to_its_published_schema(settings: Settings, tmp_path: Path) -> None:
    headers: list[str] = []
    if settings.database_url:  # the server with keys: every call sends one
        store = open_store(settings)
        headers = ["-H", f"Authorization: Bearer {store.create_key('schemathesis')}"]
        store.close()
    log = tmp_path / "serve.log"
    proc, base = _serve(settings, log)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", base + "/openapi.json",
             *headers, "--checks", CHECKS, "--phases", "examples,coverage,fuzzing,stateful",
             "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--no-shrink",
             "--generation-database", "none", "--generation-with-security-parameters",
             "false", "--request-timeout", "30", "--workers", "1", "--no-color"],
            cwd=tmp_path, capture_output=True, text=True, timeout=RUN_SECONDS,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    output = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated", output)
    print(f"\nschemathesis ({'postgresql' if settings.database_url else 'sqlite'}): "
          f"{cases[1] if cases else '?'} cases; exit {run.returncode}")
    assert run.returncode == 0, output
    assert cases and int(cases[1]) >= 100, output
    served = log.read_text()
    assert "Traceback" not in served and " 500 " not in served, served
