"""From the words of a PDF page to lines, and from the lines of a document to blocks: the half
of PDF reading that does not depend on which library read the page (PDFium or pdfplumber).

A word or line may be set in several font runs (a bold run then a bold run of another size or
face, a regular space between bold words): words are cut at spaces only, never where the font
or the height of the letters changes, each word keeps which of its characters are bold, a
line's size is the size most of its characters have, and a heading that wraps over two lines
is one heading.

A page's words are turned into lines as soon as the page is read, and a line keeps only its
text, its bold ranges and its geometry (no word or character objects): a 2,000-page PDF holds
its lines, not its pages, until the layout, which needs the whole document (the body size,
the full line width and the lines that repeat on most pages)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.model import BlockKind

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b", re.I)
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_LIST_START = re.compile(r"^(?:\(?[a-z0-9]{1,4}[.)]|[•\-–*])\s", re.I)
_DIGITS = re.compile(r"\d+")
_NO_SPANS: tuple[tuple[int, int], ...] = ()
_BOLD = frozenset({"bold"})


@dataclass(slots=True)
class PageRun:
    """Text as a reader found it on its page: one word, or several words of one font in a
    row (PDFium's text objects), joined by single spaces. Its box is in top-down coordinates,
    as pdfplumber gives them; `pieces` are its parts of one weight and `sizes` how many of its
    characters (spaces not counted) have each size. `unmapped`: its first word is one glyph
    without a Unicode value (a symbol-font bullet)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    pieces: list[tuple[str, bool]]
    sizes: list[tuple[float, int]] = field(default_factory=list)
    unmapped: bool = False

    def words(self) -> list[PageRun]:
        """One run per word, their boxes shared out by character position (a run of several
        words is one font, so one weight and one size)."""
        if " " not in self.text:
            return [self]
        bold = self.pieces[0][1]
        size = self.sizes[0][0] if self.sizes else 0.0
        scale = (self.x1 - self.x0) / max(len(self.text), 1)
        out: list[PageRun] = []
        start = 0
        for k, token in enumerate(self.text.split(" ")):
            out.append(PageRun(token, self.x0 + start * scale,
                               self.x0 + (start + len(token)) * scale, self.top, self.bottom,
                               [(token, bold)], [(size, len(token))],
                               self.unmapped and k == 0))
            start += len(token) + 1
        return out


@dataclass(slots=True)
class Word:
    """A word and its pieces of one weight: [("Respon", True), ("sibilities", True)]."""

    text: str
    pieces: list[tuple[str, bool]]

    @property
    def bold(self) -> bool:
        """Every letter and digit bold (a regular full stop or bracket does not count)."""
        weights = [bold for text, bold in self.pieces if any(c.isalnum() for c in text)]
        return all(weights) if weights else all(bold for _, bold in self.pieces)


@dataclass(slots=True)
class Line:
    """A line's words joined by single spaces, with the ranges of that text set in bold (never
    across the space between two words)."""

    text: str
    bold: tuple[tuple[int, int], ...]
    top: float
    bottom: float
    size: float
    page: int
    width: float = 0.0
    edge: bool = False  # in the top or bottom margin band, where running lines sit
    all_bold: bool = False  # every word bold (Word.bold)


def page_lines(runs: list[PageRun], number: int, width: float, height: float) -> list[Line]:
    """The page's lines in reading order; a two-column page gives left then right (the few
    words that cross the middle of a two-column page are left out)."""
    low, high = width / 2 - 4, width / 2 + 4
    left, right, crossing = 0, 0, 0
    for run in runs:
        if run.x1 < low:
            left += run.text.count(" ") + 1
        elif run.x0 > high:
            right += run.text.count(" ") + 1
        else:
            sides = _sides(run, low, high)
            left, right, crossing = left + sides[0], right + sides[1], crossing + sides[2]
    words = left + right + crossing
    if words and min(left, right) > 0.25 * words and crossing < 0.03 * words:
        split = [word for run in runs for word in (
            run.words() if run.x1 >= low and run.x0 <= high else (run,))]
        lines = (_group_lines([w for w in split if w.x1 < low], number)
                 + _group_lines([w for w in split if w.x0 > high], number))
    else:
        lines = _group_lines(runs, number)
    for line in lines:
        line.edge = line.top < 0.07 * height or line.bottom > 0.93 * height
    return lines


def _sides(run: PageRun, low: float, high: float) -> tuple[int, int, int]:
    """How many of the run's words end left of `low`, start right of `high`, or neither,
    with the run's width shared out by character position (spaces end and start words)."""
    text = run.text
    words = text.count(" ") + 1
    if words == 1:
        return (1, 0, 0) if run.x1 < low else (0, 1, 0) if run.x0 > high else (0, 0, 1)
    scale = (run.x1 - run.x0) / len(text)
    if scale <= 0:
        return 0, 0, words
    # Word k ends at the k-th space: left of `low` when that space's index is below it.
    left = text.count(" ", 0, max(0, math.ceil((low - run.x0) / scale)))
    right = text.count(" ", min(len(text), max(0, math.floor((high - run.x0) / scale))))
    return left, right, words - left - right


def _group_lines(words: list[PageRun], number: int) -> list[Line]:
    """Words into lines: a word joins the line its box overlaps by half its height or more,
    so a larger first letter or number (its top higher up) stays on its line."""
    lines: list[Line] = []
    current: list[PageRun] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (round(w.top), w.x0)):
        overlap = min(bottom, word.bottom) - max(top, word.top)
        if current and overlap < 0.5 * min(word.bottom - word.top, bottom - top):
            lines.append(_line(current, number))
            current = []
        if not current:
            top, bottom = word.top, word.bottom
        current.append(word)
        top, bottom = min(top, word.top), max(bottom, word.bottom)
    if current:
        lines.append(_line(current, number))
    return lines


def _main_size(words: list[PageRun]) -> float:
    """The size most characters have (the larger on a tie): a bigger first letter or a
    smaller number does not change what size a line is set in."""
    counts: Counter[float] = Counter()
    for word in words:
        for size, count in word.sizes:
            counts[round(size, 1)] += count
    if not counts:
        return 0.0
    return max(counts, key=lambda size: (counts[size], size))


def _join_touching(words: list[PageRun]) -> list[PageRun]:
    """Words of one line that touch are one word: a reader may cut a word where the top of
    its characters jumps (a larger first letter, "M" + "oltnest"), even with no space. A
    space is a quarter of the type size or more; touching is under a tenth."""
    out: list[PageRun] = []
    for word in words:
        last = out[-1] if out else None
        if last is not None:
            sizes = [size for size, _ in last.sizes + word.sizes] or [10.0]
            if word.x0 - last.x1 < 0.1 * min(sizes):
                out[-1] = PageRun(last.text + word.text, last.x0, word.x1,
                                   min(last.top, word.top), max(last.bottom, word.bottom),
                                   _merge(last.pieces + word.pieces), last.sizes + word.sizes)
                continue
        out.append(word)
    return out


def _merge(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for text, bold in pieces:
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold)
        else:
            out.append((text, bold))
    return out


def _line(words: list[PageRun], number: int) -> Line:
    words = _join_touching(sorted(words, key=lambda w: w.x0))
    texts: list[str] = []
    bold: list[tuple[int, int]] = []
    start = 0
    all_bold = True
    for k, word in enumerate(words):
        pieces = word.pieces
        if k == 0 and word.unmapped and (len(words) > 1 or " " in word.text):
            pieces = _bullet(word)
        text = "".join(piece for piece, _ in pieces)
        offset = start
        for piece, is_bold in pieces:
            if is_bold and piece:
                if bold and bold[-1][1] == offset:
                    bold[-1] = (bold[-1][0], offset + len(piece))
                else:
                    bold.append((offset, offset + len(piece)))
            offset += len(piece)
        texts.append(text)
        start += len(text) + 1
        all_bold = all_bold and Word(text, pieces).bold
    return Line(
        text=" ".join(texts),
        bold=tuple(bold) if bold else _NO_SPANS,
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=_main_size(words),
        page=number,
        width=max(w.x1 for w in words) - min(w.x0 for w in words),
        all_bold=all_bold,
    )


def _bullet(run: PageRun) -> list[tuple[str, bool]]:
    """The run with its first word, a glyph drawn from a symbol font without a Unicode map,
    read as a bullet."""
    first, _, rest = run.text.partition(" ")
    if not rest:
        return [("•", Word(first, run.pieces).bold)]
    bold = run.pieces[0][1]  # a run of several words is one font
    return [("•", bold), (" " + rest, bold)]


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


def lay_out(builder: DocumentBuilder, lines: list[Line]) -> None:
    """The lines as headings, paragraphs and list items, added to the builder in order."""
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
    if line.all_bold and short and text.count(" ") < 12 and not text.rstrip().endswith(
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
    marker = first.split(" ", 1)[0] if kind == "list_item" else None
    run = RunText()
    last = len(lines) - 1
    for i, line in enumerate(lines):
        start = len(marker) + 1 if i == 0 and marker is not None else 0
        if start >= len(line.text):
            continue  # the marker alone on its line: kept apart, as the other readers keep it
        end = len(line.text)
        joiner = "" if i == last else " "
        if i < last and _hyphenated(line.text, lines[i + 1].text):
            end, joiner = end - 1, ""
        _add_text(run, line, start, end)
        run.add(joiner)
    builder.add(kind, run, level=heading_level or (1 if kind == "list_item" else 0),
                marker=marker, page=lines[0].page)


def _add_text(run: RunText, line: Line, start: int, end: int) -> None:
    """The line's text from `start` to `end`, its bold ranges bold."""
    text = line.text
    position = start
    for lo, hi in line.bold:
        lo, hi = max(lo, position), min(hi, end)
        if lo >= hi:
            continue
        run.add(text[position:lo])
        # Word by word, the spaces between them plain, as each word's pieces were added
        # before runs of several words existed (run-in headings read the spans one by one).
        for k, word in enumerate(text[lo:hi].split(" ")):
            if k:
                run.add(" ")
            run.add(word, _BOLD)
        position = hi
    run.add(text[position:end])


def _hyphenated(text: str, next_text: str) -> bool:
    """The line's last word ends in a hyphen that cuts a word carried onto the next line."""
    word = text[text.rfind(" ") + 1:]
    return (len(word) > 2 and word.endswith("-") and word[-2].isalpha()
            and next_text[:1].islower())
