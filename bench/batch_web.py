"""What a large batch costs the web app once it has run: the batch page's poll (the window of
pairs its script asks for, and the whole JSON), the page itself, and the zip download.

    python bench/batch_web.py [--pairs 1000] [--rounds 20]

The app runs in this process (FastAPI's test client) on the embedded SQLite store in a
temporary folder. The batch compares two bundled sample versions under --pairs distinct pair
ids: the server reuses the stored comparison, so the run is quick, while the page, the
polls and the zip still carry --pairs rows and reports.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import checkout  # noqa: F401  (this checkout's analyzer, not the installed one)

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
JSON = {"Accept": "application/json"}


def timed(call: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    """(median seconds over `rounds` calls, the last answer)."""
    times, answer = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from analyzer import __version__
    from analyzer.settings import Settings
    from analyzer.store import open_store
    from analyzer.web.app import create_app

    print(f"command: python bench/batch_web.py --pairs {args.pairs} --rounds {args.rounds}")
    print(f"date {date.today()} · termshift {__version__} · Python {platform.python_version()}"
          f" · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), workers=0)
        store = open_store(settings)
        with TestClient(create_app(settings, store), base_url="http://127.0.0.1") as client:
            ids = [client.post("/api/v1/documents", files={"file": (
                name, (CORPORA / name).read_bytes())}).json()["id"]
                for name in ("agent-network-terms-v1.md", "agent-network-terms-v2.md")]
            pairs = [{"old": ids[0], "new": ids[1], "id": f"p{n}"} for n in range(args.pairs)]
            start = time.perf_counter()
            batch = client.post("/api/v1/batches", json={"pairs": pairs}).json()["id"]
            page = f"/batches/{batch}"
            while client.get(f"{page}?limit=1", headers=JSON).json()["status"] == "running":
                time.sleep(0.2)
            print(f"batch of {args.pairs} pairs (one stored comparison reused): "
                  f"{time.perf_counter() - start:.1f} s")
            half = args.pairs // 2
            for what, url in (("poll, window of 100", f"{page}?offset={half}&limit=100"),
                              ("poll, whole JSON", page)):
                seconds, answer = timed(lambda u=url: client.get(u, headers=JSON),
                                        args.rounds)
                print(f"{what}: p50 {seconds * 1000:.0f} ms, {len(answer.content):,} bytes")
            seconds, answer = timed(lambda: client.get(page), max(3, args.rounds // 4))
            print(f"batch page (HTML): p50 {seconds * 1000:.0f} ms, "
                  f"{len(answer.content):,} bytes")
            for reports in ("json", "json,html"):
                seconds, answer = timed(lambda r=reports: client.get(
                    f"/api/v1/batches/{batch}/download?reports={r}"), 1)
                print(f"zip ({reports}): {seconds:.1f} s, {args.pairs / seconds:.0f} pairs/s, "
                      f"{len(answer.content):,} bytes")
        store.close()


if __name__ == "__main__":
    sys.exit(main())
