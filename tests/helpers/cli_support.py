"""Running the real `termshift` command line in a subprocess, from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer.cli", *args],
        input=stdin, capture_output=True, cwd=REPO, timeout=120,
        env={**os.environ, **(env or {})},
    )
