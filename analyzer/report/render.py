"""One function per result type; each renders JSON, HTML or Markdown (a comparison also
DOCX with tracked changes and PDF, as bytes: report/docx_redline.py, report/pdf_report.py).

HTML comes from Jinja2 with autoescaping on for every template (not select_autoescape, which
decides by file extension); document text is never marked safe. Reports are single files
with inline CSS and script and no external requests.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal, overload

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from analyzer import __version__
from analyzer.compare.align import normalise
from analyzer.errors import UsageError
from analyzer.model import (
    CATEGORIES,
    SEVERITIES,
    Analysis,
    Check,
    Clause,
    Comparison,
    Timeline,
)
from analyzer.report.triage import Triage, when
from analyzer.resources import content_version, templates_dir
from analyzer.serialize import (
    analysis_to_json,
    check_to_json,
    comparison_summary,
    comparison_to_json,
    pretty_json,
    timeline_to_json,
)

_URL = re.compile(r"(?:https?|ftp|mailto|file|javascript|data):\S+|www\.\S+", re.IGNORECASE)
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()|~])")
# Marks that open a block only at the start of a line: "1.", "-", "+", "#", ">", "=".
_LEADING_MARK = re.compile(r"^(\d+[.)]|[-+#=>])")


def md_escape(value: object) -> str:
    """Text as Markdown that shows it and nothing else: HTML characters as entities, every
    Markdown mark escaped, line breaks folded (a value never opens a block), and anything
    shaped like a link put in a code span, where no renderer makes it live. Applied to every
    value a Markdown template prints, so document text cannot turn into HTML or links."""
    text = " ".join(str(value).split())
    out: list[str] = []
    at = 0
    for url in _URL.finditer(text):
        out.append(_md_plain(text[at:url.start()], first=at == 0))
        out.append(f"`{url.group(0).replace('`', '%60')}`")
        at = url.end()
    out.append(_md_plain(text[at:], first=at == 0))
    return "".join(out)


def _md_plain(text: str, *, first: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _LEADING_MARK.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text) if (
        first) else text


@lru_cache(maxsize=2)
def _environment(markdown: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=not markdown,
        finalize=md_escape if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals.update(categories=CATEGORIES, severities=SEVERITIES,
                       tool_version=__version__, rules_version=content_version())
    env.filters["label"] = lambda value: str(value).replace("_", " ")
    env.filters["when"] = when
    if not markdown:
        env.globals["csp"] = content_security_policy(env)
    return env


INLINE_STYLES = ("partials/style.css",)
INLINE_SCRIPTS = ("partials/report.js", "partials/pages.js", "partials/batch.js")


def _source_hash(env: Environment, name: str) -> str:
    text = env.get_template(name).render()
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def content_security_policy(env: Environment | None = None) -> str:
    """The policy of every HTML page: only our own inline style and scripts, by hash, may
    run; nothing is fetched. (A header can add frame-ancestors, which a meta tag cannot.)"""
    env = env or _environment()
    styles = " ".join(_source_hash(env, n) for n in INLINE_STYLES)
    scripts = " ".join(_source_hash(env, n) for n in INLINE_SCRIPTS)
    # connect-src: the report page's triage controls save without a reload (fetch to the
    # page's own server); a downloaded file has no server to reach.
    return (f"default-src 'none'; style-src {styles}; script-src {scripts}; "
            "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'")


def _unsupported(fmt: str, what: str) -> UsageError:
    return UsageError(f"{what} cannot be rendered as {fmt!r}")


def render_page(name: str, **context: Any) -> str:
    """One of the web app's pages (templates/pages/), under the same escaping and policy."""
    return _environment().get_template(name).render(**context)


def render_analysis(analysis: Analysis, fmt: str) -> str:
    """The `analyze` result as json or html."""
    if fmt == "json":
        return pretty_json(analysis_to_json(analysis))
    if fmt == "html":
        counts = Counter(c for clause in analysis.clauses for c in clause.categories)
        return _environment().get_template("analysis.html").render(
            analysis=analysis, counts=counts)
    raise _unsupported(fmt, "an analysis")


TextFormat = Literal["json", "html", "md"]
BinaryFormat = Literal["docx", "pdf"]
BINARY_FORMATS: tuple[str, ...] = ("docx", "pdf")


@overload
def render_comparison(comparison: Comparison, fmt: TextFormat, title: str | None = None, *,
                      triage_slots: bool = False, triage: Triage | None = None) -> str: ...
@overload
def render_comparison(comparison: Comparison, fmt: BinaryFormat, title: str | None = None, *,
                      triage_slots: bool = False, triage: Triage | None = None) -> bytes: ...
@overload
def render_comparison(comparison: Comparison, fmt: str, title: str | None = None, *,
                      triage_slots: bool = False,
                      triage: Triage | None = None) -> str | bytes: ...
def render_comparison(comparison: Comparison, fmt: str, title: str | None = None, *,
                      triage_slots: bool = False,
                      triage: Triage | None = None) -> str | bytes:
    """The `compare` result as json, html or md (text), or docx or pdf (bytes). `title`
    names the document in the headings when its own title says little (the web app passes
    its library name); the JSON always holds the document's own title.

    The web app's triage: HTML and Markdown are stored, so with `triage_slots` they get a
    place for each finding's triage that `fill_triage` fills when they are served; DOCX and
    PDF are made on request and show `triage` as given. Without either (the command line)
    nothing of triage is shown."""
    if fmt == "json":
        return pretty_json(comparison_to_json(comparison))
    if fmt == "docx":
        from analyzer.report.docx_redline import render_docx
        return render_docx(comparison, title, triage=triage)
    if fmt == "pdf":
        from analyzer.report.pdf_report import render_pdf
        return render_pdf(comparison, title, triage=triage)
    renamed = renamed_sections(comparison)
    context = {"c": comparison, "summary": comparison_summary(comparison),
               "title": title or comparison.new.document.title,
               # Changes of wording: a modified pair has a redline only when its words
               # differ (same words, new print, is a formatting change).
               "reworded": sum(1 for ch in comparison.changes if ch.kind in ("added", "removed")
                               or (ch.kind == "modified" and ch.redline)),
               "categories_found": sorted({f.category for f in comparison.findings if f.category}),
               "where": finding_sections(comparison), "lead_ins": finding_lead_ins(comparison),
               "emphasis": finding_emphasis(comparison),
               "renamed": renamed, "triage": triage_slots,
               # Sections with only unchanged clauses (and the same name): their label hides
               # with those clauses.
               "changed_sections": {(ch.new or ch.old).section  # type: ignore[union-attr]
                                    for ch in comparison.changes if ch.kind != "unchanged"}
               | set(renamed)}
    if fmt == "html":
        return _environment().get_template("report.html").render(**context)
    if fmt == "md":
        return _environment(markdown=True).get_template("report.md.j2").render(**context)
    raise _unsupported(fmt, "a comparison")


# Where a stored report's triage goes; document text cannot make one: its "<" is escaped in
# HTML, and in Markdown md_escape writes it as "&lt;".
_TRIAGE_SLOT = re.compile(r"<!--triage:([A-Za-z0-9_.-]{1,64})-->")
TRIAGE_SUMMARY_SLOT = "<!--triage-summary-->"


def fill_triage(text: str, fmt: str, triage: Triage, action: str | None = None) -> str:
    """A stored HTML or Markdown report with its triage slots filled: each finding's state,
    reason and note, and the count of states. `action` (HTML only) is where the controls
    that change a finding's state post to; without it the state is shown read-only."""
    if fmt == "html":
        macros = _environment().get_template("partials/triage.html").module
        def finding(match: re.Match[str]) -> str:
            return str(macros.card(match[1], triage.of(match[1]),  # type: ignore[attr-defined]
                                   action))
        summary = str(escape(triage.summary_text()))
    elif fmt == "md":
        def finding(match: re.Match[str]) -> str:
            return triage_markdown(triage.of(match[1]))
        summary = "Triage: " + md_escape(triage.summary_text()) + "."
    else:
        raise _unsupported(fmt, "a report with triage")
    return _TRIAGE_SLOT.sub(finding, text).replace(TRIAGE_SUMMARY_SLOT, summary, 1)


def triage_status_html(triage: Mapping[str, Any]) -> str:
    """One finding's triage status line (the page's script puts it in place after a save)."""
    macros = _environment().get_template("partials/triage.html").module
    return str(macros.status(triage))  # type: ignore[attr-defined]


def triage_markdown(triage: Mapping[str, Any]) -> str:
    """One finding's triage as a Markdown line, every value escaped."""
    state = triage.get("state") or "open"
    if state == "open":
        out = "- triage: not triaged"
    else:
        out = f"- triage: **{md_escape(state)}**"
        if triage.get("by"):
            out += f" by {md_escape(triage['by'])} on {md_escape(when(triage.get('at')))}"
    if triage.get("reason"):
        out += f"; reason: {md_escape(triage['reason'])}"
    if triage.get("note"):
        out += f"; note: {md_escape(triage['note'])}"
    return out


def finding_clauses(comparison: Comparison, *, placed: bool = False
                    ) -> dict[str, tuple[Clause | None, Clause | None]]:
    """Each finding's (old clause, new clause), looked up once for every map below.
    `placed`: a finding about several clauses (a rewritten section) is placed at the first
    of them, for where it is in the document (its evidence has no one clause's styling)."""
    old = {c.id: c for c in comparison.old.clauses}
    new = {c.id: c for c in comparison.new.clauses}

    def first(one: str | None, several: tuple[str, ...]) -> str:
        return one or (next(iter(several), "") if placed else "")

    return {f.id: (old.get(first(f.old_clause, f.old_clauses)),
                   new.get(first(f.new_clause, f.new_clauses)))
            for f in comparison.findings}


def finding_sections(comparison: Comparison) -> dict[str, str]:
    """Each finding's place in the document: the section path of its new clause (of its
    old clause when the clause was removed), "" for a clause outside every section."""
    return {fid: " › ".join((new.section if new else ()) or (old.section if old else ()))
            for fid, (old, new) in finding_clauses(comparison, placed=True).items()}


def finding_emphasis(comparison: Comparison) -> dict[str, tuple[str, str]]:
    """Each finding's evidence styling, as CSS classes (old, new): a clause "newly set in
    bold and capitals" is shown in bold and capitals."""
    def styles(clause: Clause | None) -> str:
        return " ".join(f"emph-{e}" for e in clause.attributes.emphasis) if clause else ""

    return {fid: (styles(old), styles(new))
            for fid, (old, new) in finding_clauses(comparison).items()}


def finding_lead_ins(comparison: Comparison) -> dict[str, str]:
    """For a finding on an item of a list, the sentence that introduces the list ("You may
    not use the Services to:"): the item means what it says only with it."""
    def lead_in(clause: Clause | None) -> str | None:
        return clause.lead_in if clause and clause.lead_in and clause.marker else None

    found = {fid: lead_in(new) or lead_in(old)
             for fid, (old, new) in finding_clauses(comparison).items()}
    return {k: v for k, v in found.items() if v}


def renamed_sections(comparison: Comparison) -> dict[tuple[str, ...], str]:
    """New section path -> the old one it was called, for sections whose heading changed
    (numbering and case aside): a clause pairs across them, and neither path is found on
    the other side. A heading is not a clause, so this is where a renamed one shows."""
    def key(path: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise(part) for part in path)

    old_paths = {key(c.section) for c in comparison.old.clauses}
    new_paths = {key(c.section) for c in comparison.new.clauses}
    renamed: dict[tuple[str, ...], str] = {}
    for change in comparison.changes:
        if change.old is None or change.new is None or change.new.section in renamed:
            continue
        old_key, new_key = key(change.old.section), key(change.new.section)
        if old_key != new_key and old_key not in new_paths and new_key not in old_paths:
            renamed[change.new.section] = " › ".join(change.old.section)
    return renamed


def render_check(check: Check, fmt: str) -> str:
    """The `check` result as json, html or md."""
    if fmt == "json":
        return pretty_json(check_to_json(check))
    if fmt == "md":
        return _environment(markdown=True).get_template("check.md.j2").render(
            check=check, summary=Counter(c.status for c in check.controls),
            clauses={c.id: c.text for c in check.analysis.clauses})
    if fmt == "html":
        evidence = {cid: [c.id for c in check.controls if cid in c.evidence]
                    for control in check.controls for cid in control.evidence}
        summary = Counter(c.status for c in check.controls)
        return _environment().get_template("check.html").render(
            check=check, evidence=evidence, summary=summary)
    raise _unsupported(fmt, "a check")


def render_timeline(timeline: Timeline, fmt: str) -> str:
    """The `timeline` result as json or html."""
    if fmt == "json":
        return pretty_json(timeline_to_json(timeline))
    if fmt == "html":
        first_seen: dict[str, str] = {}
        for label, step in zip(timeline.labels[1:], timeline.steps, strict=True):
            for finding in step.findings:
                first_seen.setdefault(finding.type, label)
        return _environment().get_template("timeline.html").render(
            t=timeline, first_seen=first_seen,
            steps=[(timeline.labels[i], timeline.labels[i + 1], s, comparison_summary(s),
                    finding_sections(s)) for i, s in enumerate(timeline.steps)])
    raise _unsupported(fmt, "a timeline")
