"""What a PDF page reader hands on (its pages' words, one page at a time), and the error a
reader raises for a PDF it cannot read; shared by the PDFium and pdfplumber readers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.errors import InputError
from analyzer.ingest.pdf_layout import PageRun


@dataclass(slots=True)
class PdfPage:
    """One page's text runs (pdf_layout.PageRun); width and height of the page in points."""

    number: int
    runs: list[PageRun]
    width: float
    height: float


@dataclass
class PdfPages:
    """An open PDF: its page count and title, and its pages, read one by one as iterated."""

    count: int
    title: str | None
    pages: Iterator[PdfPage]
    reader: str  # "pdfium" or "pdfplumber"


def pdf_error(exc: BaseException, source: str) -> InputError:
    """A reader's failure as the user sees it: password-protected, or damaged."""
    text = f"{type(exc).__name__} {exc!r} {exc.__cause__!r}".lower()
    if "password" in text or "encrypt" in text:
        return InputError(f"{source}: the PDF is password-protected; remove the password and "
                          "try again", code="ingest.encrypted")
    return InputError(f"{source}: the PDF is damaged or not a PDF ({type(exc).__name__})",
                      code="ingest.damaged")
