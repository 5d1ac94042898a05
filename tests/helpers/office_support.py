"""Debian's LibreOffice (soffice) headless: skipped when absent, a failure in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        missing = ("LibreOffice is not installed "
                   "(apt-get install libreoffice-writer-nogui)")
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice tests cannot run in CI: {missing}")
        pytest.skip(missing)
    return found


def convert(source: Path, to: str, out_dir: Path) -> Path:
    """`soffice --headless --convert-to` with a profile of its own (no shared state, no
    lock on a user's profile); the converted file's path."""
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--norestore", "--convert-to", to, "--outdir", str(out_dir), str(source)],
        capture_output=True, timeout=180, check=False)
    converted = out_dir / f"{source.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and converted.exists(), result.stderr.decode()[-2000:]
    return converted
