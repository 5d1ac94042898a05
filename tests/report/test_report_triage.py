"""Triage in reports: the web app's stored HTML and Markdown get a slot per finding, filled
when served (escaped like every other value); DOCX and PDF show what they are given; the
command line's reports show nothing of triage."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pdfplumber
import pytest

from analyzer.api import compare
from analyzer.model import Comparison
from analyzer.report.render import fill_triage, render_comparison
from analyzer.report.triage import Triage, line

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
HOSTILE = "<script>window.__pwned=1</script> --> <!--triage:f1--> [x](javascript:alert(1))"


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(CORPORA / "agent-network-terms-v1.md", CORPORA / "agent-network-terms-v2.md")


def _triage(comparison: Comparison) -> Triage:
    ids = [f.id for f in comparison.findings]
    by_finding = {
        ids[0]: {"key": "a" * 32, "state": "flagged", "reason": None, "note": HOSTILE,
                 "by": "key tsk_AbCdEf", "at": "2026-12-08T10:31:05Z"},
        ids[1]: {"key": "b" * 32, "state": "dismissed", "reason": "Known since 2024.",
                 "note": None, "by": "local", "at": "2026-12-08T10:32:00Z"},
    }
    summary = {"findings": len(ids), "open": len(ids) - 2, "reviewed": 0, "dismissed": 1,
               "flagged": 1}
    return Triage(by_finding, summary)


def test_the_command_lines_reports_show_nothing_of_triage(comparison: Comparison) -> None:
    html = render_comparison(comparison, "html")
    markdown = render_comparison(comparison, "md")
    body = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)  # the shared script
    for text in (body, markdown):
        assert "<!--triage" not in text and "Triage" not in text
    assert 'id="hide-dismissed"' not in html and 'class="triage' not in html


def test_stored_reports_have_one_slot_per_finding(comparison: Comparison) -> None:
    for fmt in ("html", "md"):
        text = render_comparison(comparison, fmt, triage_slots=True)
        slots = re.findall(r"<!--triage:(f\d+)-->", text)
        assert slots == [f.id for f in comparison.findings], fmt
        assert text.count("<!--triage-summary-->") == 1, fmt


def test_filled_html_shows_states_escaped_and_controls_only_with_an_action(
        comparison: Comparison) -> None:
    stored = render_comparison(comparison, "html", triage_slots=True)
    triage = _triage(comparison)
    shown = fill_triage(stored, "html", triage, "/comparisons/cmp_0123456789abcdef/triage")
    assert "<!--triage" not in shown
    assert f'0 of {len(comparison.findings)} reviewed, 1 dismissed, 1 flagged' in shown
    assert "window.__pwned" in shown and "<script>window.__pwned" not in shown
    assert "&lt;!--triage:f1--&gt;" in shown  # a note cannot make a slot
    assert shown.count('<form class="triage-form"') == len(comparison.findings)
    assert 'action="/comparisons/cmp_0123456789abcdef/triage"' in shown
    assert 'value="' + "a" * 32 + '"' in shown  # the form names the finding by its key
    assert 'aria-pressed="true">Flag</button>' in shown
    assert "Reason:</b> Known since 2024." in shown
    assert "by key tsk_AbCdEf · 2026-12-08 10:31 UTC" in shown
    read_only = fill_triage(stored, "html", triage)
    assert '<form class="triage-form"' not in read_only and "Known since 2024." in read_only


def test_filled_markdown_escapes_every_value(comparison: Comparison) -> None:
    stored = render_comparison(comparison, "md", triage_slots=True)
    shown = fill_triage(stored, "md", _triage(comparison))
    assert "<!--triage" not in shown and "<script>" not in shown
    assert "- triage: **flagged** by key tsk\\_AbCdEf on 2026-12-08 10:31 UTC" in shown
    assert "`javascript:alert(1))`" in shown  # a link-shaped value sits in a code span
    assert "reason: Known since 2024." in shown
    assert shown.count("- triage: not triaged") == len(comparison.findings) - 2


def test_docx_comments_and_pdf_carry_the_triage(comparison: Comparison) -> None:
    triage = _triage(comparison)
    word = docx.Document(io.BytesIO(render_comparison(comparison, "docx", triage=triage)))
    comments = [c.text for c in word.comments]
    assert any("Triage: flagged by key tsk_AbCdEf" in c for c in comments)
    assert any("Reason: Known since 2024." in c for c in comments)
    plain = docx.Document(io.BytesIO(render_comparison(comparison, "docx")))
    assert not any("Triage" in c.text for c in plain.comments)

    with pdfplumber.open(io.BytesIO(render_comparison(comparison, "pdf", triage=triage))) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "Triage: 0 of" in text and "Triage: dismissed by local" in text
    with pdfplumber.open(io.BytesIO(render_comparison(comparison, "pdf"))) as pdf:
        assert "Triage" not in " ".join(page.extract_text() or "" for page in pdf.pages)


def test_an_info_finding_someone_triaged_becomes_a_comment(comparison: Comparison) -> None:
    info = [f for f in comparison.findings if f.severity == "info"]
    assert info, "the corpus pair has an info finding"
    triage = Triage({info[0].id: {"key": "c" * 32, "state": "reviewed", "reason": None,
                                  "note": "Cosmetic.", "by": "local",
                                  "at": "2026-12-08T10:00:00Z"}}, {})
    word = docx.Document(io.BytesIO(render_comparison(comparison, "docx", triage=triage)))
    assert any("Note: Cosmetic." in c.text for c in word.comments)


def test_one_line_of_triage() -> None:
    assert line({"state": "open"}) == "Triage: not triaged"
    assert line({"state": "reviewed", "by": "local", "at": "2026-12-08T10:00:00Z",
                 "note": "Fine."}) == (
        "Triage: reviewed by local on 2026-12-08 10:00 UTC. Note: Fine.")
