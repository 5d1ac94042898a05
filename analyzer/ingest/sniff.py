"""Decides a document's format from its bytes (the file name only breaks ties)."""

from __future__ import annotations

import io
import re
import zipfile

from analyzer.errors import InputError
from analyzer.model import Format

SUPPORTED = "PDF, HTML, DOCX, Markdown or plain text"
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<!--|<meta|<title|<div|<p[\s>])",
                   re.IGNORECASE)
_ATX_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_MARKDOWN_HINTS = re.compile(
    r"^(?:#{1,6}\s|\s*[-*+]\s|\s*\d+\\?\.\s|>\s)|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\n]+\)",
    re.MULTILINE,
)


def sniff_format(data: bytes, source: str) -> Format:
    """The format of `data`: by magic bytes first, then by content, then by name."""
    head = data[:2048]
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        if _is_docx(data):
            return "docx"
        raise InputError(f"{source}: a zip archive but not a Word document; expected {SUPPORTED}",
                         code="ingest.unsupported_format")
    if not data.strip():
        raise InputError(f"{source}: the file is empty", code="ingest.empty")
    text_head = decode_head(head)
    if text_head is None:
        raise InputError(f"{source}: not a document termshift can read; expected {SUPPORTED}",
                         code="ingest.unsupported_format")
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf")) or source.lower().endswith((".html", ".htm")):
        return "html"
    name = source.lower()
    if name.endswith((".md", ".markdown")):
        return "markdown"
    if name.endswith(".txt"):
        return "text"
    if _ATX_HEADING.search(text_head):
        return "markdown"
    return "markdown" if len(_MARKDOWN_HINTS.findall(text_head)) >= 2 else "text"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def decode_head(head: bytes) -> str | None:
    """The head of a text file decoded, or None when the bytes are not text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    bad = text.count("\ufffd")
    if controls > len(text) * 0.01 + 1 or bad > len(text) * 0.3 + 2:
        return None
    return text


def decode_text(data: bytes, source: str) -> str:
    """Decode a whole text file: UTF-8 (BOM aware), UTF-16 by BOM, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InputError(f"{source}: holds NUL bytes, so it is not text; expected {SUPPORTED}",
                         code="ingest.unsupported_format")
    return text
