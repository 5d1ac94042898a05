"""Reports are self-contained, escape hostile text, and match the contract JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from analyzer.api import analyze, compare, compare_versions
from analyzer.model import Comparison
from analyzer.report.render import render_comparison
from analyzer.serialize import comparison_to_json, pretty_json

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?https?:""",
                      re.IGNORECASE)


def test_reports_load_nothing_from_outside(report_files: dict[str, Path]) -> None:
    for name, path in report_files.items():
        html = path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(html), name
        assert html.count("<script>") == 1, name  # the report's own script only


def test_hostile_text_is_inert(report_files: dict[str, Path]) -> None:
    for name in ("hostile-compare.txt", "hostile-analyze.txt"):
        html = report_files[name].read_text(encoding="utf-8")
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html, name
        assert 'onerror="' not in html and "href=\"javascript:" not in html, name


def test_json_is_the_contract_serialisation() -> None:
    comparison = compare(CORPORA / "assistant-terms-v1.md", CORPORA / "assistant-terms-v2.md")
    assert json.loads(render_comparison(comparison, "json")) == json.loads(
        json.dumps(comparison_to_json(comparison)))


def test_markdown_summary_lists_findings_with_evidence() -> None:
    comparison = compare(CORPORA / "agent-network-terms-v1.md",
                         CORPORA / "agent-network-terms-v2.md")
    md = render_comparison(comparison, "md")
    assert md.startswith("# What shifted: Moltnest Terms of Service")
    assert "HIGH · against user · Users became solely responsible" in md
    assert ": “YOU ARE SOLELY RESPONSIBLE FOR ALL ACTIONS" in md
    assert "In: Moltnest Terms of Service › 4. Registering Agents" in md  # where it is
    assert "## Changed clauses" in md


def test_first_screen_says_what_shifted(report_files: dict[str, Path]) -> None:
    html = report_files["compare"].read_text(encoding="utf-8")
    summary = html[html.index('id="summary"'):html.index('id="findings"')]
    assert "Users became solely responsible for their AI agents" in summary
    assert "bold and capitals" in summary and "high" in summary and "against user" in summary
    first = html[html.index('<article class="finding'):html.index("</article>")]
    assert '<p class="where">In Moltnest Terms of Service › 4. Registering Agents</p>' in first


def test_check_markdown_groups_controls_by_status_with_evidence() -> None:
    from analyzer.api import check
    from analyzer.report.render import render_check

    result = check(CORPORA / "agent-policy-weak.md")
    md = render_check(result, "md")
    assert md.startswith("# Agent-policy check: ")
    missing = [c for c in result.controls if c.status == "missing"]
    assert f"{len(missing)} missing" in md
    section = md[md.index("## Missing"):]
    for control in missing:
        assert f"### {control.id} · {control.title}" in section
        for clause_id in control.evidence:
            assert f"- {clause_id}: > " in section


def test_strict_policy_in_every_html_report(report_files: dict[str, Path]) -> None:
    for name, path in report_files.items():
        html = path.read_text(encoding="utf-8")
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert policy, name
        assert "unsafe-inline" not in policy.group(1) and "sha256-" in policy.group(1), name


def compare_texts(old: str, new: str) -> Comparison:
    return compare_versions(analyze(old.encode(), name="old.md"),
                            analyze(new.encode(), name="new.md"))


def test_a_renamed_heading_shows_in_the_report() -> None:
    old = ("# Terms\n\n## 4. Limits\n\nWe are not liable for outages.\n\n## 5. Fees\n\n"
           "Fees are due.\n")
    new = ("# Terms\n\n## 4. Limits of Our Liability\n\nWe are not liable for outages.\n\n"
           "## 5. Fees\n\nFees are due.\n")
    comparison = compare_texts(old, new)
    html = render_comparison(comparison, "html")
    assert '(heading was: Terms › 4. Limits)' in html
    md = render_comparison(comparison, "md")
    assert "## Renamed sections" in md and "Terms › 4. Limits → Terms › 4. Limits of Our" in md
    # Renumbering alone is not a rename.
    renumbered = new.replace("## 4.", "## 7.").replace("## 5.", "## 8.")
    assert "heading was" not in render_comparison(compare_texts(new, renumbered), "html")


def test_the_summary_never_calls_unruled_rewording_cosmetic() -> None:
    old = "# Terms\n\nFees are monthly.\n\nInvoices are sent by post each month.\n"
    new = ("# Terms\n\nFees are monthly.\n\nInvoices are sent each month.\n\n"
           "A new paragraph.\n")
    comparison = compare_texts(old, new)
    assert not [f for f in comparison.findings if f.severity != "info"]
    html = render_comparison(comparison, "html")
    assert "2 clauses were added, removed or reworded without matching a shift rule" in html
    assert "the wording is the same" not in html
    md = render_comparison(comparison, "md")
    assert "but 2 clauses were added, removed or reworded" in md
    same = render_comparison(compare_texts(old, old.replace("Fees", "FEES")), "html")
    assert "the wording is the same" in same


def test_every_html_report_says_what_made_it(report_files: dict[str, Path]) -> None:
    from analyzer import __version__
    from analyzer.resources import content_version

    made_by = f"Made by termshift {__version__} · rules and templates {content_version()}"
    for name, path in report_files.items():
        assert made_by in path.read_text(encoding="utf-8"), name


def test_top_findings_with_the_same_title_quote_their_clause() -> None:
    old = "# Terms\n\nYou are responsible for your posts.\n\nFees are monthly.\n"
    new = ("# Terms\n\nYou are responsible for your posts and your AI agents' posts.\n\n"
           "Fees are monthly.\n\nYou are responsible for every payment your bots make.\n")
    comparison = compare_texts(old, new)
    html = render_comparison(comparison, "html")
    summary = html.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert summary.count("A responsibility of the user now covers AI agents") == 2, summary
    assert "your AI agents" in summary and "every payment your bots make" in summary
    # A title that stands alone in the summary gets no quote.
    single = render_comparison(compare_texts(old, new.split("\n\nYou are responsible for every")[0]
                                             + "\n"), "html")
    assert 'class="quote"' not in single.split('id="summary"', 1)[1].split("</section>", 1)[0]


def test_report_json_is_the_standard_librarys_text() -> None:
    """The fast encoder writes what `json.dumps(..., ensure_ascii=False, indent=2)` writes:
    a report's bytes do not depend on which encoder ran."""
    comparison = compare(CORPORA / "agent-network-terms-v1.md",
                         CORPORA / "agent-network-terms-v2.md")
    data = comparison_to_json(comparison)
    assert pretty_json(data) == json.dumps(data, ensure_ascii=False, indent=2)
    odd = {"quote": "“solely” — ü, \u2028 and \x00", "empty": [], "nested": {"none": None},
           "numbers": [0.91, 1.0, -3, 10**3, 12.5e-3], "flags": [True, False]}
    assert pretty_json(odd) == json.dumps(odd, ensure_ascii=False, indent=2)


def test_report_json_takes_what_the_fast_encoder_declines() -> None:
    data = {1: "integer key", "wide": 2**70}
    assert json.loads(pretty_json(data)) == {"1": "integer key", "wide": 2**70}
