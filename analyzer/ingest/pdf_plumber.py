"""The fallback PDF page reader, on pdfplumber (pdfminer.six): used only for a PDF that PDFium
cannot open or read (analyzer/ingest/pdf.py decides), and by the test that holds both readers
to the same output. 25 to 40 times slower than the PDFium reader (docs/BENCHMARKS.md)."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pdfplumber
from pdfminer import pdftypes

from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest.pdf_layout import BOLD_FONT, PageRun
from analyzer.ingest.pdf_pages import PdfPage, PdfPages, pdf_error
from analyzer.settings import Settings

_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


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


@contextlib.contextmanager
def open_pages(data: bytes, source: str, settings: Settings) -> Iterator[PdfPages]:
    """The PDF's page count, title and pages (each closed once read), read by pdfplumber."""
    try:
        with _capped_streams(settings.max_inflated_bytes), \
                pdfplumber.open(io.BytesIO(data)) as pdf:
            title = (pdf.metadata or {}).get("Title")
            yield PdfPages(len(pdf.pages), title if isinstance(title, str) else None,
                           _pages(pdf), "pdfplumber")
    except (LimitExceeded, InputError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on hostile files
        over = _over_limit(exc)
        if over is not None:
            raise over from None
        raise pdf_error(exc, source) from exc


def _pages(pdf: Any) -> Iterator[PdfPage]:
    for number, page in enumerate(pdf.pages, start=1):
        # No extra_attrs: they would cut a word wherever the font changes ("Respon sibilities").
        words = page.extract_words(keep_blank_chars=False, return_chars=True)
        found = PdfPage(number, [_word(w) for w in words], float(page.width),
                        float(page.height))
        page.close()  # keeps memory flat in the page count
        yield found


def _word(word: dict[str, Any]) -> PageRun:
    chars = word.get("chars") or []
    pieces: list[tuple[str, bool]] = []
    for char in chars:
        bold = bool(BOLD_FONT.search(str(char.get("fontname", ""))))
        if pieces and pieces[-1][1] == bold:
            pieces[-1] = (pieces[-1][0] + char["text"], bold)
        else:
            pieces.append((char["text"], bold))
    if "".join(text for text, _ in pieces) != word["text"]:  # ligatures expanded, etc.
        pieces = [(word["text"], bool(pieces) and all(bold for _, bold in pieces))]
    sizes = Counter(float(c["size"]) for c in chars if not c["text"].isspace())
    return PageRun(word["text"], float(word["x0"]), float(word["x1"]), float(word["top"]),
                    float(word["bottom"]), pieces, list(sizes.items()),
                    unmapped=bool(_UNMAPPED_GLYPH.fullmatch(word["text"])))
