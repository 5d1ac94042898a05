"""Markdown (CommonMark and the Open Terms Archive flavour) into a Document."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.ingest.sniff import decode_text
from analyzer.model import BlockKind, Document
from analyzer.settings import Settings

_PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
_TAGS = re.compile(r"<[^>]{0,500}>")
_STYLE_OF = {"strong": "bold", "em": "italic", "u": "underline"}



def read_markdown(data: bytes, source: str, settings: Settings) -> Document:
    """Parse Markdown: headings, lists, tables, bold/italic runs; links keep their text."""
    builder = DocumentBuilder(source, "markdown", data, settings)
    tokens = _PARSER.parse(decode_text(data, source))
    _Walker(builder).walk(tokens)
    return builder.build()


class _Walker:
    def __init__(self, builder: DocumentBuilder) -> None:
        self.builder = builder
        self.lists: list[list[int | None]] = []  # per open list: [next number or None]
        self.item_marker: str | None = None
        self.item_open = 0
        self.heading_level = 0
        self.row: list[str] = []
        self.in_cell = False
        self.cell = RunText()

    def walk(self, tokens: list[Token]) -> None:
        for token in tokens:
            handler = getattr(self, "_" + token.type, None)
            if handler is not None:
                handler(token)

    def _heading_open(self, token: Token) -> None:
        self.heading_level = int(token.tag[1])

    def _heading_close(self, token: Token) -> None:
        self.heading_level = 0

    def _bullet_list_open(self, token: Token) -> None:
        self.lists.append([None])

    def _ordered_list_open(self, token: Token) -> None:
        self.lists.append([int(token.attrGet("start") or 1)])

    def _bullet_list_close(self, token: Token) -> None:
        self.lists.pop()

    _ordered_list_close = _bullet_list_close

    def _list_item_open(self, token: Token) -> None:
        counter = self.lists[-1] if self.lists else [None]
        if counter[0] is None:
            self.item_marker = "-"
        else:
            self.item_marker = f"{counter[0]}{token.markup or '.'}"
            counter[0] += 1
        self.item_open += 1

    def _list_item_close(self, token: Token) -> None:
        self.item_open -= 1
        self.item_marker = None

    def _tr_open(self, token: Token) -> None:
        self.row = []

    def _th_open(self, token: Token) -> None:
        self.in_cell, self.cell = True, RunText()

    _td_open = _th_open

    def _th_close(self, token: Token) -> None:
        self.in_cell = False
        self.row.append("".join(self.cell.parts).strip())

    _td_close = _th_close

    def _tr_close(self, token: Token) -> None:
        run = RunText()
        run.add(" | ".join(cell for cell in self.row if cell))
        self.builder.add("table", run)

    def _html_block(self, token: Token) -> None:
        run = RunText()
        run.add(_TAGS.sub(" ", token.content))
        self.builder.add("paragraph", run)

    def _code_block(self, token: Token) -> None:
        run = RunText()
        run.add(token.content)
        self.builder.add("paragraph", run)

    _fence = _code_block

    def _inline(self, token: Token) -> None:
        run = inline_runs(token.children or [])
        if self.in_cell:
            self.cell.add("".join(run.parts))
            return
        kind: BlockKind = "paragraph"
        level, marker = 0, None
        if self.heading_level:
            kind, level = "heading", self.heading_level
        elif self.item_open:
            kind, level, marker = "list_item", len(self.lists), self.item_marker
            self.item_marker = None  # a second paragraph in the item carries no marker
        self.builder.add(kind, run, level=level, marker=marker)


def inline_runs(children: list[Token]) -> RunText:
    """The text of an inline token's children, with bold/italic/underline spans."""
    run = RunText()
    styles: list[str] = []
    for child in children:
        kind = child.type
        if kind.endswith("_open") and kind[:-5] in _STYLE_OF:
            styles.append(_STYLE_OF[kind[:-5]])
        elif kind.endswith("_close") and kind[:-6] in _STYLE_OF:
            style = _STYLE_OF[kind[:-6]]
            if style in styles:
                styles.remove(style)
        elif kind in ("text", "code_inline"):
            run.add(child.content, frozenset(styles))
        elif kind in ("softbreak", "hardbreak"):
            run.add(" ")
        elif kind == "html_inline":
            tag = child.content.lower()
            if tag in ("<b>", "<strong>"):
                styles.append("bold")
            elif tag in ("</b>", "</strong>") and "bold" in styles:
                styles.remove("bold")
            elif tag == "<br>" or tag == "<br/>":
                run.add(" ")
    return run
