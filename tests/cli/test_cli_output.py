"""Where the CLI writes and in which format: -o's file name chooses when --format is not given."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_support import REPO, run_cli

V1, V2 = "corpora/agent-network-terms-v1.md", "corpora/agent-network-terms-v2.md"


@pytest.mark.parametrize("name, starts", [
    ("report.html", "<!doctype html>"),
    ("report.md", "# "),
    ("report.json", "{"),
    ("report.out", "{"),
])
def test_compare_format_follows_the_output_name(tmp_path: Path, name: str, starts: str) -> None:
    out = tmp_path / name
    proc = run_cli("compare", V1, V2, "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_text("utf-8").startswith(starts)


def test_an_explicit_format_wins_over_the_output_name(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("analyze", V1, "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(out.read_text("utf-8"))["schema_version"] == "1.1"


def test_output_to_a_pipe_writes_through_it_and_keeps_it(tmp_path: Path) -> None:
    # As "-o /dev/null" must: renaming a finished file over a device or pipe would replace
    # it (for root, /dev/null itself).
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run_cli("analyze", V1, "--format", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and json.loads(received[0])["clauses"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize("name, magic", [("report.docx", b"PK\x03\x04"), ("report.pdf", b"%PDF")])
def test_compare_writes_docx_and_pdf_by_the_output_name(tmp_path: Path, name: str,
                                                        magic: bytes) -> None:
    out = tmp_path / name
    proc = run_cli("compare", V1, V2, "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes().startswith(magic)
    assert not (tmp_path / f"{name}.part").exists()


def test_binary_formats_go_to_redirected_stdout_but_not_to_a_terminal() -> None:
    piped = run_cli("compare", V1, V2, "--format", "docx")
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK\x03\x04")
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "analyzer.cli", "compare", V1, V2,
                               "--format", "pdf"], stdout=terminal, stderr=subprocess.PIPE,
                              cwd=REPO, timeout=120, check=False)
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2
    assert b"binary" in proc.stderr and b"-o report.pdf" in proc.stderr


def test_only_compare_writes_docx_and_pdf(tmp_path: Path) -> None:
    proc = run_cli("check", "corpora/agent-policy-weak.md", "-o", str(tmp_path / "c.pdf"))
    assert proc.returncode == 2 and b"not pdf" in proc.stderr
    assert not (tmp_path / "c.pdf").exists()
