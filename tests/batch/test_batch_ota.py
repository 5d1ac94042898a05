"""`--ota`: every consecutive pair of every document of an Open Terms Archive folder."""

from __future__ import annotations

import json
from pathlib import Path

from batch_docs import terms
from cli_support import run_cli

from analyzer.jobs.manifest import ota_pairs


def build_ota(root: Path) -> None:
    history = root / "Example Service" / "Terms of Service"
    history.mkdir(parents=True)
    for v, day in enumerate(["2024-01-31", "2024-06-01", "2025-02-10"]):
        (history / f"{day}.md").write_text(terms(1, v), "utf-8")
    (history / "README.md").write_text("not a version\n", "utf-8")
    other = root / "Other" / "Privacy Policy"
    other.mkdir(parents=True)
    (other / "2023-05-05.md").write_text(terms(2, 0), "utf-8")  # one version: no pair
    pair = root / "07_example_terms"
    pair.mkdir()
    (pair / "old.md").write_text(terms(3, 0), "utf-8")
    (pair / "new.md").write_text(terms(3, 3), "utf-8")


def test_ota_folder_gives_consecutive_pairs(tmp_path: Path) -> None:
    build_ota(tmp_path)
    pairs = ota_pairs(tmp_path)
    assert [(p.id, p.old, p.new) for p in pairs] == [
        ("07_example_terms", "07_example_terms/old.md", "07_example_terms/new.md"),
        ("Example-Service__Terms-of-Service__2024-01-31__2024-06-01",
         "Example Service/Terms of Service/2024-01-31.md",
         "Example Service/Terms of Service/2024-06-01.md"),
        ("Example-Service__Terms-of-Service__2024-06-01__2025-02-10",
         "Example Service/Terms of Service/2024-06-01.md",
         "Example Service/Terms of Service/2025-02-10.md"),
    ]


def test_ota_batch_from_the_command_line(tmp_path: Path) -> None:
    build_ota(tmp_path / "ota")
    out = tmp_path / "out"
    done = run_cli("batch", "--ota", str(tmp_path / "ota"), "-o", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    records = [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["status"] == "ok" for r in records)
    assert all(r["highest"] in ("high", "medium") for r in records), records
    empty = run_cli("batch", "--ota", str(tmp_path / "out"), "-o", str(tmp_path / "o2"))
    assert empty.returncode == 3 and b"no versions found" in empty.stderr
