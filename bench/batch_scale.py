"""`termshift batch` at scale: about 1,000 pairs built from real Open Terms Archive versions
(../shared/realdata/ota pairs and every consecutive pair of ota_histories, repeated and
shuffled), run on 1 and 2 local worker processes and on a 2-worker Dask LocalCluster.

Prints pairs/s, scaling efficiency (rate with 2 workers / (2 x rate with 1)), each worker's
peak RSS, how many documents it parsed and its CPU time as a share of the wall time (under
a share of 100%, the worker waited: for a core taken by another process, or for work), and
the CPU seconds of one `termshift compare` of two small files (the start-up a per-pair
process would pay).

    python bench/batch_scale.py [--data DIR] [--pairs 1000] [--skip-dask]

The data is read at run time; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

from analyzer.jobs.manifest import Pair, ota_pairs
from analyzer.jobs.runner import BatchOptions, BatchStats, run_batch

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "realdata"


def build_pairs(data: Path, count: int, seed: int = 17) -> tuple[list[Pair], int]:
    """The distinct real pairs, repeated and shuffled up to `count`, each with its own id."""
    distinct = ota_pairs(data / "ota") + ota_pairs(data / "ota_histories")
    rng = random.Random(seed)
    chosen = [distinct[i % len(distinct)] for i in range(count)]
    rng.shuffle(chosen)
    return [Pair(f"p{i:04d}", p.old, p.new, p.old_path, p.new_path)
            for i, p in enumerate(chosen)], len(distinct)


def timed(label: str, run: Callable[[Path], BatchStats], pairs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="batch-scale-") as tmp:
        started, parent = time.perf_counter(), time.process_time()
        stats = run(Path(tmp) / "out")
        seconds, parent = time.perf_counter() - started, time.process_time() - parent
    rate = pairs / seconds
    cpu = sum(f["cpu_ms"] for f in stats.workers.values()) / 1000
    print(f"{label:<28} {seconds:7.1f} s  {rate:6.2f} pairs/s  ok {stats.ok} failed "
          f"{stats.failed}; workers' CPU {cpu:.0f} s ({cpu / pairs:.2f} s per pair), "
          f"parent's {parent:.0f} s")
    for worker, figures in sorted(stats.workers.items()):
        busy = figures["cpu_ms"] / 1000 / seconds
        print(f"    worker {worker:<22} peak RSS {figures['peak_rss_kb'] / 1024:6.0f} MB, "
              f"parsed {figures['parsed']} documents, busy {busy:.0%} of the wall time")
    return rate


def startup_cpu_seconds() -> float:
    """CPU seconds (user + system) of one `termshift compare` of two small files."""
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old.md", Path(tmp) / "new.md"
        old.write_text("# Terms\n\n1. You are responsible for your account.\n", "utf-8")
        new.write_text("# Terms\n\n1. You are solely responsible for your account.\n", "utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "analyzer.cli", "compare", str(old), str(new),
                        "-o", os.devnull], cwd=ROOT, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("TERMSHIFT_REALDATA", DEFAULT)))
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {len(os.sched_getaffinity(0))}, "
          f"Python {platform.python_version()}")
    pairs, distinct = build_pairs(args.data, args.pairs)
    print(f"{len(pairs)} pairs from {distinct} distinct real pairs, JSON reports\n")
    cpu = startup_cpu_seconds()
    print(f"start-up: one `termshift compare` of two small files takes {cpu:.2f} CPU s\n")

    def local(workers: int) -> Callable[[Path], BatchStats]:
        return lambda out: run_batch(pairs, [], BatchOptions(out=out, workers=workers))

    one = timed("local, 1 worker", local(1), len(pairs))
    two = timed("local, 2 workers", local(2), len(pairs))
    print(f"scaling efficiency, 2 local workers: {two / (2 * one):.0%}")
    if not args.skip_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            address = cluster.scheduler_address
            dask = timed("Dask LocalCluster, 2 workers", lambda out: run_batch(
                pairs, [], BatchOptions(out=out, scheduler=address)), len(pairs))
        print(f"scaling efficiency, 2 Dask workers: {dask / (2 * one):.0%}")


if __name__ == "__main__":
    main()
