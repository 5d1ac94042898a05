"""PDF into a Document: bold from font names and weights, headings from size and weight,
running headers and footers removed, hyphenation repaired, two columns read in order.

PDFium (analyzer/ingest/pdf_pdfium.py) reads the pages; pdfplumber (pdf_plumber.py) is the
fallback for a file PDFium cannot open or a page it cannot load or that is rotated, and the
whole file is then read again by it. Either reader hands on one page's words at a time; they
become lines at once (pdf_layout.py) and the page is released. The page limit is checked when
the file is opened, the character limit and the time limit after each page, so an over-limit
PDF is refused at the page where it passes the limit, not after reading every page."""

from __future__ import annotations

import time
from typing import Literal

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest.builder import DocumentBuilder
from analyzer.ingest.pdf_layout import Line, lay_out, page_lines, remove_running_lines
from analyzer.ingest.pdf_pages import PdfPages
from analyzer.ingest.pdf_streams import check_streams
from analyzer.model import Document
from analyzer.settings import Settings

Reader = Literal["auto", "pdfium", "pdfplumber"]


def read_pdf(data: bytes, source: str, settings: Settings, reader: Reader = "auto"
             ) -> Document:
    """Read page by page, each page released once its lines are taken, then lay the lines
    out as blocks. `reader`: "auto" is PDFium with pdfplumber as the fallback; the others
    force one reader (the test that holds the two to the same output uses them)."""
    lines, page_count, title = _read_lines(data, source, settings, reader)
    if not any(line.text for line in lines):
        raise InputError(f"{source}: the PDF has no text layer (a scan?); run OCR on it first",
                         code="ingest.no_text_layer")
    lines = remove_running_lines(lines, page_count, title)
    builder = DocumentBuilder(source, "pdf", data, settings)
    lay_out(builder, lines)
    return builder.build(title=title, page_count=page_count)


def _read_lines(data: bytes, source: str, settings: Settings, reader: Reader
                ) -> tuple[list[Line], int, str | None]:
    started = time.monotonic()
    if reader != "pdfplumber":
        from analyzer.ingest import pdf_pdfium

        check_streams(data, settings.max_inflated_bytes)
        try:
            with pdf_pdfium.open_pages(data, source) as pdf:
                return _collect(pdf, source, settings, started)
        except pdf_pdfium.PdfiumCannotRead as exc:
            if reader == "pdfium":
                raise InputError(f"{source}: PDFium cannot read this PDF ({exc})",
                                 code="ingest.damaged") from exc
            # Falls through: pdfplumber reads what PDFium cannot (see the module docstring).
    from analyzer.ingest import pdf_plumber

    with pdf_plumber.open_pages(data, source, settings) as pdf:
        return _collect(pdf, source, settings, started)


def _collect(pdf: PdfPages, source: str, settings: Settings, started: float
             ) -> tuple[list[Line], int, str | None]:
    if pdf.count > settings.max_pages:
        raise LimitExceeded("pages", pdf.count, settings.max_pages, "TERMSHIFT_MAX_PAGES")
    lines: list[Line] = []
    chars = 0
    for page in pdf.pages:
        found = page_lines(page.runs, page.number, page.width, page.height)
        # Counted page by page: a long PDF is refused without reading the rest.
        chars += sum(len(line.text) + 1 for line in found)
        if chars > settings.max_chars:
            raise LimitExceeded("characters", chars, settings.max_chars, "TERMSHIFT_MAX_CHARS")
        if settings.parse_seconds > 0 and time.monotonic() - started > settings.parse_seconds:
            raise _over_time(source, settings.parse_seconds)
        lines.extend(found)
    return lines, pdf.count, pdf.title


def _over_time(source: str, seconds: float) -> LimitExceeded:
    exc = LimitExceeded("parse time", int(seconds), int(seconds), "TERMSHIFT_PARSE_SECONDS")
    exc.message = (f"{source}: reading it took longer than the parse time limit of "
                   f"{seconds:g} s and was stopped (raise it with TERMSHIFT_PARSE_SECONDS)")
    return exc
