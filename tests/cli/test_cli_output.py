"""Where the CLI writes and in which format: -o's file name chooses when --format is not given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_cli

V1, V2 = "corpora/agent-network-terms-v1.md", "corpora/agent-network-terms-v2.md"


@pytest.mark.parametrize("name, starts", [
    ("report.html", "<!doctype html>"),
    ("report.md", "# "),
    ("report.json", "{"),
    ("report.out", "{"),
])
def test_compare_format_follows_the_output_name(tmp_path: Path, name: str, starts: str) -> None:
    out = tmp_path / name
    proc = run_cli("compare", V1, V2, "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_text("utf-8").startswith(starts)


def test_an_explicit_format_wins_over_the_output_name(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("analyze", V1, "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(out.read_text("utf-8"))["schema_version"] == "1"
