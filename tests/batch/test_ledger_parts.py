"""Resuming a batch removes the half-written report files a killed run left behind, and
only those: a file still being written by a live process stays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analyzer.jobs.ledger import Ledger


def test_resume_sweeps_parts_of_dead_writers_only(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(gone.stdout)  # that process has ended
    (tmp_path / "index.jsonl").write_text('{"id": "pair-000", "status": "ok"}\n')
    stale = tmp_path / f".pair-001.json.{dead_pid}.part"
    live = tmp_path / f".pair-002.json.{os.getpid()}.part"
    stale.write_text("{")
    live.write_text("{")
    ledger = Ledger(tmp_path / "index.jsonl")
    ledger.close()
    assert "pair-000" in ledger
    assert not stale.exists()
    assert live.exists()
