"""The two PDF readers, PDFium (the default) and pdfplumber (the fallback), give the same
clauses, categories, sections, pages and emphasis on the corpora rendered to PDF and on the
PDFs the ingest tests build; a file PDFium cannot read is read by pdfplumber; and the limits
are checked while the pages are read, not after."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixture_docs import make_pdf, pdf_of_objects, terms_page
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from analyzer.api import analyze_document
from analyzer.errors import InputError, LimitExceeded
from analyzer.ingest.pdf import read_pdf
from analyzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RENDERED = sorted((ROOT / "corpora" / "rendered").glob("*.pdf"))
SETTINGS = Settings(parse_seconds=0)

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=7)
TIGHT = ParagraphStyle("tight", parent=BODY, spaceAfter=0)
TALL = ParagraphStyle("tall", parent=TIGHT, leading=26)
HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13.5, leading=17,
                      spaceBefore=8, spaceAfter=6)
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=26)
TEXT = ("You agree to these terms when you use the service, and your agents agree to them "
        "when they act for you.")
LOUD = ("YOU ARE SOLELY RESPONSIBLE FOR EVERY ACTION YOUR AGENTS TAKE ON YOUR BEHALF, AND FOR "
        "THE CONTENT THEY POST OR SEND IN YOUR NAME TO ANYONE")


def _story(*parts: Any, **margins: Any) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=letter, **margins).build(list(parts))
    return buffer.getvalue()


def _columns(pdf: canvas.Canvas, number: int) -> None:
    pdf.setFont("Helvetica", 10)
    for row in range(12):
        pdf.drawString(60, 700 - row * 14, f"left column line {row} about agents")
        pdf.drawString(330, 700 - row * 14, f"right column line {row} about fees")


# The PDFs of the ingest tests (test_ingest_formats.py, test_ingest_pdf_runs.py).
FIXTURES: dict[str, Callable[[], bytes]] = {
    "running lines": lambda: make_pdf([terms_page] * 3),
    "two columns": lambda: make_pdf([_columns]),
    "word in two fonts": lambda: _story(
        Paragraph('Your Respon<font name="Helvetica-BoldOblique">sibilities</font>', HEAD),
        Paragraph(TEXT, BODY)),
    "larger initial": lambda: _story(
        Paragraph('<b><font size="14">A</font>gent Conduct</b>', TALL), Paragraph(TEXT, BODY)),
    "larger number": lambda: _story(
        Paragraph('<font name="Helvetica-Bold" size="22">7.</font><b> Agent Conduct</b>', TALL),
        Paragraph(TEXT, BODY)),
    "title initial": lambda: _story(
        Paragraph('<font size="23">M</font>oltnest Terms of Service', TITLE),
        Paragraph(TEXT, BODY)),
    "bold runs of two sizes": lambda: _story(
        Paragraph('<b>AGENT CONDUCT</b> <font name="Helvetica-Bold" size="9">AND SAFETY'
                  "</font>", TIGHT), Paragraph(TEXT, TIGHT)),
    "wrapped heading": lambda: _story(
        Paragraph("Limitation of Liability and Indemnification of Providers, Agents and Their "
                  "Affiliated Operators", HEAD), Paragraph(TEXT, BODY)),
    "emphasis in two faces": lambda: _story(
        Paragraph('You are <b>SOLE</b><font name="Helvetica-BoldOblique">LY</font> '
                  "responsible for your agents.", BODY)),
    "wrapped bold paragraph": lambda: _story(Paragraph(f"<b>{LOUD}</b>", BODY),
                                             Paragraph(TEXT, BODY)),
    "line opening like an item": lambda: _story(
        Paragraph("These terms apply if you live in the European Economic Area, Switzerland, "
                  "or UK. If you live elsewhere, the other terms apply.", BODY),
        Paragraph(TEXT, BODY), leftMargin=72, rightMargin=160),
    "bullets": lambda: _story(
        Paragraph(TEXT, BODY),
        ListFlowable([ListItem(Paragraph(t, BODY)) for t in ("Acquire goods", "Harm anyone")],
                     bulletType="bullet")),
    "capitals over a page break": lambda: _story(
        Spacer(1, 610), Paragraph(LOUD + ".", ParagraphStyle("o", parent=BODY, allowOrphans=1)),
        Paragraph(TEXT, BODY)),
}


def _clauses(data: bytes, reader: str) -> list[tuple[Any, ...]]:
    document = read_pdf(data, "t.pdf", SETTINGS, reader=reader)  # type: ignore[arg-type]
    return [(c.section, c.text, c.categories, c.attributes.emphasis, c.page, c.marker)
            for c in analyze_document(document).clauses]


@pytest.mark.parametrize("path", RENDERED, ids=lambda p: p.name)
def test_both_readers_give_the_same_clauses_on_the_corpora(path: Path) -> None:
    data = path.read_bytes()
    pdfium = _clauses(data, "pdfium")
    assert pdfium, path.name
    assert pdfium == _clauses(data, "pdfplumber")


@pytest.mark.parametrize("name", list(FIXTURES))
def test_both_readers_give_the_same_clauses_on_the_ingest_fixtures(name: str) -> None:
    data = FIXTURES[name]()
    pdfium = _clauses(data, "pdfium")
    assert pdfium, name
    assert pdfium == _clauses(data, "pdfplumber")


def test_the_default_reader_is_pdfium() -> None:
    """A page PDFium reads: the default reader's output is PDFium's, block for block."""
    data = FIXTURES["emphasis in two faces"]()
    auto = read_pdf(data, "t.pdf", SETTINGS)
    assert auto.blocks == read_pdf(data, "t.pdf", SETTINGS, reader="pdfium").blocks
    assert [b.text[s.start:s.end] for b in auto.blocks for s in b.emphasis] == ["SOLELY"]


def _turned(pdf: canvas.Canvas, number: int) -> None:
    pdf.setPageRotation(90)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 500, "You are responsible for the agents you run on the service.")


def test_a_rotated_page_is_read_by_the_fallback() -> None:
    """PDFium's character boxes do not turn with /Rotate: such a file goes to pdfplumber."""
    data = make_pdf([_turned])
    with pytest.raises(InputError, match="rotated"):
        read_pdf(data, "turned.pdf", SETTINGS, reader="pdfium")
    document = read_pdf(data, "turned.pdf", SETTINGS)
    assert document.blocks == read_pdf(data, "turned.pdf", SETTINGS, reader="pdfplumber").blocks
    assert "agents you run" in document.text


def test_a_file_pdfium_cannot_open_is_a_clear_error() -> None:
    with pytest.raises(InputError) as caught:
        read_pdf(b"%PDF-1.4\n" + b"\x00garbage" * 50, "broken.pdf", SETTINGS)
    assert caught.value.code == "ingest.damaged"
    assert "broken.pdf" in str(caught.value)


def _long_page(pdf: canvas.Canvas, number: int) -> None:
    pdf.setFont("Helvetica", 10)
    for row in range(50):
        pdf.drawString(60, 740 - row * 14, f"Clause {number}.{row}: you are responsible for "
                                           "every agent you run on the service.")


def test_the_character_limit_stops_reading_at_the_page_that_passes_it() -> None:
    data = make_pdf([_long_page] * 40)  # about 3,300 characters a page
    for reader in ("pdfium", "pdfplumber"):
        with pytest.raises(LimitExceeded) as caught:
            read_pdf(data, "long.pdf", Settings(parse_seconds=0, max_chars=10_000),
                     reader=reader)  # type: ignore[arg-type]
        assert caught.value.setting == "TERMSHIFT_MAX_CHARS"
        # Counted to the fourth page, not over all 40 (about 132,000 characters).
        assert 10_000 < caught.value.value < 14_000, reader


def test_the_page_limit_is_checked_when_the_file_is_opened() -> None:
    data = make_pdf([_long_page] * 5)
    with pytest.raises(LimitExceeded) as caught:
        read_pdf(data, "long.pdf", Settings(parse_seconds=0, max_pages=4))
    assert caught.value.value == 5 and caught.value.setting == "TERMSHIFT_MAX_PAGES"


def _pdf_with_weight(weight: int) -> bytes:
    """A heading in a font named without a weight ("Quillface") whose descriptor declares
    `weight`, then a sentence in Helvetica; written object by object."""
    content = (b"BT /F1 12 Tf 72 700 Td (Agent Conduct) Tj ET\n"
               b"BT /F2 10 Tf 72 670 Td (You agree to these terms when you use it.) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Quillface /FirstChar 32 /LastChar 126 "
        b"/Encoding /WinAnsiEncoding /FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /Quillface /Flags 32 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 "
        b"/FontWeight %d >>" % weight,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of_objects(objects)


@pytest.mark.parametrize(("weight", "bold"), [(700, True), (400, False)])
def test_pdfium_reads_bold_from_a_declared_weight(weight: int, bold: bool) -> None:
    blocks = read_pdf(_pdf_with_weight(weight), "w.pdf", SETTINGS).blocks
    assert (blocks[0].kind, blocks[0].text) == ("heading", "Agent Conduct")
    assert [s.styles for s in blocks[0].emphasis] == ([frozenset({"bold"})] if bold else [])
    assert blocks[1].emphasis == ()
