"""A batch in headless Chromium, over a live server on loopback, on both stores: started
from the library, followed on its page until it finishes without a reload, sorted, a pair's
report opened; at desktop and phone widths; and the same with JavaScript off.

The first comparison of each batch is held until the page has been seen running (the real
comparison runs once released), so the page is caught mid-batch whatever the machine's speed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from batch_docs import terms
from live_server import LiveServer

from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.web.app import create_app
from tests.helpers.browser_support import watched_page

WIDTHS = (1366, 390)


class Hold:
    """Holds every comparison the app's batches start until released."""

    def __init__(self, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.gate = threading.Event()
        service = app.state.service
        real = service.compare

        async def held(*args: Any) -> Any:
            await anyio.to_thread.run_sync(self.gate.wait, 60)
            return await real(*args)

        monkeypatch.setattr(service, "compare", held)  # the batch runner calls it per pair
        self.release = self.gate.set


@pytest.fixture
def server(settings: Settings, store: Store) -> Iterator[tuple[LiveServer, Any]]:
    app = create_app(settings, store)
    with LiveServer(app) as live:
        yield live, app


def _upload(server: LiveServer, headers: dict[str, str]) -> None:
    import httpx

    with httpx.Client(base_url=server.url, timeout=60, headers=headers) as http:
        for name, versions in (("Acme terms", 3), ("Beta terms", 2)):
            for v in range(versions):
                response = http.post("/api/v1/documents", files={"file": (
                    f"{name}-v{v}.md", terms(versions, v).encode())},
                    data={"name": name, "version_label": f"v{v}"})
                assert response.status_code == 201, response.text



def _fits(page: Any, what: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 1, f"{what} is {overflow}px too wide at {width}px"


def _column(page: Any, n: int) -> list[str]:
    return list(page.eval_on_selector_all(
        "#batch-table tbody tr", f"rows => rows.map(r => r.cells[{n}].textContent.trim())"))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_batch_from_the_library_follows_itself_to_the_end(
        browser: Any, server: tuple[LiveServer, Any], store: Store, width: int,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live, app = server
    key = store.create_key("analysts")
    _upload(live, {"Authorization": f"Bearer {key}"})
    hold = Hold(app, monkeypatch)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page, problems = watched_page(context)
    try:
        page.goto(live.url + "/")
        page.fill("input[name=key]", key)
        page.click("button[type=submit]")
        page.wait_for_url(live.url + "/")
        _fits(page, "the library", width)
        page.click("#batch-all")
        page.wait_for_url(f"{live.url}/batches/bat_*")
        batch_url = page.url
        page.wait_for_selector("#batch-status[data-state=running]")
        assert page.inner_text("#batch-status-text").startswith("Running: 0 of 3 pairs done")
        assert page.is_visible("#batch-cancel button")
        assert page.get_attribute("#batch-progress", "value") == "0"
        _fits(page, "the running batch page", width)
        page.screenshot(path=str(tmp_path / f"batch-running-{width}.png"), full_page=True)
        page.evaluate("window.__notReloaded = true")
    finally:
        hold.release()
    page.wait_for_selector("#batch-status[data-state=done]", timeout=90_000)
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"
    assert page.url == batch_url
    assert page.inner_text("#batch-status-text").startswith("Finished: 3 of 3 pairs done")
    assert page.get_attribute("#batch-progress", "value") == "3"
    assert not page.is_visible("#batch-cancel")
    assert _column(page, 3) == ["ok", "ok", "ok"]
    assert page.locator("#batch-table tbody a[href^='/comparisons/cmp_']").count() == 3
    _fits(page, "the finished batch page", width)
    page.screenshot(path=str(tmp_path / f"batch-finished-{width}.png"), full_page=True)

    page.click("#batch-table th[data-column=id]")  # sorted in the page, as the CLI summary
    assert _column(page, 0) == sorted(_column(page, 0), key=str.lower)
    page.click("#batch-table th[data-column=id]")
    assert _column(page, 0) == sorted(_column(page, 0), key=str.lower, reverse=True)
    assert page.url.endswith("?sort=id&order=desc") and page.evaluate("window.__notReloaded")

    first = page.locator("#batch-table tbody a").first
    pair = first.inner_text()
    first.click()
    page.wait_for_url(f"{live.url}/comparisons/cmp_*")
    assert "solely responsible" in page.inner_text("#summary").lower(), pair
    page.goto(live.url + "/")
    assert batch_url.removeprefix(live.url) in (page.get_attribute("#batches a", "href") or "")
    page.screenshot(path=str(tmp_path / f"library-{width}.png"), full_page=True)
    page.goto(live.url + "/batches")
    _fits(page, "the list of batches", width)
    assert problems == [], problems
    context.close()


def test_without_javascript_the_page_reloads_itself_and_still_cancels_and_sorts(
        browser: Any, server: tuple[LiveServer, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    live, app = server
    _upload(live, {})  # the local mode: no key, loopback only
    hold = Hold(app, monkeypatch)
    context = browser.new_context(java_script_enabled=False)
    page, problems = watched_page(context)
    try:
        page.goto(live.url + "/")
        page.click("button[value='group:Acme terms']")
        page.wait_for_url(f"{live.url}/batches/bat_*")
        cancelled_url = page.url
        page.wait_for_selector("#batch-status[data-state=running]", timeout=30_000)
        page.click("#batch-cancel button")  # no confirm() without scripts: it posts at once
        page.wait_for_selector("#batch-status[data-state=cancelled]")
        assert "2 not run" in page.inner_text("#batch-status-text")
        assert page.locator("#batch-cancel").count() == 0

        page.goto(live.url + "/")
        page.click("#batch-all")
        page.wait_for_url(f"{live.url}/batches/bat_*")
        batch_url = page.url
        assert batch_url != cancelled_url
    finally:
        hold.release()
    # No script: the page's <noscript> refresh brings the end.
    page.wait_for_selector("#batch-status[data-state=done]", timeout=90_000)
    assert page.inner_text("#batch-status-text").startswith("Finished: 3 of 3 pairs done")
    page.screenshot(path=str(tmp_path / "batch-no-javascript.png"), full_page=True)
    page.click("#batch-table th[data-column=highest] a")  # sorted by the server
    page.wait_for_url(re.compile(r".*/batches/bat_[0-9a-f]+\?sort=highest&order=asc$"))
    order = ["high", "medium", "low", "info", "—"]
    ranks = [order.index(v) for v in _column(page, 4)]
    assert ranks == sorted(ranks)
    page.locator("#batch-table tbody a").first.click()
    page.wait_for_url(f"{live.url}/comparisons/cmp_*")
    assert page.locator("#summary").count() == 1
    assert problems == [], problems
    context.close()
