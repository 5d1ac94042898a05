"""The HTML reports in a real headless Chromium: no errors, no requests, working controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def open_page(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    return page, errors, requests


def visible(page: Any, selector: str) -> int:
    return int(page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null).length"))


def test_comparison_report_filters_and_toggles(browser: Any, report_files: dict[str, Path],
                                               tmp_path: Path) -> None:
    page, errors, requests = open_page(browser, report_files["compare"])
    assert "solely responsible" in page.inner_text("#summary")
    high = visible(page, ".finding.sev-high")
    assert high > 0
    total = visible(page, "article.finding")
    page.uncheck('input[name="severity"][value="high"]')
    assert visible(page, ".finding.sev-high") == 0
    assert page.inner_text("#findings-shown") == f"{total - high} of {total} shown"
    for sev in ("medium", "low", "info"):
        page.uncheck(f'input[name="severity"][value="{sev}"]')
    assert page.is_visible("#findings-none")
    for sev in ("medium", "low", "info"):
        page.check(f'input[name="severity"][value="{sev}"]')
    assert not page.is_visible("#findings-none")
    page.check('input[name="severity"][value="high"]')
    assert visible(page, ".finding.sev-high") == high
    # A category narrows the document view too, to clauses of that category.
    changed = visible(page, ".change")
    page.check('input[name="category"][value="liability_limitation"]')
    shown = page.eval_on_selector_all(
        ".change", "els => els.filter(e => e.offsetParent !== null)"
                   ".map(e => e.dataset.clauseCategories)")
    assert shown and all("liability_limitation" in c for c in shown) and len(shown) < changed
    page.uncheck('input[name="category"][value="liability_limitation"]')
    assert visible(page, ".change") == changed
    page.check('input[name="kind"][value="added"]')
    assert visible(page, ".change.kind-modified") == 0 and visible(page, ".change.kind-added") > 0
    page.uncheck('input[name="kind"][value="added"]')
    assert visible(page, ".change.kind-unchanged") == 0
    # Sections where nothing changed hide their label with their clauses.
    assert visible(page, ".section-path.quiet") == 0 and visible(page, ".section-path") > 0
    page.check("#toggle-unchanged")
    assert visible(page, ".change.kind-unchanged") > 0
    assert visible(page, ".section-path.quiet") > 0
    assert visible(page, ".side") == 0
    page.check("#toggle-side")
    assert visible(page, ".side") > 0 and visible(page, ".inline") == 0
    shot = tmp_path / "comparison.png"
    page.screenshot(path=str(shot), full_page=False)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert errors == []
    assert requests == [report_files["compare"].as_uri()]


def test_side_by_side_marks_words_in_each_column(browser: Any,
                                                 report_files: dict[str, Path]) -> None:
    page, errors, _ = open_page(browser, report_files["compare"])
    assert visible(page, ".side") == 0
    page.check("#toggle-side")
    modified = ".change.kind-modified .side"
    assert visible(page, modified) > 0
    # Deletions in the old column, insertions in the new one, each column labelled.
    assert page.locator(f"{modified} .col[data-label=Old] ins").count() == 0
    assert page.locator(f"{modified} .col[data-label=New] del").count() == 0
    assert page.locator(f"{modified} .col[data-label=New] ins").count() > 0
    label = page.eval_on_selector(f"{modified} .col[data-label=New]",
                                  "e => getComputedStyle(e, '::before').content")
    assert label == '"New"' and errors == []


def test_evidence_is_printed_as_loudly_as_the_clause(browser: Any,
                                                     report_files: dict[str, Path]) -> None:
    # The sample's first finding: a clause "newly set in bold and capitals".
    page, _, _ = open_page(browser, report_files["compare"])
    first = page.locator("article.finding").first
    assert "bold" in first.locator("h3").inner_text()
    weight = first.locator(".evidence blockquote").nth(1).evaluate(
        "e => getComputedStyle(e).fontWeight")
    assert int(weight) >= 700


def test_timeline_shows_every_finding_with_scripts_on(browser: Any,
                                                      report_files: dict[str, Path]) -> None:
    # The shared filter script once hid every card of the timeline, which has no filter
    # boxes: 0 of 33 visible with JavaScript on.
    page, errors, _ = open_page(browser, report_files["timeline"])
    cards = page.locator("article.finding").count()
    assert cards > 0 and visible(page, "article.finding") == cards
    assert errors == []


def test_hostile_text_does_not_run(browser: Any, report_files: dict[str, Path]) -> None:
    for name in ("hostile-compare.md", "hostile-compare.txt", "hostile-analyze.txt"):
        page, errors, requests = open_page(browser, report_files[name])
        assert page.evaluate("typeof window.__pwned") == "undefined", name
        assert page.eval_on_selector_all("script", "els => els.length") == 1, name
        assert page.eval_on_selector_all("[onerror]", "els => els.length") == 0, name
        assert page.eval_on_selector_all('a[href^="javascript:"]', "els => els.length") == 0
        assert len(requests) == 1, requests
        assert errors == [], errors


def test_analysis_category_filter(browser: Any, report_files: dict[str, Path]) -> None:
    page, errors, _ = open_page(browser, report_files["analyze"])
    total = visible(page, ".doc .clause")
    page.check('input[name="category"][value="arbitration"]')
    shown = visible(page, ".doc .clause")
    assert 0 < shown < total
    assert errors == []


def test_check_report_statuses_and_links(browser: Any, report_files: dict[str, Path]) -> None:
    page, errors, _ = open_page(browser, report_files["check"])
    assert "missing" in page.inner_text("#AUTH-INVOKE h3").lower()
    assert "missing" in page.inner_text("#HITL-EXTERNAL h3").lower()
    for href in page.eval_on_selector_all("#AUTH-INVOKE a", "els => els.map(e => e.hash)"):
        assert page.query_selector(href) is not None
    assert errors == []


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", ["compare", "analyze", "check", "timeline"])
def test_every_report_fits_the_screen_and_shows_its_findings(
        browser: Any, report_files: dict[str, Path], name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report_files[name].as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
    cards = page.locator("article.finding").count()
    assert visible(page, "article.finding") == cards
    assert errors == []
    context.close()
