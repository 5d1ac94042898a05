"""`termshift serve` and `termshift keys` as a user runs them, in a subprocess on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120, env={**os.environ, **env})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_with_samples_shows_a_finished_report(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TERMSHIFT_DATA_DIR": str(tmp_path), "TERMSHIFT_WORKERS": "0"}
    env.pop("TERMSHIFT_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "serve", "--port", str(port),
         "--samples", "corpora"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        status = 0
        for _ in range(240):  # up to 60 s for the samples to load and the server to start
            time.sleep(0.25)
            try:
                status, page = _get(f"http://127.0.0.1:{port}/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, Path(log.name).read_text()
        assert status == 200, Path(log.name).read_text()
        assert "agent-network-terms" in page
        output = Path(log.name).read_text()
        reports = re.findall(r"report: (http://\S+)", output)
        assert len(reports) == 2, output
        status, report = _get(reports[0])
        assert status == 200 and "What shifted" in report
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_serve_refuses_a_public_address_without_keys(tmp_path: Path) -> None:
    proc = _cli("serve", "--host", "0.0.0.0", "--port", "1",
                env={"TERMSHIFT_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0" in proc.stderr
    assert "termshift keys create" in proc.stderr and "Traceback" not in proc.stderr


def test_keys_create_prints_the_key_last(tmp_path: Path) -> None:
    proc = _cli("keys", "create", "--workspace", "legal",
                env={"TERMSHIFT_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"tsk_[A-Za-z0-9_-]{40,}", key)
    from analyzer.settings import Settings
    from analyzer.store import open_store

    store = open_store(Settings(data_dir=tmp_path))
    ws = store.workspace_for_key(key)
    store.close()
    assert ws is not None and ws.name == "legal"


def test_an_unreachable_database_is_exit_3_one_line(tmp_path: Path) -> None:
    proc = _cli("keys", "create", "--workspace", "x", env={
        "TERMSHIFT_DATA_DIR": str(tmp_path),
        "TERMSHIFT_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:9/none"})
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot open the database" in lines[0] and "pw" not in lines[0]


def test_uploads_parse_in_worker_processes(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from web_support import LOCAL, upload

    from analyzer.settings import Settings
    from analyzer.store import open_store
    from analyzer.web.app import create_app

    settings = Settings(data_dir=tmp_path, workers=1)
    store = open_store(settings)
    with TestClient(create_app(settings, store), base_url=LOCAL) as client:
        response = upload(client, "rendered/agent-network-terms-v2.pdf")
        assert response.status_code == 201, response.text
        assert response.json()["format"] == "pdf"
        broken = upload(client, "broken.docx", b"PK\x03\x04broken")
        assert broken.status_code == 422
    store.close()


def test_keys_list_and_revoke(tmp_path: Path) -> None:
    env = {"TERMSHIFT_DATA_DIR": str(tmp_path)}
    assert "No keys" in _cli("keys", "list", env=env).stdout
    key = _cli("keys", "create", "--workspace", "legal", env=env).stdout.splitlines()[-1]
    _cli("keys", "create", "--workspace", "ops", env=env)
    listed = _cli("keys", "list", env=env).stdout
    assert key[:10] in listed and "legal" in listed and "ops" in listed
    assert key not in listed  # only a prefix is shown: the key itself is not kept
    short = _cli("keys", "revoke", "tsk_", env=env)
    assert short.returncode == 2 and "Traceback" not in short.stderr
    done = _cli("keys", "revoke", key[:10], env=env)
    assert done.returncode == 0 and "legal" in done.stdout
    from analyzer.settings import Settings
    from analyzer.store import open_store

    store = open_store(Settings(data_dir=tmp_path))
    assert store.workspace_for_key(key) is None
    store.close()
    assert _cli("keys", "revoke", key, env=env).returncode == 2  # already gone


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].splitlines()[0]
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_stopping_the_server_ends_its_parser_processes(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TERMSHIFT_DATA_DIR": str(tmp_path), "TERMSHIFT_WORKERS": "1"}
    env.pop("TERMSHIFT_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "serve", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    children: list[int] = []
    try:
        for _ in range(240):
            time.sleep(0.25)
            try:
                _get(f"http://127.0.0.1:{port}/api/v1/documents")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None
        body = (REPO / "corpora" / "agent-network-terms-v1.md").read_bytes()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/documents", method="POST",
            data=b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.md\""
                 b"\r\n\r\n" + body + b"\r\n--b--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 201
        children = _children(proc.pid)
        assert children, "the upload should have started a parser process"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for _ in range(100):  # up to 10 s for the children to go
        if not any(_alive(pid) for pid in children):
            break
        time.sleep(0.1)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:  # do not leave them running if the test fails
        os.kill(pid, 9)
    assert left == []
