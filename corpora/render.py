"""Renders every corpora/*.md into PDF, DOCX and HTML, keeping bold and capitals.

Run `python corpora/render.py [--out DIR]` (default corpora/rendered/). The output is
deterministic, so re-rendering unchanged Markdown gives identical bytes. The PDF has a running
header and a "Page N of M" footer, the HTML a nav, a cookie banner and a footer, and one
capitalised paragraph in the DOCX uses the caps font property, so the readers' handling of
each is exercised. Text is also written the ways readers have lost it: in the DOCX, links
are hyperlinks, complex HYPERLINK fields and simple fields in turn, the first body paragraph
sits in a content control with a tracked deletion and a tracked insertion in it, and a bold
run sits in an inline content control; in the PDF, every heading's first letter is set
larger than the rest and a bold run changes size in the middle of a word. Needs the dev
extras (reportlab).
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from markdown_it import MarkdownIt
from markdown_it.token import Token
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""  # the target of the link the text is in, if any


@dataclass
class Item:
    kind: str  # heading | paragraph | bullet | number
    runs: list[Run] = field(default_factory=list)
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def parse(markdown: str) -> list[Item]:
    """The Markdown's blocks as headings, paragraphs and list items with styled runs."""
    items: list[Item] = []
    kind, level = "paragraph", 0
    lists: list[str] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "heading_open":
            kind, level = "heading", int(token.tag[1])
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("bullet" if token.type.startswith("bullet") else "number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline":
            item_kind = kind if kind == "heading" else (lists[-1] if lists else "paragraph")
            items.append(Item(item_kind, _runs(token.children or []), level))
            kind, level = "paragraph", 0
    return items


def _runs(children: list[Token]) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    link = ""
    for child in children:
        if child.type == "link_open":
            link = str(child.attrs.get("href") or "")
        elif child.type == "link_close":
            link = ""
        elif child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("text", "code_inline"):
            runs.append(Run(child.content, bold, italic, link))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold, italic, link))
    return runs


def _title(items: list[Item]) -> str:
    return next((i.text for i in items if i.kind == "heading"), "Document")


# ------------------------------------------------------------------ PDF


_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=7)
_HEADS = {1: ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=18, leading=22,
                            spaceAfter=10),
          2: ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13.5, leading=17,
                            spaceBefore=8, spaceAfter=6)}


def _story(items: list[Item]) -> list[object]:
    """Fresh flowables (a build consumes them)."""
    story: list[object] = []
    pending: list[ListItem] = []
    pending_kind = ""
    split_done = False
    for item in [*items, Item("end")]:
        if item.kind == "heading":
            markup = _initial(item, _HEADS.get(item.level, _HEADS[2]))
        elif not split_done and any(r.bold and len(r.text) > 20 for r in item.runs):
            markup, split_done = _split_bold(item), True
        else:
            markup = "".join(_pdf_run(r) for r in item.runs)
        if pending and item.kind != pending_kind:
            numbered = pending_kind == "number"
            story.append(ListFlowable(pending, bulletType="1" if numbered else "bullet",
                                      bulletFormat="%s." if numbered else None,
                                      leftIndent=18))
            pending = []
        if item.kind in ("bullet", "number"):
            pending_kind = item.kind
            pending.append(ListItem(Paragraph(markup, _BODY)))
        elif item.kind != "end":
            style = _HEADS.get(item.level, _HEADS[2]) if item.kind == "heading" else _BODY
            story.append(Paragraph(markup, style))
    story.append(Spacer(1, 1))
    return story


def render_pdf(items: list[Item]) -> bytes:
    title = _title(items)
    total = [1]

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, letter[1] - 40, title)
        canvas.drawRightString(letter[0] - 72, 36, f"Page {doc.page} of {total[0]}")
        canvas.restoreState()

    buffer = io.BytesIO()
    for _ in range(2):  # the first pass counts the pages, so the footer can say "of M"
        buffer = io.BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=letter, title=title,
                                     author="termshift corpora", invariant=1,
                                     topMargin=72, bottomMargin=72)
        document.build(_story(items), onFirstPage=decorate, onLaterPages=decorate)
        total[0] = document.page
    return buffer.getvalue()


def _initial(item: Item, style: ParagraphStyle) -> str:
    """A heading with its first letter set larger than the rest: two font runs."""
    markup = "".join(_pdf_run(r) for r in item.runs)
    first = escape(item.text[:1], quote=False)
    if not first.isalnum() or not markup.startswith(first):
        return markup
    size = round(style.fontSize * 1.25, 1)
    return f'<font size="{size}">{first}</font>{markup[len(first):]}'


def _split_bold(item: Item) -> str:
    """The first long bold run set in two sizes that change in the middle of a word."""
    out: list[str] = []
    done = False
    for run in item.runs:
        cut = run.text.find(" ", 8) - 3 if run.bold and not done else -1
        if cut > 0 and run.text[cut - 1].isalpha() and run.text[cut].isalpha():
            head, tail = escape(run.text[:cut], quote=False), escape(run.text[cut:], quote=False)
            size = _BODY.fontSize - 0.5
            out.append(f'<b>{head}</b><font name="Helvetica-Bold" size="{size}">{tail}</font>')
            done = True
        else:
            out.append(_pdf_run(run))
    return "".join(out)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _pdf_run(run: Run) -> str:
    text = escape(_INVISIBLE.sub("", run.text), quote=False)  # the PDF fonts lack them
    if run.link.startswith(("http://", "https://", "mailto:")):  # reportlab fails on "#part"
        text = f'<a href="{escape(run.link)}">{text}</a>'
    if run.bold:
        text = f"<b>{text}</b>"
    if run.italic:
        text = f"<i>{text}</i>"
    return text


# ------------------------------------------------------------------ DOCX


def render_docx(items: list[Item]) -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.title, props.author = _title(items), "termshift corpora"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    caps_done = sdt_done = False
    links = 0
    for index, item in enumerate(items):
        if item.kind == "heading":
            paragraph = document.add_heading("", level=min(item.level, 9))
        elif item.kind == "bullet":
            paragraph = document.add_paragraph(style="List Bullet")
        elif item.kind == "number":
            paragraph = document.add_paragraph(style="List Number")
        else:
            paragraph = document.add_paragraph()
        if item.kind == "paragraph" and index > 0 and not sdt_done:
            _tracked_paragraph(paragraph, item)
            sdt_done = True
            continue
        for run in item.runs:
            if run.link:
                _add_link(paragraph, run, links)
                links += 1
                continue
            text = run.text
            shout = run.bold and len(text) > 20 and text.isupper()
            if shout and not caps_done:
                # Typed in lower case, shown in capitals by the font's caps property.
                added = paragraph.add_run(text.lower())
                added.font.all_caps = True
                caps_done = True
            else:
                added = paragraph.add_run(text)
            added.bold = run.bold or None
            added.italic = run.italic or None
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


_W_NS = nsdecls("w", "r")
_REVISION = 'w:author="termshift corpora" w:date="2026-01-01T00:00:00Z"'


def _run_xml(run: Run, *, tag: str = "t") -> str:
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    text = escape(run.text, quote=False)
    return f'<w:r>{rpr}<w:{tag} xml:space="preserve">{text}</w:{tag}></w:r>'


def _add_link(paragraph: Any, run: Run, index: int) -> None:
    """A link as Word writes one: a hyperlink, a complex HYPERLINK field or a simple field,
    in turn (index 0, 1, 2, 0, ...)."""
    shown = _run_xml(run)
    if index % 3 == 0:
        rel = paragraph.part.relate_to(run.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        xml = f'<w:hyperlink {_W_NS} r:id="{rel}">{shown}</w:hyperlink>'
        paragraph._p.append(parse_xml(xml))
        return
    instruction = escape(f' HYPERLINK "{run.link}" ', quote=True)
    if index % 3 == 1:
        for part in (f'<w:r {_W_NS}><w:fldChar w:fldCharType="begin"/></w:r>',
                     f'<w:r {_W_NS}><w:instrText xml:space="preserve">{instruction}'
                     "</w:instrText></w:r>",
                     f'<w:r {_W_NS}><w:fldChar w:fldCharType="separate"/></w:r>',
                     shown.replace("<w:r>", f"<w:r {_W_NS}>", 1),
                     f'<w:r {_W_NS}><w:fldChar w:fldCharType="end"/></w:r>'):
            paragraph._p.append(parse_xml(part))
        return
    paragraph._p.append(parse_xml(f'<w:fldSimple {_W_NS} w:instr="{instruction}">{shown}'
                                  "</w:fldSimple>"))


def _tracked_paragraph(paragraph: Any, item: Item) -> None:
    """The paragraph moved into a block content control, its first run followed by a tracked
    deletion (text not in the document any more) and its last run a tracked insertion; a bold
    run, if any, in an inline content control."""
    pieces = list(item.runs)
    last = pieces[-1]
    cut = last.text.rstrip().rfind(" ") + 1
    if len(pieces) == 1 and cut > 0:  # one plain run: its last word becomes the insertion
        pieces[-1:] = [Run(last.text[:cut], last.bold, last.italic),
                       Run(last.text[cut:], last.bold, last.italic)]
    runs = [_run_xml(r) for r in pieces]
    for k, run in enumerate(pieces):
        if run.bold:
            runs[k] = f"<w:sdt><w:sdtPr><w:alias w:val=\"Emphasis\"/></w:sdtPr>" \
                      f"<w:sdtContent>{runs[k]}</w:sdtContent></w:sdt>"
            break
    deleted = _run_xml(Run("(deleted draft wording) "), tag="delText")
    runs.insert(1, f'<w:del w:id="1" {_REVISION}>{deleted}</w:del>')
    if len(runs) > 2:
        runs[-1] = f'<w:ins w:id="2" {_REVISION}>{runs[-1]}</w:ins>'
    p = paragraph._p
    ppr = p.pPr
    body = (ppr.xml if ppr is not None else "") + "".join(runs)
    sdt = parse_xml(f'<w:sdt {_W_NS}><w:sdtPr><w:alias w:val="Introduction"/></w:sdtPr>'
                    f"<w:sdtContent><w:p>{body}</w:p></w:sdtContent></w:sdt>")
    p.addnext(sdt)
    p.getparent().remove(p)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed member timestamps, so the bytes repeat."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ------------------------------------------------------------------ HTML


def render_html(items: list[Item]) -> bytes:
    title = escape(_title(items))
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title></head><body>",
        '<header><nav><a href="/">Home</a> | <a href="/pricing">Pricing</a> | '
        '<a href="/login">Log in</a></nav></header>',
        '<div class="cookie-banner" id="cookie-consent">We use cookies to improve your '
        "experience. <button>Accept all</button></div>",
        "<main>",
    ]
    open_list = ""
    for item in items:
        runs = "".join(_html_run(r) for r in item.runs)
        if item.kind in ("bullet", "number"):
            tag = "ul" if item.kind == "bullet" else "ol"
            if open_list != tag:
                if open_list:
                    parts.append(f"</{open_list}>")
                parts.append(f"<{tag}>")
                open_list = tag
            parts.append(f"<li>{runs}</li>")
            continue
        if open_list:
            parts.append(f"</{open_list}>")
            open_list = ""
        tag = f"h{item.level}" if item.kind == "heading" else "p"
        parts.append(f"<{tag}>{runs}</{tag}>")
    if open_list:
        parts.append(f"</{open_list}>")
    parts += ["</main>", "<footer>&copy; 2026. All rights reserved. "
              '<a href="/privacy">Privacy</a></footer>', "</body></html>", ""]
    return "\n".join(parts).encode("utf-8")


def _html_run(run: Run) -> str:
    text = escape(run.text, quote=False)
    if run.link:
        text = f'<a href="{escape(run.link)}">{text}</a>'
    if run.bold:
        text = f"<strong>{text}</strong>"
    if run.italic:
        text = f"<em>{text}</em>"
    return text


def render_all(out: Path) -> list[Path]:
    """Every corpora/*.md into out/<name>.pdf, .docx and .html; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(HERE.glob("*.md")):
        if source.name == "README.md":
            continue
        items = parse(source.read_text(encoding="utf-8"))
        for suffix, render in ((".pdf", render_pdf), (".docx", render_docx),
                               (".html", render_html)):
            target = out / (source.stem + suffix)
            target.write_bytes(render(items))
            written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "rendered")
    args = parser.parse_args()
    for path in render_all(args.out):
        print(path.relative_to(args.out.parent) if path.is_relative_to(args.out.parent) else path)


if __name__ == "__main__":
    main()
