"""Bytes in, one Document out: the format is decided from the bytes, then one reader runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analyzer.errors import InputError, LimitExceeded, TermshiftError
from analyzer.ingest.budget import run_bounded
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
    """Parse one document of any supported format; errors are the project's own types.
    The reader runs in a child process under the parse time and memory budgets."""
    limits = settings or get_settings()
    if len(data) > limits.max_bytes:
        raise LimitExceeded("file size", len(data), limits.max_bytes, "TERMSHIFT_MAX_BYTES")
    fmt = sniff_format(data, source)
    return run_bounded(lambda: _read(fmt, data, source, limits), source, limits)


def _read(fmt: Format, data: bytes, source: str, limits: Settings) -> Document:
    try:
        return _reader(fmt)(data, source, limits)
    except TermshiftError:
        raise
    except RecursionError as exc:
        raise InputError(f"{source}: the {fmt} file is nested too deeply to read",
                         code="ingest.too_deep") from exc


def read_path(path: Path, settings: Settings | None = None) -> bytes:
    """A file's bytes, after checking the size limit; unreadable files are InputErrors."""
    limits = settings or get_settings()
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a document")
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise LimitExceeded("file size", size, limits.max_bytes, "TERMSHIFT_MAX_BYTES")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
