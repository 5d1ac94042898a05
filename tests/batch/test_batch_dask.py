"""A batch on a real Dask cluster: two worker processes on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from batch_docs import terms, write_csv, write_pairs
from cli_support import run_cli

distributed = pytest.importorskip("distributed")


def test_batch_on_a_local_dask_cluster(tmp_path: Path) -> None:
    rows = write_pairs(tmp_path, 4)
    # A version history: the middle versions are shared by consecutive pairs.
    for v in range(4):
        (tmp_path / "docs" / f"h{v}.md").write_text(terms(99, v), "utf-8")
    rows += [(f"h{v}", f"docs/h{v}.md", f"docs/h{v + 1}.md") for v in range(3)]
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        done = run_cli("batch", str(manifest), "-o", str(out), "-f", "json,html",
                       env={"TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address})
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in rows)
    assert all(r["status"] == "ok" for r in records), records
    assert all((out / f"{r[0]}.html").is_file() for r in rows)
    assert next(r for r in records if r["id"] == "h2")["highest"] is not None


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", write_pairs(tmp_path, 1))
    done = run_cli("batch", str(manifest), "-o", str(tmp_path / "out"),
                   "--scheduler", "tcp://127.0.0.1:9",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert done.returncode == 3
    assert b"cannot reach the Dask scheduler" in done.stderr
    assert done.stderr.decode().count("\n") == 1


def test_a_scheduler_without_workers_is_one_line_after_the_wait(tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", write_pairs(tmp_path, 1))
    with distributed.LocalCluster(n_workers=0, processes=True, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        done = run_cli("batch", str(manifest), "-o", str(tmp_path / "out"),
                       env={"TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address,
                            "TERMSHIFT_DASK_WAIT_SECONDS": "2"})
    assert done.returncode == 3, done.stderr
    assert b"has no workers (waited 2 s" in done.stderr
    assert done.stderr.decode().count("\n") == 1


def _cluster(workers: int) -> Any:
    return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    host="127.0.0.1", dashboard_address=None,
                                    worker_dashboard_address=None)


@dataclass
class _Running:
    """A `termshift batch` of 160 pairs on a cluster, started and past its first results."""

    rows: list[tuple[str, str, str]]
    index: Path
    process: subprocess.Popen[bytes]

    def wait(self, timeout: float) -> bytes:
        """Its standard error once it has ended (the test fails if it has not in time)."""
        return self.process.communicate(timeout=timeout)[1]

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.index.read_text().splitlines()]


@contextmanager
def _batch_mid_run(tmp_path: Path, address: str, **env: str) -> Iterator[_Running]:
    """Start the batch and return once its first 4 results are written (at most 60 s), so
    the caller can change the cluster mid-batch; the batch is killed if still running."""
    from cli_support import REPO

    rows = write_pairs(tmp_path, 160, sections=4)
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out), "-q"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TERMSHIFT_DASK_SCHEDULER": address, **env})
    running = _Running(rows, out / "index.jsonl", process)
    try:
        for _ in range(600):
            if running.index.is_file() and len(running.index.read_text().splitlines()) >= 4:
                break
            time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.kill()


def test_a_worker_that_joins_mid_batch_takes_work_and_no_pair_runs_twice(
        tmp_path: Path) -> None:
    with _cluster(1) as cluster:
        with _batch_mid_run(tmp_path, cluster.scheduler_address) as batch:
            cluster.scale(2)
            stderr = batch.wait(180)
        with distributed.Client(cluster) as client:
            parsed = client.run(lambda: __import__("analyzer.jobs.worker", fromlist=["_"])
                                ._parsed["count"])
    assert batch.process.returncode == 0, stderr
    records = batch.records()
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in batch.rows)  # each once
    assert all(r["status"] == "ok" for r in records)
    # The joining worker took half of the longest lane (Dask's stealing alone gave it a few
    # chunks: 14 of 320 parses in a trial without that step; 156 with it).
    assert len(parsed) == 2 and min(parsed.values()) >= 0.15 * sum(parsed.values()), parsed


def test_a_cluster_lost_mid_batch_is_one_line_and_the_finished_pairs_stay(
        tmp_path: Path) -> None:
    cluster = _cluster(1)
    try:
        with _batch_mid_run(tmp_path, cluster.scheduler_address,
                            DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s") as batch:
            cluster.close()  # the scheduler and its worker go away mid-batch
            stderr = batch.wait(120)
    finally:
        cluster.close()
    assert batch.process.returncode == 3, stderr.decode()
    assert b"stopped answering" in stderr and b"run the same command again" in stderr, stderr
    assert stderr.decode().count("\n") == 1, stderr
    finished = batch.records()
    assert 4 <= len(finished) < len(batch.rows)
    assert all(r["status"] == "ok" for r in finished)


def test_a_worker_killed_mid_batch_costs_no_pair(tmp_path: Path) -> None:
    import signal

    with _cluster(2) as cluster, distributed.Client(cluster) as client, \
            _batch_mid_run(tmp_path, cluster.scheduler_address) as batch:
        # One worker process dies hard, with the documents scattered to it (its nanny
        # starts a new one, at a new address).
        victim = sorted(client.run(os.getpid).values())[0]
        os.kill(victim, signal.SIGKILL)
        stderr = batch.wait(240)
    assert batch.process.returncode == 0, stderr.decode()
    records = batch.records()
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in batch.rows)  # each once
    assert all(r["status"] == "ok" for r in records)


def test_a_scheduler_left_without_workers_mid_batch_is_one_line_not_a_hang(
        tmp_path: Path) -> None:
    with _cluster(1) as cluster, _batch_mid_run(tmp_path, cluster.scheduler_address,
                                                TERMSHIFT_DASK_WAIT_SECONDS="2") as batch:
        cluster.scale(0)  # the scheduler stays; its only worker goes
        stderr = batch.wait(120)
    assert batch.process.returncode == 3, stderr.decode()
    assert b"has had no workers for 2 s" in stderr, stderr
    assert stderr.decode().count("\n") == 1, stderr
    finished = batch.records()
    assert 4 <= len(finished) < len(batch.rows) and all(r["status"] == "ok" for r in finished)
