"""Markdown reports show document text as text: rendered by a Markdown renderer that lets
raw HTML through (markdown-it, html on), no script, image, event handler or link comes out
of a clause."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from analyzer.api import check, compare
from analyzer.report.render import md_escape, render_check, render_comparison

HOSTILE = ("You are solely responsible for content you post. <script>window.x=1</script> "
           "Click [here](javascript:alert(1)) or <img src=x onerror=\"alert(1)\"> or visit "
           "https://evil.example/login and www.evil.example. **Agents** must `log` _all_ "
           "actions; | a | table |")


def rendered(markdown: str) -> HTMLParser:
    return HTMLParser(MarkdownIt("commonmark", {"html": True}).render(markdown))


def assert_inert(markdown: str) -> None:
    tree = rendered(markdown)
    assert tree.css("script") == [] and tree.css("img") == [] and tree.css("a") == []
    for node in tree.css("*"):
        assert not any(name.startswith("on") for name in node.attributes), node.html
    assert "window.x=1" in tree.text() and "javascript:alert(1)" in tree.text()


@pytest.fixture
def documents(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("# Terms\n\nYou are responsible for content you post.\n", "utf-8")
    new.write_text(f"# Terms\n\n{HOSTILE}\n", "utf-8")
    return old, new


def test_a_comparison_in_markdown_is_inert(documents: tuple[Path, Path]) -> None:
    markdown = render_comparison(compare(*documents), "md")
    assert_inert(markdown)
    assert "solely responsible" in rendered(markdown).text()


def test_a_check_in_markdown_is_inert(documents: tuple[Path, Path]) -> None:
    assert_inert(render_check(check(documents[1]), "md"))


@pytest.mark.parametrize("text", ["1. not a list", "# not a heading", "> not a quote",
                                  "- not an item", "| not | a table |", "a\n\n# b"])
def test_a_value_never_opens_a_block(text: str) -> None:
    tree = rendered(f"Text: {md_escape(text)}\n\n{md_escape(text)}")
    assert tree.css("ol, ul, h1, blockquote, table") == []
    assert " ".join(text.split()) in tree.text()
