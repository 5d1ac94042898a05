"""`termshift serve` stops cleanly while a request waits on a stuck parse, and a server killed
with SIGKILL leaves no parse worker, reader or resource tracker behind. Real processes: the
server is started here, and only it and its own descendants are ever signalled, by id."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hostile_docs import deep_html

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds the server's child processes in /proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent id) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _descendants(root: int) -> dict[int, int]:
    """Every living descendant of `root`, with its depth (1: a child)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X"):
                parents.setdefault(stat[1], []).append(int(entry.name))
    found: dict[int, int] = {}
    frontier = [(root, 0)]
    while frontier:
        pid, depth = frontier.pop()
        for child in parents.get(pid, []):
            if child not in found:
                found[child] = depth + 1
                frontier.append((child, depth + 1))
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`termshift serve` with one parse worker, and a request waiting on a parse that would
    take minutes (HTML nested 60,000 deep, with the depth limit raised to let it in)."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TERMSHIFT_DATA_DIR": str(tmp_path / "data"),
               "TERMSHIFT_WORKERS": "1", "TERMSHIFT_MAX_HTML_DEPTH": "1000000",
               "TERMSHIFT_PARSE_SECONDS": "600", "TERMSHIFT_READY_TIMEOUT": "600",
               "TERMSHIFT_SHUTDOWN_SECONDS": "2"}
        env.pop("TERMSHIFT_DATABASE_URL", None)
        self.log = (tmp_path / "serve.log").open("w+")
        # Its own process group, so that a Ctrl-C can be sent to it as a terminal would.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "analyzer.cli", "serve", "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.seen: dict[int, int] = {}
        self.answer: httpx.Response | httpx.HTTPError | None = None

    def output(self) -> str:
        return Path(self.log.name).read_text()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx.get(self.base + "/api/v1/documents", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start within 60 s:\n" + self.output())

    def upload_stuck_parse(self) -> None:
        """Upload in a thread (the request waits for the parse) until the reader runs."""
        body = deep_html(60_000)

        def post() -> None:
            try:
                self.answer = httpx.post(self.base + "/api/v1/documents", timeout=120,
                                         files={"file": ("deep.html", body, "text/html")})
            except httpx.HTTPError as exc:  # the server went away under it
                self.answer = exc

        threading.Thread(target=post, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.seen = _descendants(self.proc.pid)
            if any(depth >= 2 for depth in self.seen.values()):  # worker -> reader child
                return
            time.sleep(0.1)
        raise AssertionError(f"no reader process appeared: {self.seen}\n{self.output()}")

    def left_behind(self, seconds: float) -> list[int]:
        deadline = time.monotonic() + seconds
        while True:
            alive = [pid for pid in self.seen if _alive(pid)]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)

    def close(self) -> None:
        for pid in [self.proc.pid, *self.seen]:  # only what this test started
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path)
    try:
        started.wait_until_up()
        yield started
    finally:
        started.close()


def _stops_with(server: Server, send_signal: Callable[[], None]) -> None:
    server.upload_stuck_parse()
    assert len(server.seen) >= 2, server.seen  # a worker and its reader (and the tracker)
    send_signal()
    try:
        server.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("the server did not stop within 30 s:\n" + server.output()) \
            from None
    assert server.left_behind(15) == [], server.output()
    assert "Traceback" not in server.output(), server.output()
    # The waiting request was answered, not cut off: its document is read at the next start.
    answer = server.answer
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "document.processing"
    assert "server is stopping" in answer.json()["error"]["message"]


def test_sigterm_stops_the_server_and_its_workers(server: Server) -> None:
    _stops_with(server, lambda: os.kill(server.proc.pid, signal.SIGTERM))


def test_ctrl_c_stops_the_server_and_its_workers(server: Server) -> None:
    # A terminal sends SIGINT to the whole foreground process group.
    _stops_with(server, lambda: os.killpg(server.proc.pid, signal.SIGINT))


def test_a_server_killed_with_sigkill_leaves_no_process_behind(server: Server) -> None:
    server.upload_stuck_parse()
    kinds = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in server.seen}
    assert any(b"resource_tracker" in cmd for cmd in kinds.values()), kinds
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    left = server.left_behind(20)
    assert left == [], {pid: kinds[pid] for pid in left}
