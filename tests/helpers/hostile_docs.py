"""Hostile documents made at run time (none is committed): a nested flate-bomb PDF, a DOCX
whose members inflate far past their size, and deeply nested HTML."""

from __future__ import annotations

import io
import zipfile
import zlib

from fixture_docs import pdf_of_objects

_CHUNK = b" " * (1024 * 1024)


def _deflate_repeated(megabytes: int) -> bytes:
    packer = zlib.compressobj(9)
    parts = [packer.compress(_CHUNK) for _ in range(megabytes)]
    parts.append(packer.flush())
    return b"".join(parts)


def flate_bomb_pdf(megabytes: int = 1024) -> bytes:
    """A one-page PDF whose content stream is deflated twice: a few KB that inflate to
    `megabytes` MB of blanks for the reader to lex."""
    stream = zlib.compress(_deflate_repeated(megabytes), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(stream)
        + stream + b"\nendstream",
    ]
    return pdf_of_objects(objects)


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bomb(megabytes: int = 256, *, declared: int | None = None) -> bytes:
    """A DOCX whose document.xml inflates to `megabytes` MB of one paragraph's text.
    With `declared`, the zip directory claims that size instead (a lying header)."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            b'<w:p><w:r><w:t>')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            chunk = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
            member.write(tail)
    data = body.getvalue()
    if declared is None:
        return data
    return _lie_about_size(data, "word/document.xml", declared)


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s uncompressed size in the central directory set to `size`."""
    raw = bytearray(data)
    marker = b"PK\x01\x02"
    at = raw.find(marker)
    while at >= 0:
        name_len = int.from_bytes(raw[at + 28:at + 30], "little")
        extra_len = int.from_bytes(raw[at + 30:at + 32], "little")
        if bytes(raw[at + 46:at + 46 + name_len]) == name.encode():
            if raw[at + 24:at + 28] == b"\xff\xff\xff\xff":  # zip64: the size is in the extra
                extra = at + 46 + name_len
                raw[extra + 4:extra + 12] = size.to_bytes(8, "little")
            else:
                raw[at + 24:at + 28] = size.to_bytes(4, "little")
        at = raw.find(marker, at + 46 + name_len + extra_len)
    return bytes(raw)


def deep_html(depth: int) -> bytes:
    """HTML with `depth` nested <div>s around one sentence."""
    return (b"<html><body>" + b"<div>" * depth + b"<p>The deep clause applies.</p>"
            + b"</div>" * depth + b"</body></html>")
