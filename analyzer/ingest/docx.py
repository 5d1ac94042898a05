"""DOCX into a Document: heading styles, list numbering, bold and caps runs, tables."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from analyzer.errors import InputError, LimitExceeded, TermshiftError
from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.model import Document
from analyzer.settings import Settings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def read_docx(data: bytes, source: str, settings: Settings) -> Document:
    """Refuse DTDs and zip bombs first, then read the body in order with python-docx."""
    check_archive(data, source, settings)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on damaged parts
        raise InputError(f"{source}: the Word document is damaged ({type(exc).__name__})",
                         code="ingest.damaged") from exc
    builder = DocumentBuilder(source, "docx", data, settings)
    numbering = _Numbering(document)
    for item in _body_items(document):
        if isinstance(item, Table):
            _add_table(builder, item)
        else:
            _add_paragraph(builder, item, numbering)
    title = document.core_properties.title or None
    return builder.build(title=title)


def check_archive(data: bytes, source: str, settings: Settings) -> None:
    """Refuse a part holding a DTD and an archive that would unpack beyond the limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > settings.max_inflated_bytes:
                raise LimitExceeded("unpacked size", total, settings.max_inflated_bytes,
                                    "TERMSHIFT_MAX_INFLATED_BYTES")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        head = part.read(4096).lower()
                    if b"<!doctype" in head or b"<!entity" in head:
                        raise InputError(
                            f"{source}: part {info.filename} declares a DTD, which termshift "
                            "refuses (it can expand entities); save the file again from Word",
                            code="ingest.dtd_refused")
    except TermshiftError:
        raise
    except Exception as exc:  # zipfile and zlib raise many kinds on a damaged archive
        raise InputError(f"{source}: the Word document's archive is damaged",
                         code="ingest.damaged") from exc


def _body_items(document: Any) -> Iterator[Paragraph | Table]:
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            yield Paragraph(element, document)
        elif element.tag == f"{_W}tbl":
            yield Table(element, document)


def _style_flag(paragraph: Paragraph, attr: str) -> bool:
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, attr, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


def _add_paragraph(builder: DocumentBuilder, paragraph: Paragraph, numbering: _Numbering) -> None:
    style_name = (paragraph.style.name if paragraph.style is not None else "") or ""
    inherited = {a: _style_flag(paragraph, a) for a in ("bold", "italic", "underline", "all_caps")}
    run_text = RunText()
    for run in paragraph.runs:
        text = run.text
        caps = run.font.all_caps if run.font.all_caps is not None else inherited["all_caps"]
        if caps:
            text = text.upper()
        styles = {
            name for name, value in (("bold", run.bold), ("italic", run.italic),
                                     ("underline", run.underline))
            if (value if value is not None else inherited[name])
        }
        run_text.add(text, frozenset(styles))
    level = _heading_level(style_name)
    if level:
        builder.add("heading", run_text, level=level)
        return
    marker, depth = numbering.marker(paragraph)
    if marker is not None or "List" in style_name:
        builder.add("list_item", run_text, level=depth + 1, marker=marker)
    else:
        builder.add("paragraph", run_text)


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    if style_name.startswith("Heading "):
        digits = style_name.removeprefix("Heading ").strip()
        return int(digits) if digits.isdigit() else 1
    return 0


def _add_table(builder: DocumentBuilder, table: Table) -> None:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat
                cells.append(text)
        run = RunText()
        run.add(" | ".join(cells))
        builder.add("table", run)


class _Numbering:
    """Displayed list markers ("1.", "(a)", "iv.") from numbering.xml and running counters."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            node = abstract.get(ref.get(f"{_W}val")) if ref is not None else None
            if node is None:
                continue
            for lvl in node.iter(f"{_W}lvl"):
                fmt, text = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText")
                self.formats[(num.get(f"{_W}numId") or "", int(lvl.get(f"{_W}ilvl") or 0))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "%1.",
                )

    def marker(self, paragraph: Paragraph) -> tuple[str | None, int]:
        ppr = paragraph._p.pPr
        num_pr: Any = ppr.numPr if ppr is not None else None
        if num_pr is None or num_pr.numId is None:
            return None, 0
        num_id = str(num_pr.numId.val)
        level = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        fmt, template = self.formats.get((num_id, level), ("decimal", "%1."))
        if fmt == "bullet":
            return "-", level
        marker = template
        for i in range(level + 1):
            marker = marker.replace(f"%{i + 1}", _format_number(counters[i] or 1, fmt))
        return marker.strip() or None, level


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        out, rest = "", value
        for number, numeral in _ROMAN:
            while rest >= number:
                out, rest = out + numeral, rest - number
        return out.upper() if fmt == "upperRoman" else out
    return str(value)
