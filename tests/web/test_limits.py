"""Uploads past the size limit are refused with 413 before they are read in full."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer
from web_support import local_client, upload

from analyzer.settings import Settings
from analyzer.store import open_store
from analyzer.web.app import create_app


@pytest.fixture
def small_client(tmp_path: Path) -> Iterator[TestClient]:
    with local_client(tmp_path, max_bytes=4000, max_request_bytes=20000) as client:
        yield client


def test_a_file_over_the_limit_is_413_naming_the_setting(small_client: TestClient) -> None:
    response = upload(small_client, "big.md", b"# Terms\n\n" + b"You agree. " * 2000)
    assert response.status_code == 413
    assert "TERMSHIFT_MAX_BYTES" in response.json()["error"]["message"]
    assert response.json()["error"]["code"].startswith("limit.")


def test_a_file_just_under_the_limit_but_above_it_by_content_is_refused(
        small_client: TestClient) -> None:
    # The declared length is within the request limit; the file part alone is over.
    response = upload(small_client, "edge.md", b"# T\n\n" + b"x" * 4100)
    assert response.status_code == 413


def test_a_chunked_upload_without_length_is_refused(small_client: TestClient) -> None:
    boundary = "termshiftboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.md\"\r\nContent-Type: text/markdown\r\n\r\n").encode()
    def body() -> Iterator[bytes]:
        yield head
        for _ in range(200):  # 200 x 1000 bytes, far past the 4,000-byte limit
            yield b"y" * 1000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small_client.post("/api/v1/documents", content=body(), headers={
        "content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert "TERMSHIFT_MAX_BYTES" in response.json()["error"]["message"]


def test_pages_upload_is_bounded_by_the_request_limit(small_client: TestClient) -> None:
    files = [("files", (f"f{i}.md", b"z" * 3000)) for i in range(10)]
    response = small_client.post("/upload", files=files)
    assert response.status_code == 413
    assert "TERMSHIFT_MAX_REQUEST_BYTES" in response.json()["error"]["message"]


def test_pages_files_over_the_file_limit_are_named(small_client: TestClient) -> None:
    ok = b"# Terms\n\n## 1. Use\n\nYou are responsible for your agents.\n"
    response = small_client.post("/upload", files=[("files", ("ok-v1.md", ok)),
                                                   ("files", ("huge-v1.md", b"h" * 5000))])
    assert response.status_code == 422
    assert "huge-v1.md" in response.text and "TERMSHIFT_MAX_BYTES" in response.text
    assert "Uploaded 1 of 2 files" in response.text  # the good file was kept


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[int]:
    """The port of a live server whose file limit is 4,000 bytes."""
    settings = Settings(data_dir=tmp_path, workers=0, max_bytes=4000)
    store = open_store(settings)
    with LiveServer(create_app(settings, store)) as server:
        yield int(server.url.rsplit(":", 1)[1])
    store.close()


def _upload_head(port: int, length_header: str) -> socket.socket:
    """A socket that has sent the head of a multipart upload, and no body yet."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall((f"POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Content-Type: multipart/form-data; boundary=b\r\n"
                  f"{length_header}\r\n\r\n").encode())
    return sock


def _reply(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded: 10 s, 1 MB)."""
    data = b""
    while len(data) < 1_000_000:
        try:
            piece = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not piece:
            break
        data += piece
    sock.close()
    return data


def test_the_413_comes_before_a_streamed_body_is_all_sent(small_server: int) -> None:
    sock = _upload_head(small_server, "Transfer-Encoding: chunked")
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\n\r\n'
    sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
    chunk = b"y" * 65536
    sent = 0
    for _ in range(1600):  # up to 100 MB, were the server to read it all
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            break  # the server stopped reading
        sent += len(chunk)
        if select.select([sock], [], [], 0)[0]:
            break  # it has answered already
    reply = _reply(sock)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"4,000 bytes per file" in reply and b"TERMSHIFT_MAX_BYTES" in reply
    assert sent < 10 * 1024 * 1024, sent  # refused long before the 100 MB were sent


def test_a_declared_length_over_the_limit_is_refused_at_once(small_server: int) -> None:
    sock = _upload_head(small_server, "Content-Length: 50000000")
    reply = _reply(sock)  # no body sent at all: the answer cannot wait for one
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
