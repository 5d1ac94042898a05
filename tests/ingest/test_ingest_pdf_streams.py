"""The Flate scan that runs before PDFium: a stream that inflates past
TERMSHIFT_MAX_INFLATED_BYTES, after any of its Flate filters, is refused; images (which PDFium
does not decode to read text) and streams it cannot follow are left to PDFium."""

from __future__ import annotations

import zlib

import pytest

from analyzer.errors import LimitExceeded
from analyzer.ingest.pdf_streams import check_streams

MB = 1024 * 1024


def _object(dictionary: bytes, payload: bytes) -> bytes:
    return (b"%PDF-1.4\n4 0 obj\n<< " + dictionary + b" /Length %d >>\nstream\n" % len(payload)
            + payload + b"\nendstream\nendobj\n")


def test_a_stream_past_the_limit_is_refused_naming_the_setting() -> None:
    data = _object(b"/Filter /FlateDecode", zlib.compress(b" " * (2 * MB)))
    with pytest.raises(LimitExceeded) as caught:
        check_streams(data, MB)
    assert caught.value.code == "limit.pdf_stream_size"
    assert caught.value.setting == "TERMSHIFT_MAX_INFLATED_BYTES"


def test_a_stream_under_the_limit_passes() -> None:
    check_streams(_object(b"/Filter /FlateDecode", zlib.compress(b" " * (2 * MB))), 3 * MB)


def test_the_inner_layer_of_a_twice_deflated_stream_is_counted() -> None:
    inner = zlib.compress(b" " * (4 * MB), 9)  # about 4 KB: the outer layer is small
    data = _object(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(inner, 9))
    check_streams(data, 4 * MB + 1)
    with pytest.raises(LimitExceeded):
        check_streams(data, 2 * MB)


def test_images_and_streams_that_start_with_another_filter_are_left_to_pdfium() -> None:
    blank = zlib.compress(b"\0" * (2 * MB))
    check_streams(_object(b"/Type /XObject /Subtype /Image /Filter /FlateDecode", blank), MB)
    check_streams(_object(b"/Filter [/ASCIIHexDecode /FlateDecode]", blank.hex().encode()), MB)


def test_a_stream_that_is_not_really_deflated_is_not_an_error() -> None:
    check_streams(_object(b"/Filter /FlateDecode", b"not deflate data at all" * 100), MB)
