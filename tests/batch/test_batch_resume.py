"""A batch killed mid-run resumes: nothing finished is lost or computed twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from batch_docs import write_csv, write_pairs
from cli_support import REPO, run_cli

PAIRS = 40


def lines(index: Path) -> list[str]:
    return index.read_text("utf-8").splitlines() if index.exists() else []


def test_kill_then_resume(tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", write_pairs(tmp_path, PAIRS, sections=12))
    out = tmp_path / "out"
    index = out / "index.jsonl"
    # Its own session, so the kill reaches the workers too, as a crash would.
    batch = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out),
         "--workers", "2", "-q"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(lines(index)) < 3 and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        _, err = batch.communicate(timeout=30)
    before = lines(index)
    assert 3 <= len(before) < PAIRS, err
    finished = {json.loads(line)["id"] for line in before if line.endswith("}")}
    stamps = {i: (out / f"{i}.json").stat().st_mtime_ns for i in finished}

    done = run_cli("batch", "--resume", str(out))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in lines(index)]
    ids = [r["id"] for r in records]
    assert sorted(ids) == [f"pair-{n:03d}" for n in range(PAIRS)]  # each exactly once
    assert all(r["status"] == "ok" for r in records)
    assert {i: (out / f"{i}.json").stat().st_mtime_ns for i in finished} == stamps
    assert f"({len(finished)} already done)".encode() in done.stderr
    assert not list(out.glob(".*.part"))
    again = run_cli("batch", str(manifest), "-o", str(out), "-q")
    assert again.returncode == 0 and len(lines(index)) == PAIRS
