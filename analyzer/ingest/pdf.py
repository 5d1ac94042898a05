"""PDF into a Document with pdfplumber: bold from font names, headings from size and weight,
running headers and footers removed, hyphenation repaired, two columns read in order.

A word or line may be set in several font runs (a bold run then a bold run of another size or
face, a regular space between bold words): words are cut at spaces only, never where the font
or the height of the letters changes, each word keeps which of its characters are bold, a
line's size is the size most of its characters have, and a heading that wraps over two lines
is one heading."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median
from typing import Any

import pdfplumber
from pdfminer import pdftypes

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.model import BlockKind, Document
from analyzer.settings import Settings

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b", re.I)
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_LIST_START = re.compile(r"^(?:\(?[a-z0-9]{1,4}[.)]|[•\-–*])\s", re.I)
_DIGITS = re.compile(r"\d+")
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


@dataclass
class Word:
    """A word and its pieces of one weight: [("Respon", True), ("sibilities", True)]."""

    text: str
    pieces: list[tuple[str, bool]]

    @property
    def bold(self) -> bool:
        """Every letter and digit bold (a regular full stop or bracket does not count)."""
        weights = [bold for text, bold in self.pieces if any(c.isalnum() for c in text)]
        return all(weights) if weights else all(bold for _, bold in self.pieces)


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


class _CappedZlib:
    """pdfminer's zlib, with `decompress` stopping at a limit: a flate bomb is refused while
    it inflates, before it takes the memory (each stream, after each filter)."""

    error = zlib.error

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def decompress(self, data: bytes) -> bytes:
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, self.limit + 1)
        if len(out) > self.limit:
            raise LimitExceeded("pdf stream size", len(out), self.limit,
                                "TERMSHIFT_MAX_INFLATED_BYTES")
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")  # as zlib.decompress does
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


@contextlib.contextmanager
def _capped_streams(limit: int) -> Iterator[None]:
    # pdfminer offers no hook for stream decoding: its module's zlib is swapped meanwhile.
    original = pdftypes.zlib
    pdftypes.zlib = _CappedZlib(limit)  # type: ignore[assignment]
    try:
        yield
    finally:
        pdftypes.zlib = original


def _over_limit(exc: BaseException) -> LimitExceeded | None:
    """The LimitExceeded that pdfplumber wrapped in its own error, if any."""
    cause: BaseException | None = exc
    for _ in range(10):
        if cause is None or isinstance(cause, LimitExceeded):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def _read_lines(data: bytes, source: str, settings: Settings) -> tuple[list[Line], int, str | None]:
    try:
        with _capped_streams(settings.max_inflated_bytes), \
                pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count > settings.max_pages:
                raise LimitExceeded("pages", count, settings.max_pages, "TERMSHIFT_MAX_PAGES")
            title = (pdf.metadata or {}).get("Title")
            lines: list[Line] = []
            chars = 0
            for number, page in enumerate(pdf.pages, start=1):
                found = page_lines(page, number)
                page.close()  # keeps memory flat in the page count
                # Counted page by page: a long PDF is refused without reading the rest.
                chars += sum(len(line.text) + 1 for line in found)
                if chars > settings.max_chars:
                    raise LimitExceeded("characters", chars, settings.max_chars,
                                        "TERMSHIFT_MAX_CHARS")
                lines.extend(found)
            return lines, count, title if isinstance(title, str) else None
    except LimitExceeded:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on hostile files
        over = _over_limit(exc)
        if over is not None:
            raise over from None
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
    # No extra_attrs: they would cut a word wherever the font changes ("Respon sibilities").
    words = page.extract_words(keep_blank_chars=False, return_chars=True)
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
    """Words into lines: a word joins the line its box overlaps by half its height or more,
    so a larger first letter or number (its top higher up) stays on its line."""
    lines: list[Line] = []
    current: list[dict[str, Any]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        w_top, w_bottom = float(word["top"]), float(word["bottom"])
        overlap = min(bottom, w_bottom) - max(top, w_top)
        if current and overlap < 0.5 * min(w_bottom - w_top, bottom - top):
            lines.append(_line(current, number))
            current = []
        if not current:
            top, bottom = w_top, w_bottom
        current.append(word)
        top, bottom = min(top, w_top), max(bottom, w_bottom)
    if current:
        lines.append(_line(current, number))
    return lines


def _word(word: dict[str, Any]) -> Word:
    pieces: list[tuple[str, bool]] = []
    for char in word.get("chars") or []:
        bold = bool(_BOLD_FONT.search(str(char.get("fontname", ""))))
        if pieces and pieces[-1][1] == bold:
            pieces[-1] = (pieces[-1][0] + char["text"], bold)
        else:
            pieces.append((char["text"], bold))
    if "".join(text for text, _ in pieces) != word["text"]:  # ligatures expanded, etc.
        pieces = [(word["text"], bool(pieces) and all(bold for _, bold in pieces))]
    return Word(word["text"], pieces)


def _main_size(chars: list[dict[str, Any]]) -> float:
    """The size most characters have (the larger on a tie): a bigger first letter or a
    smaller number does not change what size a line is set in."""
    counts = Counter(round(float(c["size"]), 1) for c in chars if not c["text"].isspace())
    if not counts:
        return median(float(c["size"]) for c in chars) if chars else 0.0
    return max(counts, key=lambda size: (counts[size], size))


def _join_touching(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Words of one line that touch are one word: pdfplumber cuts a word where the top of
    its characters jumps (a larger first letter, "M" + "oltnest"), even with no space. A
    space is a quarter of the type size or more; touching is under a tenth."""
    out: list[dict[str, Any]] = []
    for word in words:
        last = out[-1] if out else None
        chars = (last.get("chars") or []) + (word.get("chars") or []) if last else []
        sizes = [float(c["size"]) for c in chars] or [10.0]
        if last is not None and float(word["x0"]) - float(last["x1"]) < 0.1 * min(sizes):
            out[-1] = {**last, "text": last["text"] + word["text"], "x1": word["x1"],
                       "top": min(float(last["top"]), float(word["top"])),
                       "bottom": max(float(last["bottom"]), float(word["bottom"])),
                       "chars": chars}
        else:
            out.append(word)
    return out


def _line(words: list[dict[str, Any]], number: int) -> Line:
    words = _join_touching(sorted(words, key=lambda w: float(w["x0"])))
    chars = [c for w in words for c in w.get("chars") or []]
    line_words = [_word(w) for w in words]
    if len(line_words) > 1 and _UNMAPPED_GLYPH.fullmatch(line_words[0].text):
        # A bullet drawn from a symbol font without a Unicode map reads "(cid:127)".
        line_words[0] = Word("•", [("•", line_words[0].bold)])
    return Line(
        words=line_words,
        top=min(float(w["top"]) for w in words),
        bottom=max(float(w["bottom"]) for w in words),
        size=_main_size(chars) if chars else median(float(w.get("size", 0)) for w in words),
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
    heading: list[Line] = []
    heading_kind = 0
    for line in lines:
        kind = _heading_level(line, body, full)
        if kind == 3 and block and block[-1].all_bold and _continues(block[-1], line):
            kind = 0  # the last line of a bold paragraph that wraps, not a heading
        if kind:
            if (heading and kind == heading_kind and _continues(heading[-1], line)
                    and heading[-1].width > 0.7 * full):
                heading.append(line)  # a heading wrapped onto a second line
                continue
            _flush(builder, block)
            _flush(builder, heading, heading_level=heading_kind)
            block, heading, heading_kind = [], [line], kind
            continue
        if heading:
            _flush(builder, heading, heading_level=heading_kind)
            heading = []
        if block and _starts_new_block(block[-1], line, full):
            _flush(builder, block)
            block = []
        block.append(line)
    _flush(builder, block)
    _flush(builder, heading, heading_level=heading_kind)


def _continues(previous: Line, line: Line) -> bool:
    """The next line of the same text: same page and size, no paragraph gap."""
    return (line.page == previous.page and abs(line.size - previous.size) < 0.5
            and -1.0 <= line.top - previous.bottom <= 0.6 * max(line.size, 1.0))


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


def _starts_new_block(previous: Line, line: Line, full_width: float) -> bool:
    ends_sentence = previous.text.rstrip().endswith((".", ":", ";", "!", "?"))
    # "... Switzerland, or" + "UK. If you live ...": a full line that does not end a
    # sentence wraps onto the next, even when that one opens like an item ("UK.", "a.") or
    # in capitals on the next page ("SUBJECT TO THE WARRANTY" + "ABOVE AND ...").
    wrapped = previous.width > 0.85 * full_width and not ends_sentence
    if line.page != previous.page:
        return ends_sentence or not (line.text[:1].islower() or wrapped)
    gap = line.top - previous.bottom
    if gap > 0.6 * max(line.size, 1.0):
        return True
    if not _LIST_START.match(line.text):
        return False
    return not wrapped or line.text[:1] in "•-–*"


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
            pieces = word.pieces
            if j == len(line.words) - 1 and i < len(lines) - 1 and _hyphenated(word, lines[i + 1]):
                _add_pieces(run, pieces, drop_last=True)
                continue
            _add_pieces(run, pieces)
            run.add("" if j == len(line.words) - 1 and i == len(lines) - 1 else " ")
    builder.add(kind, run, level=heading_level or (1 if kind == "list_item" else 0),
                marker=marker, page=lines[0].page)


def _add_pieces(run: RunText, pieces: list[tuple[str, bool]], drop_last: bool = False) -> None:
    """A word's pieces with their weight; `drop_last`: without its final (hyphen) character."""
    for k, (text, bold) in enumerate(pieces):
        if drop_last and k == len(pieces) - 1:
            text = text[:-1]
        run.add(text, frozenset({"bold"}) if bold else frozenset())


def _hyphenated(word: Word, next_line: Line) -> bool:
    text = word.text
    nxt = next_line.words[0].text if next_line.words else ""
    return len(text) > 2 and text.endswith("-") and text[-2].isalpha() and nxt[:1].islower()
