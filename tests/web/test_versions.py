"""What a stored analysis or report was made with: a change to the code that reads a document
or reports on it, not only to the rules and model, makes the web service read and report
again (analyzer.resources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import resources


def _package(tmp_path: Path) -> Path:
    package = tmp_path / "analyzer"
    (package / "ingest" / "__pycache__").mkdir(parents=True)
    (package / "compare").mkdir()
    (package / "ingest" / "builder.py").write_text("TITLE_WORDS = 6\n")
    (package / "ingest" / "__pycache__" / "builder.cpython-311.pyc").write_bytes(b"\x00")
    (package / "compare" / "general.py").write_text("SEVERITY = 'low'\n")
    (package / "web.py").write_text("PORT = 8000\n")
    for name in ("segment.py", "classifier.py", "rules.py", "rulebook.py", "model.py",
                 "check.py", "controls.py", "control_reader.py", "similarity.py",
                 "serialize.py"):
        (package / name).write_text("")
    return package


def _versions(monkeypatch: pytest.MonkeyPatch, package: Path, data: Path) -> tuple[str, str]:
    monkeypatch.setattr(resources, "_PACKAGE", package)
    return (resources._digest(data, code=resources._READING_CODE),
            resources._digest(data, code=resources._REPORT_CODE))


def test_reading_and_report_code_change_the_versions(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    package, data = _package(tmp_path), tmp_path / "rules"
    data.mkdir()
    (data / "a.yaml").write_text("x: 1\n")
    reading, report = _versions(monkeypatch, package, data)
    (package / "ingest" / "__pycache__" / "builder.cpython-311.pyc").write_bytes(b"\x01")
    (package / "web.py").write_text("PORT = 9000\n")
    assert _versions(monkeypatch, package, data) == (reading, report)  # neither reads
    (package / "compare" / "general.py").write_text("SEVERITY = 'medium'\n")
    new_reading, new_report = _versions(monkeypatch, package, data)
    assert new_reading == reading and new_report != report  # reports again, reads as before
    (package / "ingest" / "builder.py").write_text("TITLE_WORDS = 3\n")
    assert _versions(monkeypatch, package, data)[0] != reading  # reads again


def test_every_named_part_of_the_code_exists() -> None:
    # A renamed module left out of the lists would stop counting without a word.
    for name in resources._REPORT_CODE:
        assert (resources._PACKAGE / name).exists(), name
