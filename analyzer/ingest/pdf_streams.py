"""A flate bomb refused before PDFium sees it: every Flate-encoded stream of the file is
inflated once, chunk by chunk and thrown away, and the file is refused as soon as one stream
(after any of its Flate filters, a nested bomb deflated twice included) passes
TERMSHIFT_MAX_INFLATED_BYTES. PDFium has no limit of its own to set, and it inflates a stream
whole into memory; the parse memory budget (TERMSHIFT_PARSE_MEMORY_MB) stays the backstop for
what this scan cannot see (a stream whose filters start with another encoding). Image
streams are skipped: PDFium reads a page's text without decoding its images.

Cost: zlib's own speed over the file's compressed streams, a few milliseconds for a 100-page
document (docs/BENCHMARKS.md)."""

from __future__ import annotations

import re
import zlib

from analyzer.errors import LimitExceeded

# "stream" after a dictionary's closing ">>", then the end-of-line the format requires.
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_DICT_REACH = 4096  # how far back from "stream" its dictionary's /Filter is looked for
_CHUNK = 1 << 20
_MAX_LAYERS = 8


def check_streams(data: bytes, limit: int) -> None:
    """Raise LimitExceeded ("pdf stream size") if any Flate stream inflates past `limit`."""
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        layers = _flate_layers(data, match.start())
        if not layers:
            continue
        start = match.end()
        end = data.find(b"endstream", start)
        _inflate(view[start:end if end >= 0 else len(data)], layers, limit)


def _flate_layers(data: bytes, dict_end: int) -> int:
    """How many Flate filters the stream's filter list starts with (0: none, or another)."""
    reach = max(0, dict_end - _DICT_REACH)
    opening = max(data.rfind(b"obj", reach, dict_end), reach)
    if _IMAGE.search(data, opening, dict_end):
        return 0  # PDFium reads text without decoding images: a large scan is no threat
    filters = [m.group(1) for m in _FILTER.finditer(data, opening, dict_end)]
    if not filters:
        return 0
    layers = 0
    for name in _NAME.findall(filters[-1]):
        if name not in (b"FlateDecode", b"Fl"):
            break
        layers += 1
    return min(layers, _MAX_LAYERS)


def _inflate(raw: memoryview, layers: int, limit: int) -> None:
    inflaters = [zlib.decompressobj() for _ in range(layers)]
    totals = [0] * layers

    def push(level: int, chunk: bytes | memoryview) -> None:
        inflater = inflaters[level]
        pending: bytes | memoryview = chunk
        while pending and not inflater.eof:
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            totals[level] += len(out)
            if totals[level] > limit:
                raise LimitExceeded("pdf stream size", totals[level], limit,
                                    "TERMSHIFT_MAX_INFLATED_BYTES")
            if out and level + 1 < layers:
                push(level + 1, out)
            if not out and not pending:
                break

    try:
        push(0, raw)
    except zlib.error:
        return  # not really Flate (or encrypted): PDFium judges it
