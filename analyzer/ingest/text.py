"""Plain text into a Document whose text is the file's own decoded text (offsets match it)."""

from __future__ import annotations

import hashlib
import re

from analyzer.errors import LimitExceeded
from analyzer.ingest.builder import (
    PendingBlock,
    choose_title,
    heading_marker,
    promote_bold_titles,
    section_paths,
)
from analyzer.ingest.sniff import decode_text
from analyzer.model import Block, BlockKind, Document
from analyzer.settings import Settings

_PARAGRAPH = re.compile(r"\S(?:[^\n]*\S)?(?:\r?\n[ \t]*\S(?:[^\n]*\S)?)*")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:ARTICLE|Article|SECTION|Section|PART|Part)\s+[0-9IVXLCivxlc]+\b.{0,100}"
    r"|\d+(?:\.\d+)*\.?\s+[A-Z][^.!?]{0,90}[^.!?:;,])$"
)
_LIST_ITEM = re.compile(r"^(\(?[a-z0-9ivx]{1,4}[.)]|[-*•])\s+", re.IGNORECASE)
# "7. ACCEPTANCE OF TERMS. By using ..." at the start of a line: a heading run into its text.
_RUN_IN_HEADING = re.compile(
    r"^[ \t]*(?:\d+(?:\.\d+)*\.?|(?:ARTICLE|SECTION)\s+[0-9IVXLC]+\.?)[ \t]+"
    r"[A-Z][A-Z0-9&,'’/()\- ]{1,80}[A-Z)]\.(?=[ \t]+\S)", re.MULTILINE)


# A line that only draws a rule: "-----", "=====".
_RULE_LINE = re.compile(r"[ \t]*([-=])\1{2,}[ \t]*\r?$")
# A heading is short: a title of a few words, or a line in capitals; not a table row.
_HEADING_WORDS = 8
_COLUMNS = re.compile(r"\||\S[ \t]{3,}\S")
_LINE = re.compile(r"[^\n]*(?:\n|$)")


def read_text(data: bytes, source: str, settings: Settings) -> Document:
    """Paragraphs by blank lines; numbered and ALL-CAPS short lines are headings, and so is a
    short line underlined, or boxed, by a rule of dashes or equals signs (the rules are
    dropped), and a plain Title Case line over text."""
    text = decode_text(data, source)
    if len(text) > settings.max_chars:
        raise LimitExceeded("characters", len(text), settings.max_chars, "TERMSHIFT_MAX_CHARS")
    pending: list[PendingBlock] = []
    offsets: list[tuple[int, int]] = []
    for start, end, heading in _pieces(text):
        body = text[start:end]
        kind, level = _heading_level(body) if heading else classify_paragraph(body)
        marker = heading_marker(body) if kind == "heading" else _list_marker(body, kind)
        pending.append(PendingBlock(kind, body, (), level, marker))
        offsets.append((start, end))
    pending = promote_bold_titles(pending)  # plain Title Case lines over text
    blocks = tuple(
        Block(kind=p.kind, text=p.text, start=start, end=end, level=p.level, section=section,
              marker=p.marker)
        for p, (start, end), section in zip(pending, offsets, section_paths(pending), strict=True)
    )
    return Document(
        source=source, format="text", sha256=hashlib.sha256(data).hexdigest(),
        title=choose_title(None, list(blocks), source), text=text, blocks=blocks,
    )


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """Paragraph spans, each marked True if it is a heading: a run-in heading ("7. FEES. You
    pay ...") cut off as its own span at the line it starts, so the clauses under it get a
    section, or a line a rule underlines or boxes (`_ruled`)."""
    spans: list[tuple[int, int, bool]] = []
    for start, end, ruled in _ruled(text):
        if ruled:
            spans.append((start, end, True))
            continue
        cuts = [m for m in _RUN_IN_HEADING.finditer(text, start, end)]
        position = start
        for cut in cuts:
            head_start = cut.start() + (len(cut.group(0)) - len(cut.group(0).lstrip()))
            if head_start > position:
                spans.append((position, _trim_end(text, position, head_start), False))
            spans.append((head_start, cut.end(), True))
            position = cut.end()
            while position < end and text[position] in " \t":
                position += 1
        if position < end:
            spans.append((position, end, False))
    return spans


def _ruled(text: str) -> list[tuple[int, int, bool]]:
    """Paragraph spans with rule lines cut out; a short line with a rule right under it
    ("WARD 6: WORKING SAFELY" over "=====", or boxed between two) comes back marked as a
    heading."""
    out: list[tuple[int, int, bool]] = []
    for match in _PARAGRAPH.finditer(text):
        lines = [(m.start(), m.end()) for m in _LINE.finditer(text, match.start(), match.end())
                 if m.end() > m.start()]
        if not any(_RULE_LINE.match(text, a, b) for a, b in lines):
            out.append((match.start(), match.end(), False))
            continue
        group: list[tuple[int, int]] = []
        for a, b in lines:
            if not _RULE_LINE.match(text, a, b):
                group.append((a, b))
                continue
            if group:
                first, last = group[0][0], _trim_end(text, group[0][0], group[-1][1])
                short = len(group) == 1 and _ruled_heading(text[first:last])
                out.append((first, last, short))
            group = []
        if group:
            out.append((group[0][0], _trim_end(text, group[0][0], group[-1][1]), False))
    return out


def _ruled_heading(line: str) -> bool:
    """Whether a line over a rule reads as a heading: short, or in capitals, with no closing
    punctuation, and not a row of a table drawn in text."""
    if len(line) > 120 or line[-1] in ".;,:" or _COLUMNS.search(line):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(line.split()) <= _HEADING_WORDS or all(c.isupper() for c in letters)


def _heading_level(body: str) -> tuple[BlockKind, int]:
    marker = heading_marker(body) or ""
    return "heading", 1 + marker.count(".") if marker[:1].isdigit() else 1


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def classify_paragraph(body: str) -> tuple[BlockKind, int]:
    """Heading (with a level from its numbering), list item or paragraph."""
    if "\n" not in body and len(body) <= 120:
        if _NUMBERED_HEADING.match(body):
            marker = heading_marker(body) or ""
            return "heading", 1 + marker.count(".") if marker[:1].isdigit() else 1
        letters = [c for c in body if c.isalpha()]
        if len(letters) >= 3 and all(c.isupper() for c in letters) and body[-1] not in ".;,":
            return "heading", 1
    if _LIST_ITEM.match(body):
        return "list_item", 1
    return "paragraph", 0


def _list_marker(body: str, kind: BlockKind) -> str | None:
    if kind != "list_item":
        return None
    match = _LIST_ITEM.match(body)
    return match.group(1) if match else None
