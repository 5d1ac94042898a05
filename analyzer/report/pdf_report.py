"""A comparison as a PDF: the findings first, then the redline of the whole new version,
insertions underlined in green and deletions struck through in red.

Drawn by reportlab (pure Python, wheels on PyPI, no system libraries), so the server needs
nothing beyond `pip install`; docs/REDLINE.md says why it was chosen. The built-in
Helvetica covers Latin-1 and Windows-1252 punctuation; other characters print as a box.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from analyzer import __version__
from analyzer.model import SEVERITIES, Change, Comparison
from analyzer.report.docx_redline import paragraphs, section_of
from analyzer.report.triage import Triage, line

INSERT = "#1a7f37"
DELETE = "#b42318"
SEVERITY_COLOUR = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3", "info": "#475467"}


def _text(value: str) -> str:
    """Document text as reportlab paragraph markup that shows it and nothing else."""
    return escape("".join(c for c in value if c in "\t\n" or ord(c) >= 0x20))


def _ins(text: str) -> str:
    return f'<u><font color="{INSERT}">{_text(text)}</font></u>'


def _del(text: str) -> str:
    return f'<strike><font color="{DELETE}">{_text(text)}</font></strike>'


def _markup(change: Change) -> str:
    if change.kind == "added" and change.new:
        return _ins(change.new.text)
    if change.kind == "removed" and change.old:
        return _del(change.old.text)
    if change.redline and change.kind in ("modified", "moved"):
        return "".join(_ins(t) if op == "insert" else _del(t) if op == "delete" else _text(t)
                       for op, t in change.redline)
    clause = change.new or change.old
    return _text(clause.text if clause else "")


def render_pdf(comparison: Comparison, title: str | None = None, *,
               triage: Triage | None = None) -> bytes:
    """The report as PDF bytes: a summary, the findings by severity (with each one's
    triage when the web app gives it), then the redline."""
    name = title or comparison.new.document.title
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sheet["BodyText"], alignment=TA_LEFT, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11,
                           textColor=colors.HexColor("#475467"))
    story: list[object] = [
        Paragraph(_text(f"{name}: what changed"), sheet["Title"]),
        Paragraph(_text(f"{comparison.old.document.source} to "
                        f"{comparison.new.document.source}"), small),
        Paragraph(_text(f"termshift {__version__}"), small),
        Spacer(1, 4 * mm),
    ]
    if comparison.warning:
        story.append(Paragraph("<b>Warning:</b> " + _text(comparison.warning), body))
    story.append(Paragraph("Findings", sheet["Heading1"]))
    if triage is not None:
        story.append(Paragraph("<b>Triage:</b> " + _text(triage.summary_text()), body))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings = sorted(comparison.findings, key=lambda f: order.get(f.severity, 99))
    if not findings:
        story.append(Paragraph("No findings.", body))
    for finding in findings:
        colour = SEVERITY_COLOUR.get(finding.severity, "#475467")
        story.append(Paragraph(
            f'<font color="{colour}"><b>{_text(finding.severity.upper())}</b></font> '
            f"<b>{_text(finding.title)}</b>", body))
        story.append(Paragraph(_text(finding.explanation), body))
        evidence = [(label, text) for label, text in
                    (("Before", finding.evidence_old), ("After", finding.evidence_new)) if text]
        for label, text in evidence:
            # a rewritten section's finding quotes several clauses, one paragraph each
            story.append(Paragraph(f"<i>{label}:</i> " + _text(text).replace("\n\n", "<br/>"),
                                   small))
        if triage is not None:
            story.append(Paragraph("<b>" + _text(line(triage.of(finding.id))) + "</b>", small))
        story.append(Spacer(1, 2 * mm))

    story.append(Paragraph("Redline", sheet["Heading1"]))
    story.append(Paragraph(
        f'{_ins("Inserted text")} is underlined in green, {_del("deleted text")} struck '
        "through in red.", small))
    shown: tuple[str, ...] = ()
    for paragraph in paragraphs(comparison):
        section = section_of(paragraph.changes[0])
        common = 0
        while common < min(len(shown), len(section)) and shown[common] == section[common]:
            common += 1
        for depth in range(common, len(section)):
            style = sheet["Heading2"] if depth == 0 else sheet["Heading3"]
            story.append(Paragraph(_text(section[depth]), style))
        shown = section
        lead = [] if not paragraph.lead else [
            _text(paragraph.lead) if paragraph.new_block is not None else _del(paragraph.lead)]
        story.append(Paragraph(" ".join(lead + [_markup(ch) for ch in paragraph.changes]),
                               body))

    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, title=name, author="termshift",
                            leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm)
    pdf.build(story)
    return out.getvalue()
