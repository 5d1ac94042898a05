"""Latency of the HTTP API over loopback: upload (with N uploads in flight), cold comparison
and cached comparison of 20-page documents, against a real `termshift serve` process.

    python bench/api_latency.py [--pages 20] [--format pdf|md] [--in-flight 20] [--rounds 3]

Uploads are answered once the original is stored (`?wait=false`) and parsed after; the
script also times until a whole round is parsed, and uploads that wait for their parse.
The server runs in its own process on the embedded SQLite store in a temporary folder
(or TERMSHIFT_DATABASE_URL, if set), with TERMSHIFT_WORKERS parser processes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from throughput import sample_markdown, sample_pdf  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_PAGE = 420


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def variants(count: int, pages: int, fmt: str) -> list[tuple[str, bytes]]:
    """`count` distinct versions of one ~`pages`-page document: each changes one clause."""
    base = sample_markdown(pages * WORDS_PER_PAGE)
    docs = []
    for i in range(count):
        text = re.sub(r"(## 1\.1\.[^\n]*\n\n)",
                      rf"\1You are solely responsible for the acts of agent number {i}. ",
                      base, count=1)
        if fmt == "pdf":
            docs.append((f"terms-v{i}.pdf", sample_pdf(pages, text)))
        else:
            docs.append((f"terms-v{i}.md", text.encode()))
    return docs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "TERMSHIFT_DATA_DIR": str(data_dir),
           "TERMSHIFT_WORKERS": str(workers)}
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # up to 20 s
        time.sleep(0.1)
        try:
            if httpx.get(base + "/api/v1/documents", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit("the server exited while starting") from None
    proc.terminate()
    raise SystemExit("the server did not start within 20 s")


async def upload(client: httpx.AsyncClient, name: str, data: bytes,
                 wait: bool = False) -> tuple[float, str]:
    start = time.perf_counter()
    response = await client.post(f"/api/v1/documents?wait={str(wait).lower()}",
                                 files={"file": (name, data)})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, response.json()["id"]


async def all_read(client: httpx.AsyncClient, ids: list[str]) -> None:
    for _ in range(6000):  # up to 10 minutes
        docs = (await client.get("/api/v1/documents", params={"limit": 1000})).json()
        pending = [d for d in docs["documents"] if d["id"] in ids and d["status"] != "ready"]
        if not pending:
            return
        if any(d["status"] == "failed" for d in pending):
            raise SystemExit(f"a document failed to parse: {pending[0]['error']}")
        await asyncio.sleep(0.1)
    raise SystemExit("the documents were not read within 10 minutes")


async def run(base: str, docs: list[tuple[str, bytes]], in_flight: int, rounds: int,
              cached_runs: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"upload": [], "parsed": [], "upload_wait": [],
                                       "cold": [], "cached": [], "cached_html": []}
    ids: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        # Warm-up: the parser processes start and load their pipeline (not measured).
        warm = await asyncio.gather(*(upload(client, n, d, wait=True) for n, d in docs[:2]))
        ids.extend(i for _, i in warm)
        rest = docs[2:]
        for r in range(rounds):
            batch = rest[r * in_flight:(r + 1) * in_flight]
            start = time.perf_counter()
            results = await asyncio.gather(*(upload(client, n, d) for n, d in batch))
            timings["upload"].extend(t for t, _ in results)
            batch_ids = [i for _, i in results]
            await all_read(client, batch_ids)
            timings["parsed"].append(time.perf_counter() - start)
            ids.extend(batch_ids)
        waited = rest[rounds * in_flight:rounds * in_flight + in_flight]
        results = await asyncio.gather(*(upload(client, n, d, wait=True) for n, d in waited))
        timings["upload_wait"].extend(t for t, _ in results)
        pairs = list(itertools.pairwise(ids))[:10]
        comparison_ids = []
        for old, new in pairs:
            start = time.perf_counter()
            response = await client.post("/api/v1/comparisons", json={"old": old, "new": new})
            timings["cold"].append(time.perf_counter() - start)
            response.raise_for_status()
            comparison_ids.append(response.json()["id"])
        for i in range(cached_runs):
            cid = comparison_ids[i % len(comparison_ids)]
            start = time.perf_counter()
            (await client.get(f"/api/v1/comparisons/{cid}")).raise_for_status()
            timings["cached"].append(time.perf_counter() - start)
            start = time.perf_counter()
            (await client.get(f"/api/v1/comparisons/{cid}?format=html")).raise_for_status()
            timings["cached_html"].append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--format", choices=("pdf", "md"), default="pdf")
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cached", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date {date.today()}, cores {os.cpu_count()}, Python {platform.python_version()}; "
          f"server: termshift serve, {args.workers} parser processes, "
          f"{'TERMSHIFT_DATABASE_URL' if os.environ.get('TERMSHIFT_DATABASE_URL') else 'SQLite'}")
    docs = variants(2 + (args.rounds + 1) * args.in_flight, args.pages, args.format)
    sizes = statistics.median(len(d) for _, d in docs)
    print(f"documents: {len(docs)} distinct {args.pages}-page {args.format} files, "
          f"median {sizes / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory(prefix="termshift-bench-") as tmp:
        proc, base = start_server(Path(tmp), args.workers)
        try:
            timings = asyncio.run(run(base, docs, args.in_flight, args.rounds, args.cached))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    targets = {"upload": 1.0, "cached": 0.3}
    labels = {"upload": f"upload, {args.in_flight} in flight",
              "parsed": f"all {args.in_flight} uploaded and parsed",
              "upload_wait": f"upload ?wait=true, {args.in_flight} in flight",
              "cold": "cold comparison (stored analyses)",
              "cached": "cached comparison, JSON", "cached_html": "cached comparison, HTML"}
    print(f"{'request':40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}  target")
    for key, values in timings.items():
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        target = targets.get(key)
        verdict = "" if target is None else (
            f"p95 <= {target * 1000:.0f} ms: {'met' if p95 <= target * 1000 else 'NOT met'}")
        print(f"{labels[key]:40} {len(values):>4} {p50:>8.0f} {p95:>8.0f}  {verdict}")


if __name__ == "__main__":
    main()
