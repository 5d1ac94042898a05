"""The corpora as users see them: golden analyze JSON, the same clauses in all four
renderings, the renderings rebuilt byte for byte, and the headline findings."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from analyzer.api import analyze, check, compare
from analyzer.report.render import render_analysis

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
GOLDEN = Path(__file__).parent / "golden"
DOCUMENTS = sorted(p.stem for p in CORPORA.glob("*.md") if p.name != "README.md")
UPDATE = os.environ.get("TERMSHIFT_UPDATE_GOLDEN") == "1"


def _portable(data: dict[str, object]) -> dict[str, object]:
    document = data["document"]
    assert isinstance(document, dict)
    document["source"] = Path(str(document["source"])).name
    return data


@pytest.mark.parametrize("name", DOCUMENTS)
def test_analyze_matches_golden(name: str) -> None:
    data = _portable(json.loads(render_analysis(analyze(CORPORA / f"{name}.md"), "json")))
    golden = GOLDEN / f"{name}.json"
    if UPDATE:
        golden.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    hint = f"if the change is intended: TERMSHIFT_UPDATE_GOLDEN=1, then review {golden.name}"
    assert data == json.loads(golden.read_text("utf-8")), hint


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html"])
def test_every_rendering_gives_the_same_clauses(name: str, suffix: str) -> None:
    markdown = analyze(CORPORA / f"{name}.md")
    rendered = analyze(CORPORA / "rendered" / f"{name}{suffix}")
    assert [c.text for c in rendered.clauses] == [c.text for c in markdown.clauses]
    assert [c.categories for c in rendered.clauses] == [c.categories for c in markdown.clauses]
    assert [c.attributes.emphasis for c in rendered.clauses] == [
        c.attributes.emphasis for c in markdown.clauses]


@pytest.mark.parametrize("suffix", [".md", ".pdf", ".docx", ".html"])
def test_solely_responsible_clause_in_every_rendering(suffix: str) -> None:
    folder = CORPORA if suffix == ".md" else CORPORA / "rendered"
    clauses = analyze(folder / f"agent-network-terms-v2{suffix}").clauses
    clause = next(c for c in clauses if "SOLELY RESPONSIBLE" in c.text)
    a = clause.attributes
    assert (a.bearer, a.exclusive, a.agent_scope, a.emphasis) == (
        "user", True, True, ("all_caps", "bold"))
    assert "responsibility" in clause.categories
    if suffix == ".pdf":
        assert clause.page == 1


def test_renderings_are_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    sys.path.insert(0, str(CORPORA))
    try:
        import render  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(CORPORA))
    for path in render.render_all(tmp_path):
        committed = CORPORA / "rendered" / path.name
        hint = f"run python corpora/render.py ({path.name})"
        assert path.read_bytes() == committed.read_bytes(), hint


def test_agent_network_pair_leads_with_the_solely_responsible_shift() -> None:
    comparison = compare(CORPORA / "agent-network-terms-v1.md",
                         CORPORA / "agent-network-terms-v2.md")
    first = comparison.findings[0]
    assert (first.type, first.severity, first.direction) == (
        "exclusivity_added", "high", "against_user")
    assert "solely responsible" in first.title and "bold" in first.title
    assert "capitals" in first.title
    types = {f.type for f in comparison.findings}
    assert {"agent_scope_added", "authorization_weakened", "liability_limited",
            "indemnity_expanded", "warranty_disclaimed", "arbitration_added",
            "class_waiver_added", "governing_law_changed", "unilateral_change_added",
            "termination_broadened", "content_removal_broadened", "data_use_expanded",
            "contract_by_using_added", "responsibility_removed"} <= types


def test_pdf_against_docx_gives_the_same_findings() -> None:
    md = compare(CORPORA / "agent-network-terms-v1.md", CORPORA / "agent-network-terms-v2.md")
    mixed = compare(CORPORA / "rendered" / "agent-network-terms-v1.pdf",
                    CORPORA / "rendered" / "agent-network-terms-v2.docx")
    assert [(f.type, f.severity) for f in mixed.findings] == [
        (f.type, f.severity) for f in md.findings]


def test_assistant_pair_findings() -> None:
    comparison = compare(CORPORA / "assistant-terms-v1.md", CORPORA / "assistant-terms-v2.md")
    types = {f.type for f in comparison.findings}
    assert {"authorization_weakened", "liability_limited", "responsibility_added"} <= types


def test_weak_policy_misses_invocation_and_approval_controls() -> None:
    result = {c.id: c for c in check(CORPORA / "agent-policy-weak.md").controls}
    for control in ("AUTH-INVOKE", "HITL-EXTERNAL"):
        assert result[control].status == "missing"
        assert "forum threads" in result[control].explanation
    assert "without being invoked" in result["AUTH-INVOKE"].explanation


def test_strong_policy_meets_every_control() -> None:
    statuses = {c.id: c.status for c in check(CORPORA / "agent-policy-strong.md").controls}
    assert set(statuses.values()) == {"met"}, statuses


def test_weakening_a_policy_is_a_high_finding() -> None:
    comparison = compare(CORPORA / "agent-policy-strong.md", CORPORA / "agent-policy-weak.md")
    control_findings = [f for f in comparison.findings if "controls" in f.rule]
    assert control_findings and all(f.severity == "high" for f in control_findings)
    assert any("AUTH-INVOKE" in f.title for f in control_findings)
