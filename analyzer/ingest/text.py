"""Plain text into a Document whose text is the file's own decoded text (offsets match it)."""

from __future__ import annotations

import hashlib
import re

from analyzer.errors import LimitExceeded
from analyzer.ingest.builder import PendingBlock, choose_title, heading_marker, section_paths
from analyzer.ingest.sniff import decode_text
from analyzer.model import Block, BlockKind, Document
from analyzer.settings import Settings

_PARAGRAPH = re.compile(r"\S(?:[^\n]*\S)?(?:\r?\n[ \t]*\S(?:[^\n]*\S)?)*")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:ARTICLE|Article|SECTION|Section|PART|Part)\s+[0-9IVXLCivxlc]+\b.{0,100}"
    r"|\d+(?:\.\d+)*\.?\s+[A-Z][^.!?]{0,90}[^.!?:;,])$"
)
_LIST_ITEM = re.compile(r"^(\(?[a-z0-9ivx]{1,4}[.)]|[-*•])\s+", re.IGNORECASE)


def read_text(data: bytes, source: str, settings: Settings) -> Document:
    """Paragraphs by blank lines; numbered and ALL-CAPS short lines are headings."""
    text = decode_text(data, source)
    if len(text) > settings.max_chars:
        raise LimitExceeded("characters", len(text), settings.max_chars, "TERMSHIFT_MAX_CHARS")
    pending: list[PendingBlock] = []
    offsets: list[tuple[int, int]] = []
    for match in _PARAGRAPH.finditer(text):
        body = match.group(0)
        kind, level = classify_paragraph(body)
        marker = heading_marker(body) if kind == "heading" else _list_marker(body, kind)
        pending.append(PendingBlock(kind, body, (), level, marker))
        offsets.append((match.start(), match.end()))
    blocks = tuple(
        Block(kind=p.kind, text=p.text, start=start, end=end, level=p.level, section=section,
              marker=p.marker)
        for p, (start, end), section in zip(pending, offsets, section_paths(pending), strict=True)
    )
    return Document(
        source=source, format="text", sha256=hashlib.sha256(data).hexdigest(),
        title=choose_title(None, list(blocks), source), text=text, blocks=blocks,
    )


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
