"""The on-disk memo of gate strings (analyzer/cache.py): same answers warm and cold, and a
cache folder that cannot be used only means the work is done again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyzer.cache import DiskMemo
from analyzer.rules import _derive_literals, necessary_literals

PATTERNS = [r"\bsolely\s+responsible\b", r"\b(?:indemnif\w+|hold\s+harmless)\b", r"\w+"]


def test_the_memo_gives_what_the_parser_derives() -> None:
    for text in PATTERNS:
        pattern = re.compile(text, re.IGNORECASE)
        assert necessary_literals(pattern) == _derive_literals(pattern)


def test_a_memo_round_trips_through_its_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERMSHIFT_CACHE_DIR", str(tmp_path))
    first = DiskMemo("probe")
    assert first.get("k") == (False, None)
    first.put("k", ["solely"])
    first.put("none", None)
    first.save()
    (written,) = tmp_path.glob("probe-*.json")
    assert json.loads(written.read_text("utf-8")) == {"k": ["solely"], "none": None}
    second = DiskMemo("probe")
    assert second.get("k") == (True, ["solely"])
    assert second.get("none") == (True, None)


def test_an_unusable_cache_folder_is_no_error(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("TERMSHIFT_CACHE_DIR", str(blocker / "sub"))
    memo = DiskMemo("probe")
    memo.put("k", ["x"])
    memo.save()  # cannot create the folder: nothing raised, nothing written
    assert memo.get("k") == (True, ["x"])


def test_a_corrupt_cache_file_is_read_as_empty(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERMSHIFT_CACHE_DIR", str(tmp_path))
    DiskMemo("probe")._path.write_text("{not json", "utf-8")
    assert DiskMemo("probe").get("k") == (False, None)
