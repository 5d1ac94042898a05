"""DOCX into a Document: heading styles, list numbering, bold and caps runs, tables.

Nothing a reader sees is lost: the text of hyperlinks, smart tags, content controls (block
and inline), simple fields and the result of complex fields (not their instruction), and
tracked insertions and moves-to is read in document order with its runs' emphasis; tracked
deletions and moves-from are not part of the current text and are left out."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from analyzer.errors import InputError, LimitExceeded, TermshiftError
from analyzer.ingest.builder import DocumentBuilder, RunText
from analyzer.model import Document
from analyzer.settings import Settings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Inline wrappers whose runs are part of the paragraph's current text: hyperlinks, smart
# tags, custom XML, simple fields (their runs are the field's result), tracked insertions
# and moves-to, bidirectional overrides, content controls (their w:sdtContent).
_INLINE_CONTAINERS = frozenset(f"{_W}{name}" for name in (
    "hyperlink", "smartTag", "customXml", "fldSimple", "ins", "moveTo", "dir", "bdo",
    "sdtContent"))
# Block wrappers around paragraphs and tables: content controls and custom XML.
_BLOCK_CONTAINERS = frozenset(f"{_W}{name}" for name in ("sdt", "sdtContent", "customXml"))
_MAIN_PART = re.compile(
    rb'PartName="([^"]+)"[^>]*ContentType="[^"]*document\.main\+xml"', re.I)
_HIDDEN_TEXT = re.compile(rb"<w:(delText|instrText)\b[^>]*>[^<]*</w:\1>")
_TAG = re.compile(rb"<[^>]*>")
_ENTITY = re.compile(rb"&[#A-Za-z0-9]{1,10};")
# Blanks, and UTF-8 continuation bytes (a character is counted once, by its first byte).
_NOT_COUNTED = b" \t\r\n" + bytes(range(0x80, 0xC0))
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
    fields = _Fields()
    char_styles = _CharStyles()
    carried: RunText | None = None  # a paragraph whose mark is a tracked deletion
    for item in _body_items(document):
        if isinstance(item, Table):
            if carried is not None:
                builder.add("paragraph", carried)
                carried = None
            _add_table(builder, item, fields)
        else:
            carried = _add_paragraph(builder, item, numbering, fields, char_styles, carried)
    if carried is not None:
        builder.add("paragraph", carried)
    title = document.core_properties.title or None
    return builder.build(title=title)


def check_archive(data: bytes, source: str, settings: Settings) -> None:
    """Refuse a part holding a DTD and an archive that unpacks beyond the limit, counting the
    bytes while inflating (a zip's declared sizes may lie) and stopping at the limit; the
    body's text is counted on the way and refused as soon as it passes the character limit,
    before python-docx builds its tree."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > settings.max_inflated_bytes:
                raise LimitExceeded("unpacked size", total, settings.max_inflated_bytes,
                                    "TERMSHIFT_MAX_INFLATED_BYTES")
            main = _main_part(archive)
            inflated = 0
            for info in infos:
                with archive.open(info) as part:
                    head = part.read(4096)
                    if info.filename.endswith((".xml", ".rels")) and (
                            b"<!doctype" in head.lower() or b"<!entity" in head.lower()):
                        raise InputError(
                            f"{source}: part {info.filename} declares a DTD, which termshift "
                            "refuses (it can expand entities); save the file again from Word",
                            code="ingest.dtd_refused")
                    counter = _TextCounter(settings) if info.filename == main else None
                    chunk = head
                    while chunk:
                        inflated += len(chunk)
                        if inflated > settings.max_inflated_bytes:
                            raise LimitExceeded("unpacked size", inflated,
                                                settings.max_inflated_bytes,
                                                "TERMSHIFT_MAX_INFLATED_BYTES")
                        if counter is not None:
                            counter.feed(chunk)
                        chunk = part.read(1 << 20)
    except TermshiftError:
        raise
    except Exception as exc:  # zipfile and zlib raise many kinds on a damaged archive
        raise InputError(f"{source}: the Word document's archive is damaged",
                         code="ingest.damaged") from exc


def _main_part(archive: zipfile.ZipFile) -> str:
    """The name of the main document part (word/document.xml unless the types say else)."""
    with contextlib.suppress(KeyError):
        with archive.open("[Content_Types].xml") as types:
            found = _MAIN_PART.search(types.read(1 << 20))
        if found:
            return found.group(1).decode("utf-8", "replace").lstrip("/")
    return "word/document.xml"


class _TextCounter:
    """Counts a part's text as its XML arrives, with byte-level regular expressions (no tree,
    no per-element Python), and refuses it once the count passes TERMSHIFT_MAX_CHARS.
    The count is the non-blank characters outside tags, leaving out deleted text and field
    instructions and counting an entity as one character: no more than the reader extracts
    (which also keeps the spaces), so nothing the reader would accept is refused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.chars = 0
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")  # a tag or element cut by the chunk waits for the next one
        if cut < 0:
            cut = len(data)
        data, self.carry = data[:cut], data[cut:]
        if len(self.carry) > 1 << 20:  # no tag for a whole megabyte: count it as text
            data, self.carry = data + self.carry, b""
        data = _HIDDEN_TEXT.sub(b"", data)
        data = _ENTITY.sub(b"x", _TAG.sub(b"", data))
        text = data.translate(None, _NOT_COUNTED)
        self.chars += len(text)
        if self.chars > self.settings.max_chars:
            raise LimitExceeded("characters", self.chars, self.settings.max_chars,
                                "TERMSHIFT_MAX_CHARS")


def _body_items(document: Any) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in order, including those inside block content controls."""
    yield from _block_items(document.element.body, document)


def _block_items(parent: Any, document: Any) -> Iterator[Paragraph | Table]:
    for element in parent.iterchildren():
        if element.tag == f"{_W}p":
            yield Paragraph(element, document)
        elif element.tag == f"{_W}tbl":
            yield Table(element, document)
        elif element.tag in _BLOCK_CONTAINERS:  # w:sdtPr and w:sdtEndPr hold no text
            yield from _block_items(element, document)


class _Fields:
    """Complex fields (w:fldChar begin, instruction, separate, result, end) open in the
    paragraphs read so far: text is shown only outside every field's instruction."""

    def __init__(self) -> None:
        self.stack: list[bool] = []  # per open field: True once its result has begun

    def showing(self) -> bool:
        return all(self.stack)

    def mark(self, kind: str | None) -> None:
        if kind == "begin":
            self.stack.append(False)
        elif kind == "separate" and self.stack:
            self.stack[-1] = True
        elif kind == "end" and self.stack:
            self.stack.pop()

    def end_paragraph(self) -> None:
        """A field's result may run over paragraphs (a table of contents); its instruction
        does not, so a field still in its instruction is damaged and stops hiding text."""
        self.stack = [True for _ in self.stack]


def _paragraph_runs(element: Any, paragraph: Paragraph, fields: _Fields) -> Iterator[Run]:
    """The paragraph's runs that hold current, visible text, in document order."""
    for child in element.iterchildren():
        tag = child.tag
        if tag == f"{_W}r":
            for part in child.iterchildren(f"{_W}fldChar"):
                fields.mark(part.get(f"{_W}fldCharType"))
            if fields.showing():
                yield Run(child, paragraph)
        elif tag in _INLINE_CONTAINERS:
            yield from _paragraph_runs(child, paragraph, fields)
        elif tag == f"{_W}sdt":
            for content in child.iterchildren(f"{_W}sdtContent"):
                yield from _paragraph_runs(content, paragraph, fields)
        # w:del and w:moveFrom (deleted text), w:pPr, bookmarks, proofing marks: no text


def _paragraph_text(paragraph: Paragraph, fields: _Fields) -> str:
    text = "".join(run.text for run in _paragraph_runs(paragraph._p, paragraph, fields))
    fields.end_paragraph()
    return text


def _style_flag(style: Any, attr: str) -> bool:
    while style is not None:
        value = getattr(style.font, attr, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


class _CharStyles:
    """Bold, italic and capitals of character styles (w:rStyle "Strong", "Emphasis"), each
    style looked up once. Underline is not taken from them: the Hyperlink style underlines
    every link, which is how a link looks, not emphasis."""

    FLAGS = ("bold", "italic", "all_caps")

    def __init__(self) -> None:
        self.cache: dict[str, dict[str, bool | None]] = {}

    def flags(self, run: Run) -> dict[str, bool | None]:
        style_id = run._r.style
        if style_id is None:
            return {}
        if style_id not in self.cache:
            style = run.style
            self.cache[style_id] = {a: _style_value(style, a) for a in self.FLAGS}
        return self.cache[style_id]


def _style_value(style: Any, attr: str) -> bool | None:
    while style is not None:
        value = getattr(style.font, attr, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    return None


def _flag(name: str, layers: tuple[dict[str, Any], ...]) -> bool:
    """The first layer that sets the flag decides it."""
    for layer in layers:
        value = layer.get(name)
        if value is not None:
            return bool(value)
    return False


def _add_paragraph(builder: DocumentBuilder, paragraph: Paragraph, numbering: _Numbering,
                   fields: _Fields, char_styles: _CharStyles,
                   carried: RunText | None = None) -> RunText | None:
    """Add the paragraph, after the text `carried` from paragraphs whose mark was deleted.
    When this paragraph's own mark is a tracked deletion, its text runs on into the next
    paragraph (as Word shows it), so it is returned to be carried instead of added."""
    style = paragraph.style  # looked up once: each lookup scans styles.xml
    style_name = (style.name if style is not None else "") or ""
    inherited = {a: _style_flag(style, a) for a in ("bold", "italic", "underline", "all_caps")}
    run_text = RunText()
    if carried is not None:
        run_text.spans.extend(carried.spans)  # the carried text first, with its styles
        run_text.parts.extend(carried.parts)
        run_text.length = carried.length
    for run in _paragraph_runs(paragraph._p, paragraph, fields):
        text = run.text
        # Direct formatting, then the run's character style, then the paragraph's style.
        direct: dict[str, Any] = {"bold": run.bold, "italic": run.italic,
                                  "underline": run.underline, "all_caps": run.font.all_caps}
        layers = (direct, char_styles.flags(run), inherited)
        if _flag("all_caps", layers):
            text = text.upper()
        styles = {name for name in ("bold", "italic", "underline") if _flag(name, layers)}
        run_text.add(text, frozenset(styles))
    fields.end_paragraph()
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.find(f"{_W}rPr/{_W}del") is not None:
        return run_text
    level = _heading_level(style_name)
    if level:
        builder.add("heading", run_text, level=level)
        return None
    marker, depth = numbering.marker(paragraph)
    if marker is not None or "List" in style_name:
        builder.add("list_item", run_text, level=depth + 1, marker=marker)
    else:
        builder.add("paragraph", run_text)
    return None


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    if style_name.startswith("Heading "):
        digits = style_name.removeprefix("Heading ").strip()
        return int(digits) if digits.isdigit() else 1
    return 0


def _add_table(builder: DocumentBuilder, table: Table, fields: _Fields) -> None:
    """One block per row, its cells joined by " | ". Rows and cells are found through
    content controls too (a repeating section wraps rows), which python-docx's rows and
    cells skip; a vertically merged cell repeats the text it shows, as it did there."""
    above: dict[int, str] = {}  # grid column: the text of the cell that starts there
    for tr in _children(table._tbl, "tr"):
        cells: list[str] = []
        column = 0
        for tc in _children(tr, "tc"):
            if tc.vMerge == "continue":
                text = above.get(column, "")
            else:
                text = above[column] = " ".join(_cell_text(tc, table, fields).split())
            column += tc.grid_span
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        run = RunText()
        run.add(" | ".join(cells))
        builder.add("table", run)


def _children(parent: Any, name: str) -> Iterator[Any]:
    """The w:<name> children of a table or row, through content controls and custom XML."""
    for element in parent.iterchildren():
        if element.tag == f"{_W}{name}":
            yield element
        elif element.tag in _BLOCK_CONTAINERS:
            yield from _children(element, name)


def _cell_text(parent: Any, table: Table, fields: _Fields) -> str:
    """A cell's text read like the body's: its paragraphs, content controls and nested
    tables (their cells joined by spaces), in order."""
    parts: list[str] = []
    for element in parent.iterchildren():
        if element.tag == f"{_W}p":
            parts.append(_paragraph_text(Paragraph(element, table), fields))
        elif element.tag == f"{_W}tbl":
            for tr in _children(element, "tr"):
                parts.extend(_cell_text(tc, table, fields) for tc in _children(tr, "tc"))
        elif element.tag in _BLOCK_CONTAINERS:
            parts.append(_cell_text(element, table, fields))
    return "\n".join(parts)


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
