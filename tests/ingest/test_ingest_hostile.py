"""Hostile inputs are refused by budgets and limits, never by taking the machine down:
a flate-bomb PDF by the parse budgets (CLI exit 3, one line), a reader that never ends by
the time budget, deep HTML by its depth limit before it is parsed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_support import run_cli
from hostile_docs import deep_html, docx_bomb, flate_bomb_pdf

import analyzer.ingest as ingest_module
from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest import ingest
from analyzer.settings import Settings

BUDGET = {"TERMSHIFT_PARSE_SECONDS": "2", "TERMSHIFT_PARSE_MEMORY_MB": "300"}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return flate_bomb_pdf(400)  # about 1 KB that inflates to 400 MB


def test_a_flate_bomb_is_refused_by_the_cli_in_one_line(bomb: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb)
    proc = run_cli("analyze", str(path), env=BUDGET)
    err = proc.stderr.decode()
    assert proc.returncode == 3, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "TERMSHIFT_PARSE_" in lines[0] or "TERMSHIFT_MAX_INFLATED_BYTES" in lines[0]


def test_a_flate_bomb_is_refused_by_the_memory_budget(bomb: bytes) -> None:
    with pytest.raises(LimitExceeded) as caught:
        ingest(bomb, "bomb.pdf", Settings(parse_seconds=2, parse_memory_mb=300))
    assert caught.value.code in ("limit.parse_memory", "limit.parse_time",
                                 "limit.pdf_stream_size")


def test_a_flate_bomb_is_refused_while_its_stream_inflates(bomb: bytes) -> None:
    settings = Settings(parse_seconds=60, parse_memory_mb=0, max_inflated_bytes=50 * 2**20)
    with pytest.raises(LimitExceeded) as caught:
        ingest(bomb, "bomb.pdf", settings)
    assert caught.value.code == "limit.pdf_stream_size"
    assert "TERMSHIFT_MAX_INFLATED_BYTES" in str(caught.value)


def test_a_reader_that_never_ends_is_stopped_by_the_time_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def forever(data: bytes, source: str, settings: Settings) -> None:
        while True:
            time.sleep(0.05)

    monkeypatch.setattr(ingest_module, "_reader", lambda fmt: forever)
    with pytest.raises(LimitExceeded) as caught:
        ingest(b"# Terms\n\nYou agree.\n", "slow.md", Settings(parse_seconds=1))
    assert caught.value.code == "limit.parse_time"
    assert "TERMSHIFT_PARSE_SECONDS" in str(caught.value)


def test_the_reader_runs_in_a_child_and_its_errors_come_back_whole() -> None:
    settings = Settings(parse_seconds=30, max_chars=10)
    with pytest.raises(LimitExceeded) as caught:
        ingest(b"# Terms\n\nYou agree to everything here.\n", "long.md", settings)
    assert caught.value.setting == "TERMSHIFT_MAX_CHARS"
    assert caught.value.code.startswith("limit.")


def test_html_deeper_than_the_limit_is_refused_naming_it() -> None:
    settings = Settings(max_html_depth=200)
    with pytest.raises(LimitExceeded) as caught:
        ingest(deep_html(40_000), "deep.html", settings)
    assert caught.value.code == "limit.html_depth"
    assert "TERMSHIFT_MAX_HTML_DEPTH" in str(caught.value)


def test_html_just_under_the_depth_limit_is_read() -> None:
    document = ingest(deep_html(190), "deep.html", Settings(max_html_depth=200))
    assert "deep clause applies" in " ".join(b.text for b in document.blocks)


def test_html_with_end_tags_left_out_is_not_counted_as_deep() -> None:
    items = b"".join(b"<li>Item %d applies." % n for n in range(3000))
    page = b"<html><body><p>Intro<ul>" + items + b"</ul><p>Outro</body></html>"
    document = ingest(page, "list.html", Settings(max_html_depth=50))
    assert len(document.blocks) > 100


def test_html_with_more_elements_than_the_limit_is_refused() -> None:
    page = b"<html><body>" + b"<span>x</span>" * 500 + b"</body></html>"
    with pytest.raises(LimitExceeded) as caught:
        ingest(page, "many.html", Settings(max_html_elements=100))
    assert caught.value.code == "limit.html_elements"


def _no_python_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.ingest.docx as docx_reader

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("python-docx was reached")

    monkeypatch.setattr(docx_reader.docx, "Document", refuse)


def test_a_docx_over_the_inflate_limit_is_refused_before_it_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_python_docx(monkeypatch)
    bomb = docx_bomb(8)  # about 8 KB that unpack to 8 MB
    with pytest.raises(LimitExceeded) as caught:
        ingest(bomb, "bomb.docx", Settings(max_inflated_bytes=2 * 1024 * 1024))
    assert caught.value.code == "limit.unpacked_size"
    assert "TERMSHIFT_MAX_INFLATED_BYTES" in str(caught.value)


def test_a_docx_lying_about_its_size_is_refused_not_inflated() -> None:
    liar = docx_bomb(8, declared=1000)
    with pytest.raises(InputError):
        ingest(liar, "liar.docx", Settings(max_inflated_bytes=2 * 1024 * 1024))


def test_docx_characters_are_counted_while_inflating_not_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_python_docx(monkeypatch)
    with pytest.raises(LimitExceeded) as caught:  # 2 MB of text, under the unpacked limit
        ingest(docx_bomb(2), "long.docx", Settings(max_chars=100_000))
    assert caught.value.code == "limit.characters"


def test_a_small_docx_still_reads() -> None:
    document = ingest(docx_bomb(0), "empty.docx", Settings())
    assert document.format == "docx"
