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


def test_a_pattern_that_compiled_before_compiles_on_first_use() -> None:
    import pickle
    import uuid

    from analyzer.rules import LazyPattern, compile_pattern

    unique = uuid.uuid4().hex  # a pattern this cache has never seen
    text = rf"\bsolely\s+responsible\s+for\s+(?:agent\s+)?{unique}\b"
    first = compile_pattern(text, {})
    assert isinstance(first, re.Pattern)  # new: compiled now, which checks it
    later = compile_pattern(text, {})
    assert isinstance(later, LazyPattern) and "_compiled" not in vars(later)
    clause = f"you are solely responsible for agent {unique}"
    assert later.search(clause) and first.search(clause)
    assert not later.search("you are responsible")
    assert [m.span() for m in later.finditer(clause)] == [m.span() for m in first.finditer(clause)]
    # Compiled once, then the compiled pattern's own method answers.
    assert later.search is vars(later)["search"] and later.groups == first.groups
    assert pickle.loads(pickle.dumps(later)).search(clause)


def test_a_broken_pattern_is_never_taken_for_a_valid_one() -> None:
    from analyzer.rules import compile_pattern

    for _ in range(2):
        with pytest.raises(ValueError, match="bad regular expression"):
            compile_pattern(r"\bsolely\s+(responsible", {})
