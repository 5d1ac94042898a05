"""The benchmark PDF: paragraphs of 10-point Helvetica under a running header and a page
number, as a combined terms document prints (used by throughput.py and pdf_speed.py)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate


def render_pdf(paragraphs: list[str]) -> bytes:
    """The paragraphs (reportlab markup: "&" written "&amp;") laid out as the benchmark PDF."""
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=letter, invariant=1)

    def header(canvas: object, doc: object) -> None:
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        canvas.drawString(72, 750, "Combined Terms")  # type: ignore[attr-defined]
        canvas.drawString(280, 30, f"Page {doc.page}")  # type: ignore[attr-defined]

    document.build([Paragraph(p, body) for p in paragraphs],
                   onFirstPage=header, onLaterPages=header)
    return buffer.getvalue()
