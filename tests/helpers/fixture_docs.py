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


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF written object by object (numbered from 1, the first the catalog), with its
    cross-reference table: for files reportlab will not write (hostile or unusual fonts)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()
