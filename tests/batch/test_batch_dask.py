"""A batch on a real Dask cluster: two worker processes on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

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


def test_a_worker_that_joins_mid_batch_takes_work_and_no_pair_runs_twice(
        tmp_path: Path) -> None:
    from cli_support import REPO

    rows = write_pairs(tmp_path, 160, sections=4)
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    index = out / "index.jsonl"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        batch = subprocess.Popen(
            [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out),
             "-q"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ,
                 "TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address})
        try:
            for _ in range(600):  # until the first results are written (at most 60 s)
                if index.is_file() and len(index.read_text().splitlines()) >= 4:
                    break
                time.sleep(0.1)
            cluster.scale(2)
            _, stderr = batch.communicate(timeout=180)
        finally:
            if batch.poll() is None:
                batch.kill()
        with distributed.Client(cluster) as client:
            parsed = client.run(lambda: __import__("analyzer.jobs.worker", fromlist=["_"])
                                ._parsed["count"])
    assert batch.returncode == 0, stderr
    records = [json.loads(line) for line in index.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in rows)  # each once
    assert all(r["status"] == "ok" for r in records)
    # The joining worker took half of the longest lane (Dask's stealing alone gave it a few
    # chunks: 14 of 320 parses in a trial without that step; 156 with it).
    assert len(parsed) == 2 and min(parsed.values()) >= 0.15 * sum(parsed.values()), parsed


def test_a_cluster_lost_mid_batch_is_one_line_and_the_finished_pairs_stay(
        tmp_path: Path) -> None:
    from cli_support import REPO

    rows = write_pairs(tmp_path, 160, sections=4)
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    index = out / "index.jsonl"
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       worker_dashboard_address=None)
    batch = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out), "-q"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address,
             "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    try:
        for _ in range(600):  # until the first results are written (at most 60 s)
            if index.is_file() and len(index.read_text().splitlines()) >= 4:
                break
            time.sleep(0.1)
        cluster.close()  # the scheduler and its worker go away mid-batch
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
        cluster.close()
    assert batch.returncode == 3, stderr.decode()
    assert b"stopped answering" in stderr and b"run the same command again" in stderr, stderr
    assert stderr.decode().count("\n") == 1, stderr
    finished = [json.loads(line) for line in index.read_text().splitlines()]
    assert 4 <= len(finished) < len(rows)
    assert all(r["status"] == "ok" for r in finished)


def test_a_worker_killed_mid_batch_costs_no_pair(tmp_path: Path) -> None:
    import signal

    from cli_support import REPO

    rows = write_pairs(tmp_path, 160, sections=4)
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    index = out / "index.jsonl"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        batch = subprocess.Popen(
            [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out),
             "-q"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address})
        try:
            for _ in range(600):  # until the first results are written (at most 60 s)
                if index.is_file() and len(index.read_text().splitlines()) >= 4:
                    break
                time.sleep(0.1)
            # One worker process dies hard, with the documents scattered to it (its nanny
            # starts a new one, at a new address).
            victim = sorted(client.run(os.getpid).values())[0]
            os.kill(victim, signal.SIGKILL)
            _, stderr = batch.communicate(timeout=240)
        finally:
            if batch.poll() is None:
                batch.kill()
    assert batch.returncode == 0, stderr.decode()
    records = [json.loads(line) for line in index.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in rows)  # each once
    assert all(r["status"] == "ok" for r in records)


def test_a_scheduler_left_without_workers_mid_batch_is_one_line_not_a_hang(
        tmp_path: Path) -> None:
    from cli_support import REPO

    rows = write_pairs(tmp_path, 160, sections=4)
    manifest = write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "out"
    index = out / "index.jsonl"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        batch = subprocess.Popen(
            [sys.executable, "-m", "analyzer.cli", "batch", str(manifest), "-o", str(out),
             "-q"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "TERMSHIFT_DASK_SCHEDULER": cluster.scheduler_address,
                 "TERMSHIFT_DASK_WAIT_SECONDS": "2"})
        try:
            for _ in range(600):  # until the first results are written (at most 60 s)
                if index.is_file() and len(index.read_text().splitlines()) >= 4:
                    break
                time.sleep(0.1)
            cluster.scale(0)  # the scheduler stays; its only worker goes
            _, stderr = batch.communicate(timeout=120)
        finally:
            if batch.poll() is None:
                batch.kill()
    assert batch.returncode == 3, stderr.decode()
    assert b"has had no workers for 2 s" in stderr, stderr
    assert stderr.decode().count("\n") == 1, stderr
    finished = [json.loads(line) for line in index.read_text().splitlines()]
    assert 4 <= len(finished) < len(rows) and all(r["status"] == "ok" for r in finished)
