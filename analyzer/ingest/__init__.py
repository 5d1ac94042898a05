"""Bytes in, one Document out: the format is decided from the bytes, then one reader runs."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.errors import LimitExceeded, TermshiftError
from analyzer.ingest.sniff import sniff_format
from analyzer.model import Document, Format
from analyzer.settings import Settings, get_settings

Reader = Callable[[bytes, str, Settings], Document]


def _reader(fmt: Format) -> Reader:
    # Imported on demand: reading a Markdown file need not load pdfminer or python-docx.
    if fmt == "pdf":
        from analyzer.ingest.pdf import read_pdf
        return read_pdf
    if fmt == "docx":
        from analyzer.ingest.docx import read_docx
        return read_docx
    if fmt == "html":
        from analyzer.ingest.html import read_html
        return read_html
    if fmt == "markdown":
        from analyzer.ingest.markdown import read_markdown
        return read_markdown
    from analyzer.ingest.text import read_text
    return read_text


def ingest(data: bytes, source: str, settings: Settings | None = None) -> Document:
    """Parse one document of any supported format; errors are the project's own types."""
    limits = settings or get_settings()
    if len(data) > limits.max_bytes:
        raise LimitExceeded("file size", len(data), limits.max_bytes, "TERMSHIFT_MAX_BYTES")
    fmt = sniff_format(data, source)
    try:
        return _reader(fmt)(data, source, limits)
    except TermshiftError:
        raise
    except RecursionError as exc:
        from analyzer.errors import InputError
        raise InputError(f"{source}: the {fmt} file is nested too deeply to read",
                         code="ingest.too_deep") from exc
