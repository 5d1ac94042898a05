"""Nothing is lost in ingest: every corpus document, read as Markdown, HTML, DOCX and PDF,
has the same words as its Markdown source and compares with itself in another format as
unchanged.

The renderings carry text the way readers have lost it (corpora/render.py): links as DOCX
hyperlinks, complex HYPERLINK fields and simple fields, a paragraph in a block content
control with a tracked deletion and insertion, a bold run in an inline content control, PDF
headings whose first letter is a font run of its own and a bold run that changes size inside
a word. The only normalisation is of whitespace (runs of spaces and line breaks read as one
space), which a reader would call the same text; a link's target is not text (a PDF has no
markup for it) and is not compared, its shown text is."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.api import compare
from analyzer.ingest import ingest
from analyzer.model import Document

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
DOCUMENTS = sorted(p.stem for p in CORPORA.glob("*.md") if p.name != "README.md")
RENDERED = (".html", ".docx", ".pdf")
PAIRS = [(".md", ".docx"), (".md", ".pdf"), (".docx", ".pdf"), (".md", ".html")]


def _render_module() -> Any:
    sys.path.insert(0, str(CORPORA))
    try:
        import render  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(CORPORA))
    return render


render = _render_module()


def _path(name: str, suffix: str) -> Path:
    return CORPORA / f"{name}{suffix}" if suffix == ".md" else CORPORA / "rendered" / (
        name + suffix)


def _read(name: str, suffix: str) -> Document:
    return ingest(_path(name, suffix).read_bytes(), _path(name, suffix).name)


def _words(text: str) -> list[str]:
    return text.split()


def _source_items(name: str) -> list[Any]:
    """The Markdown's blocks as markdown-it parses them: independent of termshift's reader."""
    return list(render.parse((CORPORA / f"{name}.md").read_text("utf-8")))


def _links(name: str) -> Iterator[str]:
    for item in _source_items(name):
        yield from (run.text for run in item.runs if run.link)


def test_the_corpora_exercise_links() -> None:
    """The loss this file guards against needs links to lose: each document has one."""
    assert all(list(_links(name)) for name in DOCUMENTS)


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("suffix", [".md", *RENDERED])
def test_every_format_has_every_word_of_the_source(name: str, suffix: str) -> None:
    """The document's words, in order, are the Markdown source's words: a dropped link, field
    or content control, a word cut in two or two words glued together fails here."""
    expected = _words(" ".join(item.text for item in _source_items(name)))
    document = _read(name, suffix)
    got = _words(" ".join(block.text for block in document.blocks))
    if got != expected:  # the first difference, readably
        k = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                 min(len(got), len(expected)))
        pytest.fail(f"{name}{suffix} differs from the source at word {k}: "
                    f"{' '.join(got[max(0, k - 5):k + 5])!r} != "
                    f"{' '.join(expected[max(0, k - 5):k + 5])!r}")
    for link in _links(name):
        assert " ".join(link.split()) in " ".join(got), f"link text lost: {link!r}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_docx_shows_no_deleted_text_and_no_field_instruction(name: str) -> None:
    text = _read(name, ".docx").text
    assert "deleted draft wording" not in text
    assert "HYPERLINK" not in text


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_a_document_compared_with_itself_in_another_format_is_unchanged(
        name: str, old: str, new: str) -> None:
    comparison = compare(_path(name, old), _path(name, new))
    changed = [(c.kind, (c.old or c.new).text if (c.old or c.new) else "")
               for c in comparison.changes if c.kind != "unchanged"]
    assert changed == [], f"{name}: {old} -> {new}"
    loud = [(f.type, f.severity, f.title) for f in comparison.findings if f.severity != "info"]
    assert loud == [], f"{name}: {old} -> {new}"
