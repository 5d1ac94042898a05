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


# Files that are not documents, by their magic bytes: refused with what they are, before any
# text heuristic can take their bytes for text.
_BINARY: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"), (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"), (b"GIF89a", 0, "a GIF image"), (b"WEBP", 8, "a WebP image"),
    (b"BM", 0, "a BMP image"), (b"II*\x00", 0, "a TIFF image"), (b"MM\x00*", 0, "a TIFF image"),
    (b"\x00\x00\x01\x00", 0, "an icon"), (b"ftyp", 4, "a video or audio file"),
    (b"ID3", 0, "an MP3 file"), (b"OggS", 0, "an audio file"), (b"fLaC", 0, "an audio file"),
    (b"WAVE", 8, "an audio file"), (b"\x1f\x8b", 0, "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"), (b"Rar!", 0, "a RAR archive"),
    (b"BZh", 0, "a bzip2 archive"), (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"\x7fELF", 0, "a program"), (b"MZ", 0, "a program"), (b"\xca\xfe\xba\xbe", 0, "a program"),
    (b"\xcf\xfa\xed\xfe", 0, "a program"), (b"\x00asm", 0, "a program"),
    (b"SQLite format 3\x00", 0, "a database file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an old Office file (.doc, .xls): save it as .docx"),
    (b"{\\rtf", 0, "an RTF file: save it as .docx"),
)


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")


def binary_kind(data: bytes) -> str | None:
    """What a file that is not a document is ("a PNG image"), or None. A signature made of
    letters alone ("BM", "MZ", "GIF89a") counts only when binary bytes follow it, so a text
    that happens to start with them ("BMW terms") is still read."""
    for magic, offset, kind in _BINARY:
        if data[offset:offset + len(magic)] == magic:
            if magic.isascii() and magic.decode("ascii").isprintable() and not _CONTROL.search(
                    data[:64]):
                continue
            return kind
    return None


def sniff_format(data: bytes, source: str) -> Format:
    """The format of `data`: by magic bytes first, then by content, then by name."""
    head = data[:2048]
    kind = binary_kind(data)
    if kind is not None and not data.lstrip()[:5] == b"%PDF-":
        raise InputError(f"{source}: {kind}, not a document; expected {SUPPORTED}",
                         code="ingest.unsupported_format")
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        members = _zip_members(data)
        if members is None:  # a damaged zip: a document that cannot be read, not another kind
            raise InputError(f"{source}: a damaged zip archive (a Word document cannot be read "
                             "from it)", code="ingest.unreadable")
        if "word/document.xml" in members:
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


def _zip_members(data: bytes) -> list[str] | None:
    """The names in a zip archive, or None when it cannot be opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


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
