"""A reviewer triages findings in headless Chromium, over a live server on loopback, on both
stores: marks one reviewed with the mouse, dismisses one with a reason by keyboard alone,
reloads and sees the states and the counts, hides the dismissed, then flags one on a phone-
sized screen. No console error, no horizontal scrolling at 1366 or 390 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from live_server import LiveServer
from web_support import corpus

from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.web.app import create_app
from tests.helpers.browser_support import watched_page

REASON = "Standard clause; the client accepted it in 2024."



def _overflow(page: Any) -> int:
    """How many pixels the page is wider than its window (0: no horizontal scrolling)."""
    width: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth")
    return width


def _summary(page: Any) -> str:
    text: str = page.inner_text("#triage-summary")
    return text


def _wait_summary(page: Any, text: str) -> None:
    page.wait_for_function("t => document.getElementById('triage-summary').textContent === t",
                           arg=text, timeout=15000)


def _compare(context: Any, base: str) -> tuple[str, int]:
    ids = []
    for name in ("agent-network-terms-v1.md", "agent-network-terms-v2.md"):
        made = context.request.post(base + "/api/v1/documents", multipart={
            "file": {"name": name, "mimeType": "text/markdown", "buffer": corpus(name)}})
        assert made.status == 201, made.text()
        ids.append(made.json()["id"])
    compared = context.request.post(base + "/api/v1/comparisons",
                                    data={"old": ids[0], "new": ids[1]})
    assert compared.status == 201, compared.text()
    body = compared.json()
    return body["id"], len(body["findings"])


def test_triage_in_the_browser(browser: Any, settings: Settings, store: Store,
                               tmp_path: Path) -> None:
    with LiveServer(create_app(settings, store)) as server:
        base = server.url
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page, problems = watched_page(context)
        cid, total = _compare(context, base)
        page.goto(f"{base}/comparisons/{cid}")
        assert _summary(page) == f"0 of {total} reviewed, 0 dismissed, 0 flagged"
        assert _overflow(page) <= 0

        first, second, third = (page.locator("article.finding").nth(n) for n in range(3))
        first.get_by_role("button", name="Mark reviewed").click()
        _wait_summary(page, f"1 of {total} reviewed, 0 dismissed, 0 flagged")
        assert first.locator(".triage").get_attribute("data-state") == "reviewed"
        assert "by local" in first.locator(".triage-status").inner_text()
        assert first.get_by_role("button", name="Mark reviewed").get_attribute(
            "aria-pressed") == "true"

        # By keyboard alone: Dismiss without a reason is refused and the reason field gets
        # the focus; type it, go back to Dismiss and press Enter.
        second.get_by_role("button", name="Dismiss").focus()
        page.keyboard.press("Enter")
        assert "reason" in second.locator(".triage-message").inner_text().lower()
        assert page.evaluate("document.activeElement.name") == "reason"
        page.keyboard.type(REASON)
        page.keyboard.press("Shift+Tab")  # back to the note
        page.keyboard.type("Checked against the 2024 letter.")
        for _ in range(4):  # note -> reason -> Mark reviewed -> Flag -> Dismiss
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Dismiss"
        page.keyboard.press("Enter")
        _wait_summary(page, f"1 of {total} reviewed, 1 dismissed, 0 flagged")
        assert second.locator(".triage-message").inner_text() == "Saved."
        page.screenshot(path=str(tmp_path / "triage-1366.png"), full_page=False)

        page.reload()
        assert _summary(page) == f"1 of {total} reviewed, 1 dismissed, 0 flagged"
        assert first.locator(".triage").get_attribute("data-state") == "reviewed"
        assert second.locator(".triage").get_attribute("data-state") == "dismissed"
        status = second.locator(".triage-status").inner_text()
        assert REASON in status and "Checked against the 2024 letter." in status
        assert second.locator("input[name=reason]").input_value() == REASON
        assert second.get_by_role("button", name="Dismiss").get_attribute(
            "aria-pressed") == "true"
        page.check("#hide-dismissed")
        assert not second.is_visible() and first.is_visible()
        assert page.inner_text("#findings-shown") == f"{total - 1} of {total} shown"
        page.uncheck("#hide-dismissed")
        assert second.is_visible()
        assert _overflow(page) <= 0

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert _overflow(page) <= 0
        third.scroll_into_view_if_needed()
        third.get_by_role("button", name="Flag").click()
        _wait_summary(page, f"1 of {total} reviewed, 1 dismissed, 1 flagged")
        assert _overflow(page) <= 0
        third.locator(".triage").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "triage-390.png"))
        page.reload()
        assert _summary(page) == f"1 of {total} reviewed, 1 dismissed, 1 flagged"
        assert third.locator(".triage").get_attribute("data-state") == "flagged"
        assert _overflow(page) <= 0
        page.screenshot(path=str(tmp_path / "triage-390-page.png"), full_page=True)
        assert problems == [], problems
        context.close()
