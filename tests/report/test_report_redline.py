"""The DOCX redline (tracked changes, findings as comments) and the PDF report, on the
hand-written agent-network pair: opened by python-docx, LibreOffice and pdfplumber."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from office_support import convert

from analyzer.api import compare
from analyzer.model import Comparison, Finding
from analyzer.report.docx_redline import AUTHOR, comment_text, paragraphs
from analyzer.report.pdf_report import DELETE, INSERT
from analyzer.report.render import render_comparison

CORPORA = Path(__file__).resolve().parents[2] / "corpora"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(CORPORA / "agent-network-terms-v1.md", CORPORA / "agent-network-terms-v2.md")


@pytest.fixture(scope="module")
def docx_bytes(comparison: Comparison) -> bytes:
    return render_comparison(comparison, "docx")


def _commented(comparison: Comparison) -> int:
    return (sum(1 for f in comparison.findings if f.severity != "info")
            + sum(1 for ch in comparison.changes if ch.kind == "moved"))


def test_every_change_is_a_tracked_revision(comparison: Comparison, docx_bytes: bytes) -> None:
    body = docx.Document(io.BytesIO(docx_bytes)).element.body
    # Revisions of text, not of a paragraph mark (those sit in w:pPr/w:rPr).
    ins = [e for e in body.iter(qn("w:ins")) if e.getparent().tag != qn("w:rPr")]
    dels = [e for e in body.iter(qn("w:del")) if e.getparent().tag != qn("w:rPr")]
    ops = [op for ch in comparison.changes if ch.kind in ("modified", "moved")
           for op, _ in ch.redline]
    kinds = [ch.kind for ch in comparison.changes]
    deleted_leads = sum(1 for p in paragraphs(comparison) if p.lead and p.new_block is None)
    assert kinds.count("added") and kinds.count("removed") and ops.count("insert")
    assert len(ins) == kinds.count("added") + ops.count("insert")
    assert len(dels) == kinds.count("removed") + ops.count("delete") + deleted_leads
    for mark in [*ins, *dels]:
        assert mark.get(qn("w:author")) == AUTHOR
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", mark.get(qn("w:date")))
    assert all(e.find(qn("w:r")).find(qn("w:delText")) is not None for e in dels)
    # Accepting every change gives the new version, rejecting every one the old.
    accepted = "\n".join(_flat("".join(t.text or "" for t in p.iter(qn("w:t"))))
                         for p in body.iter(qn("w:p")))
    rejected = "\n".join(_flat("".join(t.text or "" for t in p.iter(qn("w:t"), qn("w:delText"))
                                       if t.tag == qn("w:delText") or not _inside(t, "w:ins")))
                         for p in body.iter(qn("w:p")))
    for change in comparison.changes:
        if change.new is not None:
            assert _flat(change.new.text) in accepted
        if change.old is not None:
            assert _flat(change.old.text) in rejected


def _inside(element: object, tag: str) -> bool:
    parent = element.getparent()  # type: ignore[attr-defined]
    while parent is not None:
        if parent.tag == qn(tag):
            return True
        parent = parent.getparent()
    return False


def test_findings_are_comments_on_their_clauses(comparison: Comparison,
                                                 docx_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_bytes))
    comments = list(document.comments)
    assert len(comments) == _commented(comparison) > 0
    heads = "\n".join(c.text.split("\n", 1)[0] for c in comments)  # "HIGH: <title>"
    for finding in comparison.findings:
        # a change of a rewritten section is quoted in its section's comment, not its own
        assert (f": {finding.title}\n" in heads + "\n") == (finding.severity != "info")
    assert all(c.author == AUTHOR for c in comments)
    body = document.element.body
    ids = {c.comment_id for c in comments}
    for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
        assert {int(e.get(qn("w:id"))) for e in body.iter(qn(tag))} == ids
    # Each finding's comment spans the words of its clause (as they read after the change).
    by_text: dict[str, list[Finding]] = {}
    for f in comparison.findings:
        if f.severity != "info":
            by_text.setdefault(comment_text(f), []).append(f)
    clauses = {("new", c.id): c.text for c in comparison.new.clauses} | {
        ("old", c.id): c.text for c in comparison.old.clauses}
    anchored = 0
    for start in body.iter(qn("w:commentRangeStart")):
        cid = start.get(qn("w:id"))
        comment = next(c for c in comments if str(c.comment_id) == cid)
        if comment.text.startswith("Moved from"):
            continue
        ranged = []
        for sibling in start.itersiblings():
            if sibling.tag == qn("w:commentRangeEnd") and sibling.get(qn("w:id")) == cid:
                break
            ranged.append(sibling)
        after = _flat("".join(t.text or "" for e in ranged for t in e.iter(qn("w:t"))))
        before = _flat("".join(t.text or "" for e in ranged for t in e.iter(qn("w:delText"))))
        # One of the findings with this text (a rule may fire alike on two clauses); a
        # rewritten section's finding sits on its first changed clause.
        assert any(after == _flat(clauses[("new", new)]) if new
                   else before == _flat(clauses[("old", old or "")])
                   for f in by_text[comment.text]
                   for new, old in [(f.new_clause or next(iter(f.new_clauses), None),
                                     f.old_clause or next(iter(f.old_clauses), None))])
        anchored += 1
    assert anchored == sum(len(v) for v in by_text.values())


def test_sections_are_word_headings(comparison: Comparison, docx_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_bytes))
    headings = {p.text: p.style.name for p in document.paragraphs
                if p.style is not None and p.style.name.startswith("Heading")}
    sections = {part for c in comparison.new.clauses for part in c.section}
    assert sections <= set(headings)
    assert headings["5. Acceptable Use"] == "Heading 2"
    assert "You must not use the Service to:" in "\n".join(p.text for p in document.paragraphs)


def test_libreoffice_opens_it_and_sees_the_revisions(comparison: Comparison,
                                                     docx_bytes: bytes, tmp_path: Path) -> None:
    source = tmp_path / "redline.docx"
    source.write_bytes(docx_bytes)
    odt = convert(source, "odt", tmp_path)
    content = zipfile.ZipFile(odt).read("content.xml").decode()
    insertions = content.count("<text:insertion")
    deletions = content.count("<text:deletion")
    changed = sum(1 for ch in comparison.changes if ch.kind in ("added", "removed")
                  or (ch.kind in ("modified", "moved") and ch.redline))
    # LibreOffice merges a deleted paragraph mark into the deletion beside it, so it may
    # count a few fewer deletions than the XML has; it must still see every change.
    assert insertions >= sum(1 for ch in comparison.changes if ch.kind == "added")
    assert insertions + deletions >= changed
    assert content.count("<office:annotation>") + content.count("<office:annotation ") == (
        _commented(comparison))
    text = convert(source, "txt:Text", tmp_path).read_text(encoding="utf-8-sig")
    assert "YOU ARE SOLELY RESPONSIBLE FOR ALL ACTIONS TAKEN BY YOUR AI AGENTS" in text


def test_pdf_holds_the_findings_then_the_coloured_redline(comparison: Comparison) -> None:
    data = render_comparison(comparison, "pdf")
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = _flat(" ".join(page.extract_text() or "" for page in pdf.pages))
        colours = {tuple(round(v, 2) for v in ch["non_stroking_color"] or ())
                   for page in pdf.pages for ch in page.chars}
        rules = sum(len(page.lines) + len(page.rects) for page in pdf.pages)
    for finding in comparison.findings:
        assert _flat(finding.title) in text, finding.title
    assert text.index("Findings") < text.index("Redline")
    assert _flat(next(c for c in comparison.new.clauses if "SOLELY" in c.text).text) in text

    def rgb(hex_colour: str) -> tuple[float, ...]:
        return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 2) for i in (1, 3, 5))

    assert rgb(INSERT) in colours and rgb(DELETE) in colours
    assert rules > 0  # underlines and strike-throughs are drawn as lines


def test_markup_and_control_characters_stay_text(tmp_path: Path) -> None:
    old = "# Terms\n\n## 1. Use & abuse\n\nYou are responsible for content.\n"
    new = ("# Terms\n\n## 1. Use & abuse\n\nYou are solely responsible for content, "
           "including by AI agents, if a < b & c > d \x0b here.\n")
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    comparison = compare(tmp_path / "old.md", tmp_path / "new.md")
    body = docx.Document(io.BytesIO(render_comparison(comparison, "docx"))).element.body
    text = "".join(t.text or "" for t in body.iter(qn("w:t")))
    assert "if a < b & c > d" in text and "1. Use & abuse" in text
    with pdfplumber.open(io.BytesIO(render_comparison(comparison, "pdf"))) as pdf:
        assert "if a < b & c > d" in " ".join(p.extract_text() or "" for p in pdf.pages)


def test_a_finding_on_no_clause_still_gets_its_comment(comparison: Comparison) -> None:
    loose = dataclasses.replace(comparison.findings[0], id="loose", severity="high",
                                title="A finding on the whole document",
                                new_clause=None, old_clause=None)
    changed = dataclasses.replace(comparison, findings=(*comparison.findings, loose))
    document = docx.Document(io.BytesIO(render_comparison(changed, "docx")))
    assert len(list(document.comments)) == _commented(comparison) + 1
    first = document.paragraphs[0]._p
    ids = {c.comment_id for c in document.comments if loose.title in c.text}
    assert {int(e.get(qn("w:id"))) for e in first.iter(qn("w:commentReference"))} >= ids
