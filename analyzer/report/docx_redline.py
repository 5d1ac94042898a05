"""A comparison as a Word document of the new version with every change a tracked revision.

Insertions are `w:ins`, deletions `w:del` with `w:delText` (author "termshift", one date for
the whole document), so Word and LibreOffice list them under Review and a lawyer can accept
or reject each. Added clauses are inserted paragraphs, removed ones deleted paragraphs,
modified clauses carry their word-level redline; a moved clause gets a "Moved" comment.
Every finding above `info` is a Word comment anchored on its clause.

python-docx builds the document, the headings and the comments part (Document.comments);
it has no API for revisions or for comment ranges, so those are written as raw OOXML.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from analyzer.model import Change, Clause, Comparison, Finding
from analyzer.report.triage import Triage, line

AUTHOR = "termshift"
INITIALS = "TS"


@dataclass
class _Paragraph:
    """Clauses that share a paragraph of the new document (or of the old, for removed ones)."""

    new_block: int | None
    old_block: int | None
    changes: list[Change] = field(default_factory=list)
    # Words of the block before its first clause that belong to no clause: the lead-in of
    # a list ("You must not use the Service to:"). Old text when the paragraph was removed.
    lead: str = ""


class _Revisions:
    """Numbers every revision and stamps it with the author and one date."""

    def __init__(self, when: datetime) -> None:
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = 1

    def mark(self, tag: str) -> BaseOxmlElement:
        element: BaseOxmlElement = OxmlElement(tag)
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), AUTHOR)
        element.set(qn("w:date"), self.date)
        self.next_id += 1
        return element


def _run(text: str, *, deleted: bool = False) -> BaseOxmlElement:
    run: BaseOxmlElement = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = _xml_safe(text)
    run.append(t)
    return run


def _xml_safe(text: str) -> str:
    """XML 1.0 has no place for most control characters; a document may still hold them."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _block_of(starts: list[int], clause: Clause) -> int:
    return max(bisect_right(starts, clause.start) - 1, 0)


def paragraphs(comparison: Comparison) -> list[_Paragraph]:
    """The changes grouped into paragraphs: a clause joins the paragraph before it when it
    comes from the same block of the new document, or (removed) of the old one."""
    old_starts = [b.start for b in comparison.old.document.blocks]
    new_starts = [b.start for b in comparison.new.document.blocks]
    out: list[_Paragraph] = []
    for change in comparison.changes:
        new_block = _block_of(new_starts, change.new) if change.new else None
        old_block = _block_of(old_starts, change.old) if change.old else None
        last = out[-1] if out else None
        same_section = last is not None and section_of(last.changes[-1]) == section_of(change)
        if last is not None and same_section and (
                (new_block is not None and new_block == last.new_block)
                or (new_block is None and old_block is not None
                    and old_block == last.old_block)):
            last.changes.append(change)
            last.old_block = old_block if old_block is not None else last.old_block
            continue
        out.append(_Paragraph(new_block, old_block, [change], _lead(comparison, change)))
    return out


def _lead(comparison: Comparison, change: Change) -> str:
    """The block's text before the change's clause when it is a list item's lead-in."""
    clause = change.new or change.old
    if clause is None or not clause.lead_in:
        return ""
    blocks = (comparison.new if change.new else comparison.old).document.blocks
    block = blocks[_block_of([b.start for b in blocks], clause)]
    before = block.text[:max(clause.start - block.start, 0)].strip()
    return before if before and before in clause.lead_in else ""


def section_of(change: Change) -> tuple[str, ...]:
    clause = change.new or change.old
    return clause.section if clause else ()


def _clause_runs(change: Change, rev: _Revisions, sep: str) -> list[BaseOxmlElement]:
    """The clause's text as runs, its changes wrapped in w:ins / w:del; `sep` (the space
    after the clause before it) is inserted or deleted with an added or removed clause."""
    if change.kind == "added" and change.new:
        return [_wrap(rev.mark("w:ins"), _run(sep + change.new.text))]
    if change.kind == "removed" and change.old:
        return [_wrap(rev.mark("w:del"), _run(sep + change.old.text, deleted=True))]
    out: list[BaseOxmlElement] = [_run(sep)] if sep else []
    if change.redline and change.kind in ("modified", "moved"):
        for op, text in change.redline:
            if op == "insert":
                out.append(_wrap(rev.mark("w:ins"), _run(text)))
            elif op == "delete":
                out.append(_wrap(rev.mark("w:del"), _run(text, deleted=True)))
            else:
                out.append(_run(text))
        return out
    clause = change.new or change.old
    return [*out, _run(clause.text if clause else "")]


def _wrap(mark: BaseOxmlElement, run: BaseOxmlElement) -> BaseOxmlElement:
    mark.append(run)
    return mark


def _comment_mark(tag: str, cid: int) -> BaseOxmlElement:
    mark: BaseOxmlElement = OxmlElement(tag)
    mark.set(qn("w:id"), str(cid))
    return mark


def _close_comments(p: BaseOxmlElement, ids: list[int]) -> None:
    """End each comment's range here and place its reference mark after it."""
    for cid in ids:
        p.append(_comment_mark("w:commentRangeEnd", cid))
        reference = OxmlElement("w:r")
        reference.append(_comment_mark("w:commentReference", cid))
        p.append(reference)


def comment_text(finding: Finding, triage: Triage | None = None) -> str:
    text = f"{finding.severity.upper()}: {finding.title}\n{finding.explanation}"
    if triage is not None:
        text += "\n" + line(triage.of(finding.id))
    return _xml_safe(text)


def _commented(finding: Finding, triage: Triage | None) -> bool:
    """Findings above info are comments; so is an info finding someone triaged."""
    return finding.severity != "info" or (
        triage is not None and triage.of(finding.id).get("state", "open") != "open")


def render_docx(comparison: Comparison, title: str | None = None,
                when: datetime | None = None, *, triage: Triage | None = None) -> bytes:
    """The new version as a .docx whose tracked changes are the comparison's changes;
    with `triage` (the web app's), each finding's comment says its state and note."""
    rev = _Revisions(when or datetime.now(UTC))
    document = docx.Document()
    document.core_properties.author = AUTHOR
    groups = paragraphs(comparison)
    name = _xml_safe(title or comparison.new.document.title)
    if not groups or section_of(groups[0].changes[0])[:1] != (name,):
        document.add_heading(name, level=0)
    document.core_properties.title = name[:255]

    by_clause: dict[str, list[Finding]] = {}
    for finding in comparison.findings:
        if not _commented(finding, triage):
            continue
        new_id = finding.new_clause or next(iter(finding.new_clauses), None)
        old_id = finding.old_clause or next(iter(finding.old_clauses), None)
        key = f"new:{new_id}" if new_id else f"old:{old_id}"
        by_clause.setdefault(key, []).append(finding)

    placed: set[int] = set()
    shown: tuple[str, ...] = ()
    for paragraph in groups:
        section = section_of(paragraph.changes[0])
        common = 0
        while common < min(len(shown), len(section)) and shown[common] == section[common]:
            common += 1
        for depth in range(common, len(section)):
            document.add_heading(_xml_safe(section[depth]), level=min(depth + 1, 9))
        shown = section
        p = document.add_paragraph()._p
        kinds = {ch.kind for ch in paragraph.changes}
        if kinds in ({"added"}, {"removed"}):
            # The paragraph mark itself is inserted or deleted, so accepting the change
            # leaves no empty paragraph behind.
            r_pr = OxmlElement("w:rPr")
            r_pr.append(rev.mark("w:ins" if kinds == {"added"} else "w:del"))
            p.get_or_add_pPr().append(r_pr)
        if paragraph.lead:
            p.append(_run(paragraph.lead + " ") if paragraph.new_block is not None
                     else _wrap(rev.mark("w:del"), _run(paragraph.lead + " ", deleted=True)))
        for at, change in enumerate(paragraph.changes):
            notes = list(by_clause.get(f"new:{change.new.id}", []) if change.new else [])
            if change.new is None and change.old is not None:
                notes = by_clause.get(f"old:{change.old.id}", [])
            texts = [comment_text(f, triage) for f in notes]
            if change.kind == "moved" and change.old is not None:
                texts.append(_xml_safe("Moved from " + (" › ".join(change.old.section)
                                                        or "elsewhere")))
            placed.update(id(f) for f in notes)
            ids = [document.comments.add_comment(text, author=AUTHOR,
                                                 initials=INITIALS).comment_id
                   for text in texts]
            for cid in ids:
                p.append(_comment_mark("w:commentRangeStart", cid))
            for element in _clause_runs(change, rev, " " if at else ""):
                p.append(element)
            _close_comments(p, ids)
    # A finding on no clause of either version (none do today) still gets its comment,
    # on the document's first paragraph.
    rest = [f for f in comparison.findings if _commented(f, triage) and id(f) not in placed]
    if rest and document.paragraphs:
        first = document.paragraphs[0]._p
        ids = [document.comments.add_comment(comment_text(f, triage), author=AUTHOR,
                                             initials=INITIALS).comment_id for f in rest]
        for cid in ids:
            first.insert(1 if first.pPr is not None else 0,
                         _comment_mark("w:commentRangeStart", cid))
        _close_comments(first, ids)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
