"""Fixture documents built in the tests from hand-written text."""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

PdfPage = Callable[[canvas.Canvas, int], None]


def make_pdf(pages: list[PdfPage], **options: object) -> bytes:
    """A PDF whose pages are drawn by the given callables."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1, **options)  # type: ignore[arg-type]
    for number, draw in enumerate(pages, start=1):
        draw(pdf, number)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def terms_page(pdf: canvas.Canvas, number: int) -> None:
    pdf.setFont("Helvetica", 8)
    pdf.drawString(72, 760, "Acme Cloud Terms of Service")
    pdf.drawString(280, 30, f"Page {number} of 3")
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 700, f"{number}. Section {number}")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 670, "You are responsible for the security of your responsi-")
    pdf.drawString(72, 656, "bility settings and all third-party content you")
    pdf.drawString(72, 642, "post on the service.")
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(72, 610, "YOU ARE SOLELY RESPONSIBLE FOR YOUR AI AGENTS.")

