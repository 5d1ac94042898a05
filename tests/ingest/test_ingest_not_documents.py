"""Files that are not documents are refused by what they are, before any text heuristic;
text that merely starts with the same letters is still read."""

from __future__ import annotations

import gzip

import pytest

from analyzer.errors import InputError
from analyzer.ingest.sniff import sniff_format

NOT_DOCUMENTS = [
    ("a PNG image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)),
    ("a JPEG image", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)),
    ("a GIF image", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"abc" * 20),
    ("a gzip archive", gzip.compress(b"You are responsible for your posts.")),
    ("a program", b"\x7fELF\x02\x01\x01" + bytes(60)),
    ("a program", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(60)),
    ("a database file", b"SQLite format 3\x00" + bytes(80)),
    ("an old Office file", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(80)),
]


@pytest.mark.parametrize(("kind", "data"), NOT_DOCUMENTS, ids=[k for k, _ in NOT_DOCUMENTS])
def test_a_file_that_is_no_document_is_refused_by_what_it_is(kind: str, data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        sniff_format(data, "upload.md")
    assert caught.value.code == "ingest.unsupported_format"
    assert kind in str(caught.value)


@pytest.mark.parametrize("text", ["BMW Terms. You are responsible for your car.",
                                  "MZ Bank terms of service apply to every account.",
                                  "GIF89a is a file format; these terms are not about it."])
def test_text_that_starts_like_a_signature_is_still_read(text: str) -> None:
    assert sniff_format(text.encode(), "terms.txt") == "text"
