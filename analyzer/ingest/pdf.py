"""PDF into a Document with pdfplumber: bold from font names, headings from size and weight,
running headers and footers removed, hyphenation repaired, two columns read in order."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import Any

import pdfplumber

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.model import BlockKind, Document
from analyzer.settings import Settings

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b", re.I)
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_LIST_START = re.compile(r"^(?:\(?[a-z0-9]{1,4}[.)]|[•\-–*])\s", re.I)
_DIGITS = re.compile(r"\d+")


@dataclass
class Word:
    text: str
    bold: bool


@dataclass
class Line:
    words: list[Word]
    top: float
    bottom: float
    size: float
    page: int
    width: float = 0.0
    edge: bool = False  # in the top or bottom margin band, where running lines sit

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def all_bold(self) -> bool:
        return all(w.bold for w in self.words)


def read_pdf(data: bytes, source: str, settings: Settings) -> Document:
    """Read page by page (each page closed after use), then lay the lines out as blocks."""
    lines, page_count, title = _read_lines(data, source, settings)
    if not any(line.words for line in lines):
        raise InputError(f"{source}: the PDF has no text layer (a scan?); run OCR on it first",
                         code="ingest.no_text_layer")
    lines = remove_running_lines(lines, page_count, title)
    builder = DocumentBuilder(source, "pdf", data, settings)
    _lay_out(builder, lines)
    return builder.build(title=title, page_count=page_count)


def _read_lines(data: bytes, source: str, settings: Settings) -> tuple[list[Line], int, str | None]:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count > settings.max_pages:
                raise LimitExceeded("pages", count, settings.max_pages, "TERMSHIFT_MAX_PAGES")
            title = (pdf.metadata or {}).get("Title")
            lines: list[Line] = []
            for number, page in enumerate(pdf.pages, start=1):
                lines.extend(page_lines(page, number))
                page.close()  # keeps memory flat in the page count
            return lines, count, title if isinstance(title, str) else None
    except LimitExceeded:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on hostile files
        raise _pdf_error(exc, source) from exc


def _pdf_error(exc: Exception, source: str) -> InputError:
    text = f"{type(exc).__name__} {exc!r} {exc.__cause__!r}".lower()
    if "password" in text or "encrypt" in text:
        return InputError(f"{source}: the PDF is password-protected; remove the password and "
                          "try again", code="ingest.encrypted")
    return InputError(f"{source}: the PDF is damaged or not a PDF ({type(exc).__name__})",
                      code="ingest.damaged")


def page_lines(page: Any, number: int) -> list[Line]:
    """The page's lines in reading order; a two-column page gives left then right."""
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    middle = float(page.width) / 2
    left = [w for w in words if float(w["x1"]) < middle - 4]
    right = [w for w in words if float(w["x0"]) > middle + 4]
    crossing = len(words) - len(left) - len(right)
    if words and min(len(left), len(right)) > 0.25 * len(words) and crossing < 0.03 * len(words):
        lines = _group_lines(left, number) + _group_lines(right, number)
    else:
        lines = _group_lines(words, number)
    height = float(page.height)
    for line in lines:
        line.edge = line.top < 0.07 * height or line.bottom > 0.93 * height
    return lines


def _group_lines(words: list[dict[str, Any]], number: int) -> list[Line]:
    lines: list[Line] = []
    current: list[dict[str, Any]] = []
    for word in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        drift = abs(float(word["top"]) - float(current[0]["top"])) if current else 0.0
        if current and drift > 0.5 * float(word["size"]):
            lines.append(_line(current, number))
            current = []
        current.append(word)
    if current:
        lines.append(_line(current, number))
    return lines


def _line(words: list[dict[str, Any]], number: int) -> Line:
    words = sorted(words, key=lambda w: float(w["x0"]))
    return Line(
        words=[Word(w["text"], bool(_BOLD_FONT.search(str(w.get("fontname", ""))))) for w in words],
        top=min(float(w["top"]) for w in words),
        bottom=max(float(w["bottom"]) for w in words),
        size=median(float(w["size"]) for w in words),
        page=number,
        width=max(float(w["x1"]) for w in words) - min(float(w["x0"]) for w in words),
    )


def remove_running_lines(lines: list[Line], page_count: int, title: str | None = None
                         ) -> list[Line]:
    """Drop page numbers, the title repeated as a running header, and lines repeated at the
    top or bottom of most pages."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    edge_keys: Counter[str] = Counter()
    for page_lines_ in by_page.values():
        edge_keys.update({_key(line) for line in page_lines_ if line.edge})
    threshold = max(2, page_count // 2 + (page_count % 2))
    running = {key for key, seen in edge_keys.items() if seen >= threshold}
    if title:
        running.add(_DIGITS.sub("#", " ".join(title.lower().split())))
    kept: list[Line] = []
    for page_lines_ in by_page.values():
        for line in page_lines_:
            if line.edge and (_key(line) in running or _PAGE_NUMBER.match(line.text)):
                continue
            kept.append(line)
    return kept


def _key(line: Line) -> str:
    return _DIGITS.sub("#", line.text.lower()).strip()


def _lay_out(builder: DocumentBuilder, lines: list[Line]) -> None:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    full = max((line.width for line in lines), default=0.0)
    block: list[Line] = []
    for line in lines:
        kind = _heading_level(line, body, full)
        if kind:
            _flush(builder, block)
            block = []
            _flush(builder, [line], heading_level=kind)
            continue
        if block and _starts_new_block(block[-1], line):
            _flush(builder, block)
            block = []
        block.append(line)
    _flush(builder, block)


def _heading_level(line: Line, body: float, full_width: float) -> int:
    text = line.text
    if len(text) > 150 or not any(c.isalpha() for c in text):
        return 0
    if line.size >= body * 1.45:
        return 1
    if line.size >= body * 1.15:
        return 2
    short = line.width < 0.7 * full_width  # a wrapped paragraph line runs the full width
    if line.all_bold and short and len(line.words) <= 12 and not text.rstrip().endswith(
            (".", ",", ";")):
        return 3
    return 0


def _starts_new_block(previous: Line, line: Line) -> bool:
    if line.page != previous.page:
        ends_sentence = previous.text.rstrip().endswith((".", ":", ";", "!", "?"))
        return ends_sentence or not line.text[:1].islower()
    gap = line.top - previous.bottom
    return gap > 0.6 * max(line.size, 1.0) or bool(_LIST_START.match(line.text))


def _flush(builder: DocumentBuilder, lines: list[Line], heading_level: int = 0) -> None:
    if not lines:
        return
    first = lines[0].text
    kind: BlockKind = "heading" if heading_level else (
        "list_item" if _LIST_START.match(first) else "paragraph")
    marker = lines[0].words[0].text if kind == "list_item" else None
    run = RunText()
    for i, line in enumerate(lines):
        for j, word in enumerate(line.words):
            if i == 0 and j == 0 and marker is not None:
                continue  # the marker is kept apart, as the other readers keep it
            text = word.text
            if j == len(line.words) - 1 and i < len(lines) - 1 and _hyphenated(word, lines[i + 1]):
                run.add(text[:-1], frozenset({"bold"}) if word.bold else frozenset())
                continue
            sep = "" if j == len(line.words) - 1 and i == len(lines) - 1 else " "
            run.add(text, frozenset({"bold"}) if word.bold else frozenset())
            run.add(sep)
    builder.add(kind, run, level=heading_level or (1 if kind == "list_item" else 0),
                marker=marker, page=lines[0].page)


def _hyphenated(word: Word, next_line: Line) -> bool:
    text = word.text
    nxt = next_line.words[0].text if next_line.words else ""
    return len(text) > 2 and text.endswith("-") and text[-2].isalpha() and nxt[:1].islower()
