"""Arbitrary and damaged bytes raise only the project's own errors, never anything else."""

from __future__ import annotations

import io

import docx
from fixture_docs import make_pdf, terms_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import TermshiftError
from analyzer.ingest import ingest

PDF = make_pdf([terms_page])
HTML = b"<html><body><main><h1>T</h1><p>You <b>must</b> comply.</p></main></body></html>"


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Terms", 1)
    document.add_paragraph("You are responsible for your agents.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _docx_bytes()


def _ingest_or_own_error(data: bytes, name: str) -> None:
    try:
        doc = ingest(data, name)
    except TermshiftError:
        return
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["x.pdf", "x.docx", "x.html", "x.md", "x.txt"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    _ingest_or_own_error(data, name)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([PDF, DOCX, HTML]), st.data())
def test_damaged_documents(original: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(original)))
    flips = data.draw(st.lists(st.integers(0, len(original) - 1), max_size=8))
    damaged = bytearray(original[:cut] if data.draw(st.booleans()) else original)
    for index in flips:
        if index < len(damaged):
            damaged[index] ^= 0xFF
    _ingest_or_own_error(bytes(damaged), "damaged")
