"""Hostile inputs against the parse budgets: each file is made here at run time (nothing is
committed), read by the CLI, and reported as refused or read, with seconds and peak memory.
Then a real `termshift serve` on loopback gets two flate bombs queued and one good upload,
and the good upload is timed; the server is restarted and the good upload timed again.

    python bench/hostile.py [--bomb-mb 2048] [--skip-server]

The budgets are the environment's (TERMSHIFT_PARSE_SECONDS, TERMSHIFT_PARSE_MEMORY_MB, ...).
Every process this script starts is ended by its own id; every wait is bounded.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "helpers"))
from hostile_docs import deep_html, docx_bomb, flate_bomb_pdf  # noqa: E402

GOOD = (b"# Assistant terms\n\n## 1. Fees\n\nYou pay the fees listed on the order form. "
        b"We may change the fees with 30 days' notice.\n\n## 2. Data\n\nWe do not sell "
        b"your data. We may use your content to train models unless you opt out.\n")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run_cli(path: Path) -> tuple[str, float, int]:
    """Refused or read, wall seconds, peak memory in MB of the CLI and its reader child."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "analyze", str(path)],
                            cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    timer = threading.Timer(900, proc.kill)  # this script's own child, by its handle
    timer.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    _pid, status, usage = os.wait4(proc.pid, 0)  # its rusage covers the reaped reader child
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    peak = usage.ru_maxrss // 1024  # kB on Linux
    if proc.returncode == 0:
        return "read", elapsed, peak
    line = err.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
    return f"refused (exit {proc.returncode}): {line[0][:160]}", elapsed, peak


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**_env(), "TERMSHIFT_DATA_DIR": str(data_dir), "TERMSHIFT_HOST": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "serve", "--port",
                             str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/documents", timeout=2).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    _stop(proc)
    raise SystemExit("the server did not answer within 60 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # only the server this script started (it ends its own workers)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def _good_upload(port: int, label: str) -> float:
    started = time.monotonic()
    reply = httpx.post(f"http://127.0.0.1:{port}/api/v1/documents",
                       files={"file": (f"good-{label}.md", GOOD + label.encode())},
                       timeout=600)
    elapsed = time.monotonic() - started
    print(f"  good upload ({label}): HTTP {reply.status_code} in {elapsed:.1f} s "
          f"({'under' if elapsed < 10 else 'NOT under'} 10 s)")
    return elapsed


def server_round(bomb: bytes, folder: Path) -> None:
    port = _free_port()
    data_dir = folder / "server-data"
    server = _start_server(data_dir, port)
    try:
        for n in (1, 2):
            reply = httpx.post(f"http://127.0.0.1:{port}/api/v1/documents?wait=false",
                               files={"file": (f"bomb-{n}.pdf", bomb + b"%" * n)}, timeout=60)
            print(f"  bomb {n} queued: HTTP {reply.status_code}")
        _good_upload(port, "while two bombs are queued")
    finally:
        _stop(server)
    server = _start_server(data_dir, port)
    try:
        _good_upload(port, "after a restart")
        docs = httpx.get(f"http://127.0.0.1:{port}/api/v1/documents", timeout=30).json()
        for doc in docs["documents"]:
            error = (doc.get("error") or {}).get("code")
            print(f"  {doc['filename']}: {doc['status']}{f' ({error})' if error else ''}")
    finally:
        _stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=2048,
                        help="what the flate bomb inflates to, in MB")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    print(f"termshift hostile inputs, {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"TERMSHIFT_PARSE_SECONDS={os.environ.get('TERMSHIFT_PARSE_SECONDS', 'default')}, "
          f"TERMSHIFT_PARSE_MEMORY_MB={os.environ.get('TERMSHIFT_PARSE_MEMORY_MB', 'default')}")
    with tempfile.TemporaryDirectory(prefix="termshift-hostile-") as tmp:
        folder = Path(tmp)
        bomb = flate_bomb_pdf(args.bomb_mb)
        files = {
            f"flate-bomb.pdf ({len(bomb):,} B -> {args.bomb_mb} MB)": ("bomb.pdf", bomb),
            "docx-bomb.docx (190 MB of text)": ("bomb.docx", docx_bomb(190)),
            "deep.html (depth 40,000)": ("deep.html", deep_html(40_000)),
            "deep.html (depth 400)": ("ok.html", deep_html(400)),
            # a title check once re-read a line's rest after every comma (10 s at 512 KB)
            "long-line.md (one 512 KB line of commas)": (
                "line.md", ("Aa, " * 128_000 + "And Bb\n\nYou must pay the fee.\n").encode()),
        }
        for label, (name, data) in files.items():
            path = folder / name
            path.write_bytes(data)
            outcome, seconds, peak = run_cli(path)
            print(f"{label}: {outcome}; {seconds:.1f} s; peak {peak} MB")
        if not args.skip_server:
            print("server (2 parse workers, loopback):")
            server_round(bomb, folder)


if __name__ == "__main__":
    main()
