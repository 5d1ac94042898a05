"""The default PDF page reader, on PDFium (pypdfium2): each page's words with their boxes,
font sizes and weights from PDFium's text page, one page at a time, each page released as soon
as it is read.

PDFium's text page knows every character's font and box, but asking for each of them through
ctypes costs about a microsecond a call, more than PDFium takes to read the page. So the
page's text comes in one call (`FPDFText_GetText`) and is cut into lines and words at the
line breaks and whitespace PDFium puts in it. A text object is one font at one size on one
baseline, and its characters are consecutive: when the first and last words of a line belong
to one object (`FPDFText_GetTextObject`), so does the whole line, which is then one run; a line
of several objects is halved until each part is one. Each object's font is asked once
(`FPDFText_GetFontInfo`, `FPDFText_GetFontWeight`, `FPDFText_GetFontSize`) and each run's box
from its first and last characters (`FPDFText_GetLooseCharBox`). Only a word whose characters
come from two text objects ("Respon" + "sibilities" in another face) is read character by
character.

Vertical extents follow pdfminer's convention (bottom at the font's descent, height the font
size), so the layout thresholds mean the same on both readers. Bold: a font name that says so
(as pdfplumber's path reads it) or a declared weight of 700 or more (`FPDFText_GetFontWeight`).

A PDF that PDFium cannot open (damaged beyond its repair) or a page it cannot load, or a page
turned by /Rotate (PDFium's character boxes are not turned with it), raises
`PdfiumCannotRead`: analyzer/ingest/pdf.py then reads the whole file with pdfplumber."""

from __future__ import annotations

import contextlib
import ctypes
import re
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyzer.errors import InputError
from analyzer.ingest.pdf_layout import BOLD_FONT, PageRun
from analyzer.ingest.pdf_pages import PdfPage, PdfPages

# A word ends at whitespace or after the mark PDFium puts on a hyphen that ends a line
# (it joins the two lines' words into one).
_WORD = re.compile("[^\\s\ufffe]+\ufffe?|\ufffe")
_LINE = re.compile(r"[^\r\n]+")
_NOT_ONE_SPACE = re.compile(r"[^\S ]|  ")  # other whitespace than single spaces
# PDFium marks a hyphen it takes to end a line as U+FFFE, and a soft hyphen as U+0002.
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-"})
_BOLD_WEIGHT = 700
# PDFium is not thread-safe: one read at a time in a process (each read runs in a child
# process of its own unless TERMSHIFT_PARSE_SECONDS=0, when a threaded server shares one).
_PDFIUM = threading.Lock()
_PASSWORD_ERRORS = (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)


class PdfiumCannotRead(Exception):
    """PDFium cannot read this file or one of its pages; the caller falls back to pdfplumber."""


def _plain(function: Any, restype: Any, *argtypes: Any) -> Callable[..., Any]:
    """The same PDFium function with plain integer arguments and results: pypdfium2's
    bindings wrap every handle in a pointer object, which costs more than the call."""
    address = ctypes.cast(function, ctypes.c_void_p).value or 0
    prototype: Callable[..., Any] = ctypes.CFUNCTYPE(restype, *argtypes)(address)
    return prototype


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_text_object = _plain(pdfium_c.FPDFText_GetTextObject, _VP, _VP, _INT)
_loose_box = _plain(pdfium_c.FPDFText_GetLooseCharBox, _INT, _VP, _INT, _VP)
_font_size = _plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _VP, _INT)
_font_weight = _plain(pdfium_c.FPDFText_GetFontWeight, _INT, _VP, _INT)
_font_info = _plain(pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong, _VP, _INT, _VP,
                    ctypes.c_ulong, _VP)
_unicode = _plain(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _VP, _INT)
_map_error = _plain(pdfium_c.FPDFText_HasUnicodeMapError, _INT, _VP, _INT)
_count_chars = _plain(pdfium_c.FPDFText_CountChars, _INT, _VP)
_get_text = _plain(pdfium_c.FPDFText_GetText, _INT, _VP, _INT, _INT, _VP)


@contextlib.contextmanager
def open_pages(data: bytes, source: str) -> Iterator[PdfPages]:
    """The PDF's page count, title and pages, read by PDFium one at a time."""
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in _PASSWORD_ERRORS:
                raise InputError(f"{source}: the PDF is password-protected; remove the "
                                 "password and try again", code="ingest.encrypted") from exc
            raise PdfiumCannotRead(str(exc)) from exc
        pages = _pages(pdf)
        try:
            title = pdf.get_metadata_value("Title") or None
            yield PdfPages(len(pdf), title, pages, "pdfium")
        finally:
            pages.close()  # the page being read is closed before its document
            pdf.close()


def _pages(pdf: pdfium.PdfDocument) -> Generator[PdfPage, None, None]:
    reader = _PageReader()
    for index in range(len(pdf)):
        page = pdfium_c.FPDF_LoadPage(pdf.raw, index)
        if not page:
            raise PdfiumCannotRead(f"page {index + 1} cannot be loaded")
        try:
            if pdfium_c.FPDFPage_GetRotation(page) % 4:
                raise PdfiumCannotRead(f"page {index + 1} is rotated")
            yield reader.read(page, index + 1)
        finally:
            pdfium_c.FPDF_ClosePage(page)


class _PageReader:
    """Reads pages; holds the few buffers that every call reuses."""

    def __init__(self) -> None:
        self.box = pdfium_c.FS_RECTF()
        self.box_at = ctypes.addressof(self.box)
        self.name = ctypes.create_string_buffer(256)
        self.name_at = ctypes.addressof(self.name)

    def read(self, page: Any, number: int) -> PdfPage:
        bbox = pdfium_c.FS_RECTF()
        if not pdfium_c.FPDF_GetPageBoundingBox(page, bbox):
            bbox.left, bbox.bottom = 0.0, 0.0
            bbox.right = pdfium_c.FPDF_GetPageWidthF(page)
            bbox.top = pdfium_c.FPDF_GetPageHeightF(page)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise PdfiumCannotRead(f"the text of page {number} cannot be read")
        try:
            handle = ctypes.cast(textpage, ctypes.c_void_p).value or 0
            runs = self._page_runs(handle, bbox.left, bbox.top)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
        return PdfPage(number, runs, bbox.right - bbox.left, bbox.top - bbox.bottom)

    def _page_runs(self, tp: int, left: float, top: float) -> list[PageRun]:
        """The page's text as runs of words of one text object, in PDFium's order."""
        count = _count_chars(tp)
        if count <= 0:
            return []
        raw_text = _page_text(tp, count)
        text = raw_text.translate(_HYPHEN_MARKS)
        fonts: dict[int, tuple[float, bool, float]] = {}  # text object -> size, bold, base
        runs: list[PageRun] = []
        for line in _text_lines(raw_text):
            objects = _Objects(tp, line)
            for first, last in objects.segments(0, len(line) - 1):
                if first == last and not objects.one_object(first):
                    start, end = line[first]
                    runs.extend(self._split_word(tp, text, start, end, fonts, left, top))
                else:
                    runs.append(self._run(tp, text, line[first:last + 1],
                                          objects.first(first), fonts, left, top))
        return runs

    def _run(self, tp: int, text: str, words: list[tuple[int, int]], obj: int | None,
             fonts: dict[int, tuple[float, bool, float]], left: float, top: float) -> PageRun:
        """Words of one text object: one font, one size, one baseline."""
        size, bold, base = fonts.get(obj or 0) or self._font(tp, words[0][0], fonts, obj or 0)
        box, box_at = self.box, self.box_at
        start, end = words[0][0], words[-1][1]
        _loose_box(tp, start, box_at)
        x0 = box.left
        if end - start > 1:
            _loose_box(tp, end - 1, box_at)
        joined = text[start:end]
        if len(words) > 1 and _NOT_ONE_SPACE.search(joined):
            joined = " ".join(text[a:b] for a, b in words)
        first_len = words[0][1] - words[0][0]
        return PageRun(joined, x0 - left, box.right - left, top - base - size, top - base,
                       [(joined, bold)], [(size, len(joined) - len(words) + 1)],
                       first_len == 1 and bool(_map_error(tp, start)))

    def _split_word(self, tp: int, text: str, start: int, end: int,
                    fonts: dict[int, tuple[float, bool, float]], left: float, top: float
                    ) -> list[PageRun]:
        """A word whose characters come from several text objects: one word of several
        pieces, or several words where PDFium joined characters of two lines (a baseline
        that moves by more than pdfplumber's 3-point tolerance)."""
        parts: list[list[tuple[int, int, tuple[float, bool, float]]]] = []
        for a, b, obj in _runs(tp, start, end):
            font = fonts.get(obj or 0) or self._font(tp, a, fonts, obj or 0)
            if parts and abs(parts[-1][-1][2][2] - font[2]) <= 3:
                parts[-1].append((a, b, font))
            else:
                parts.append([(a, b, font)])
        return [self._word(tp, text, part, left, top) for part in parts]

    def _word(self, tp: int, text: str, runs: list[tuple[int, int, tuple[float, bool, float]]],
              left: float, top: float) -> PageRun:
        box, box_at = self.box, self.box_at
        start, end = runs[0][0], runs[-1][1]
        _loose_box(tp, start, box_at)
        x0 = box.left
        if end - start > 1:
            _loose_box(tp, end - 1, box_at)
        x1 = box.right
        pieces: list[tuple[str, bool]] = []
        sizes: list[tuple[float, int]] = []
        high, low = float("-inf"), float("inf")
        for a, b, (size, bold, base) in runs:
            piece = text[a:b]
            if pieces and pieces[-1][1] == bold:
                pieces[-1] = (pieces[-1][0] + piece, bold)
            else:
                pieces.append((piece, bold))
            sizes.append((size, b - a))
            high, low = max(high, base + size), min(low, base)
        unmapped = end - start == 1 and bool(_map_error(tp, start))
        return PageRun(text[start:end], x0 - left, x1 - left, top - high, top - low, pieces,
                        sizes, unmapped)

    def _font(self, tp: int, index: int, fonts: dict[int, tuple[float, bool, float]],
              obj: int) -> tuple[float, bool, float]:
        """Size, boldness and the bottom of the box (the font's descent below the baseline)
        of the text object the character at `index` belongs to."""
        size = _font_size(tp, index)
        length = _font_info(tp, index, self.name_at, len(self.name), None)
        name = self.name.value.decode("utf-8", "replace") if 0 < length <= len(
            self.name) else ""
        bold = bool(BOLD_FONT.search(name)) or _font_weight(tp, index) >= _BOLD_WEIGHT
        _loose_box(tp, index, self.box_at)
        bottom = self.box.bottom
        if size <= 0:  # a font without a usable size: the box's own height
            size = self.box.top - self.box.bottom
        fonts[obj] = (size, bold, bottom)
        return fonts[obj]


def _text_lines(text: str) -> Iterator[list[tuple[int, int]]]:
    """The page's words, (start, end) in its text, in groups that PDFium put on one line."""
    for line in _LINE.finditer(text):
        words = [m.span() for m in _WORD.finditer(text, line.start(), line.end())]
        if words:
            yield words


class _Objects:
    """Which text object the characters of one line's words belong to, asked of PDFium only
    as needed: a text object's characters are consecutive, so words i..j whose first and last
    characters share an object are all of that object (two calls for a line set in one)."""

    def __init__(self, tp: int, words: list[tuple[int, int]]) -> None:
        self.tp = tp
        self.words = words
        self.firsts: dict[int, int | None] = {}
        self.lasts: dict[int, int | None] = {}

    def first(self, k: int) -> int | None:
        if k not in self.firsts:
            self.firsts[k] = _text_object(self.tp, self.words[k][0])
        return self.firsts[k]

    def last(self, k: int) -> int | None:
        if k not in self.lasts:
            start, end = self.words[k]
            self.lasts[k] = self.first(k) if end - start == 1 else _text_object(self.tp,
                                                                               end - 1)
        return self.lasts[k]

    def one_object(self, k: int) -> bool:
        return self.first(k) == self.last(k)

    def segments(self, i: int, j: int) -> Iterator[tuple[int, int]]:
        """Words i..j cut into spans of one text object each; a word of several objects is
        a span of its own (first == last, not one_object)."""
        if i == j or self.first(i) == self.last(j):
            yield i, j
            return
        middle = (i + j) // 2
        yield from self.segments(i, middle)
        yield from self.segments(middle + 1, j)


def _runs(tp: int, start: int, end: int) -> list[tuple[int, int, int | None]]:
    """A word's characters cut where the text object (and so the font) changes."""
    runs: list[tuple[int, int, int | None]] = []
    current = _text_object(tp, start)
    run_start = start
    for index in range(start + 1, end):
        obj = _text_object(tp, index)
        if obj != current:
            runs.append((run_start, index, current))
            current, run_start = obj, index
    runs.append((run_start, end, current))
    return runs


def _page_text(tp: int, count: int) -> str:
    """The page's characters, one per character index (PDFium's text in one call; character by
    character only when a character outside the Basic Multilingual Plane makes UTF-16 longer)."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = _get_text(tp, 0, count, ctypes.addressof(buffer))
    text = buffer.raw[:max(written - 1, 0) * 2].decode("utf-16-le", "replace")
    if len(text) == count:
        return text
    return "".join(chr(_unicode(tp, i)) for i in range(count))
