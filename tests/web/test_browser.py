"""A person in headless Chromium, over a live server on loopback, on both stores: sign in,
upload two versions, compare, read and filter the report, download it; a second workspace
sees nothing of the first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from live_server import LiveServer
from web_support import CORPORA

from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.web.app import create_app
from tests.helpers.browser_support import watched_page


def _sign_in(page: Any, base: str, key: str) -> None:
    page.goto(base + "/")
    assert page.url.endswith("/login")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_review_in_the_browser(browser: Any, settings: Settings, store: Store,
                               tmp_path: Path) -> None:
    key_a, key_b = store.create_key("team-a"), store.create_key("team-b")
    with LiveServer(create_app(settings, store)) as server:
        base = server.url
        context = browser.new_context(accept_downloads=True)
        page, problems = watched_page(context)
        _sign_in(page, base, key_a)
        assert "team-a" in page.inner_text("nav")

        page.set_input_files("input[name=files]", [
            str(CORPORA / "rendered" / "agent-network-terms-v1.pdf"),
            str(CORPORA / "rendered" / "agent-network-terms-v2.docx")])
        page.click("#upload button[type=submit]")
        page.wait_for_selector("#compare-these")
        assert "Uploaded 2 documents." in page.inner_text("main")
        page.click("#compare-these")
        page.wait_for_url(f"{base}/comparisons/*")

        summary = page.inner_text("#summary")
        assert "solely responsible" in summary.lower() and "high" in summary.lower()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)

        high = page.locator(".finding[data-severity=high]").first
        assert high.is_visible()
        page.uncheck("input[name=severity][value=high]")
        assert not high.is_visible()
        page.check("input[name=severity][value=high]")
        assert high.is_visible()
        page.check("#toggle-side")
        assert "side-by-side" in (page.get_attribute("body", "class") or "")
        assert page.locator(".side").first.is_visible()

        with page.expect_download() as caught:
            page.click("nav >> text=JSON")
        saved = tmp_path / "report.json"
        caught.value.save_as(saved)
        report = json.loads(saved.read_text())
        assert any(f["severity"] == "high" for f in report["findings"])
        assert report["old"]["title"] and report["new"]["title"]
        report_url = page.url
        page.screenshot(path=str(tmp_path / "side-by-side.png"), full_page=False)
        assert problems == [], problems
        context.close()

        other = browser.new_context()
        page_b, problems_b = watched_page(other)
        _sign_in(page_b, base, key_b)
        assert "No documents yet" in page_b.inner_text("main")
        response = page_b.goto(report_url)
        assert response is not None and response.status == 404
        assert "Not found" in page_b.inner_text("main")
        page_b.screenshot(path=str(tmp_path / "other-workspace.png"))
        other.close()
        assert [p for p in problems_b if "404" not in p] == []


def test_local_mode_needs_no_sign_in_and_checks_a_policy(browser: Any, settings: Settings,
                                                         store: Store, tmp_path: Path) -> None:
    with LiveServer(create_app(settings, store)) as server:
        context = browser.new_context()
        page, problems = watched_page(context)
        page.goto(server.url + "/")
        # Drag and drop: a file dropped on the upload area fills the form's file input.
        text = (CORPORA / "agent-policy-weak.md").read_text(encoding="utf-8")
        page.evaluate("""([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type: "text/markdown"}));
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                                       cancelable: true}));
        }""", ["agent-policy-weak.md", text])
        assert page.inner_text("[data-filelist]") == "agent-policy-weak.md"
        page.click("#upload button[type=submit]")
        page.wait_for_selector("text=Uploaded 1 document.")
        page.click("text=Check as agent policy")
        page.wait_for_url(f"{server.url}/checks/*")
        assert "missing" in page.inner_text("body")
        page.screenshot(path=str(tmp_path / "check.png"))
        page.goto(server.url + "/")
        asked: list[str] = []

        def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.on("dialog", answer)
        page.click("text=Delete")
        page.wait_for_selector("text=No documents yet")
        assert asked and "agent-policy-weak.md" in asked[0]
        page.goto(server.url + "/docs")  # Swagger UI from the package: nothing from outside
        page.wait_for_selector(".opblock-summary-path")
        assert "/api/v1/comparisons" in page.inner_text(".swagger-ui")
        page.screenshot(path=str(tmp_path / "api-docs.png"))
        assert problems == [], problems
        context.close()


def test_every_page_fits_a_desktop_and_a_phone(browser: Any, settings: Settings,
                                               store: Store) -> None:
    import httpx

    with LiveServer(create_app(settings, store)) as server, httpx.Client(
            base_url=server.url, timeout=60) as http:
        ids = [http.post("/api/v1/documents", files={"file": (name, (CORPORA / name).read_bytes())},
                         data={"name": "Moltnest terms"}).json()["id"]
               for name in ("agent-network-terms-v1.md", "agent-network-terms-v2.md")]
        policy = http.post("/api/v1/documents", files={"file": (
            "agent-policy-weak.md", (CORPORA / "agent-policy-weak.md").read_bytes())}).json()
        comparison = http.post("/api/v1/comparisons", json={"old": ids[0], "new": ids[1]}
                               ).json()["id"]
        check = http.post("/api/v1/checks", json={"document": policy["id"]}).json()["id"]
        pages = ["/", f"/comparisons/{comparison}", f"/checks/{check}",
                 f"/api/v1/documents/{ids[1]}/clauses?format=html"]
        for width in (1366, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page, problems = watched_page(context)
            for path in pages:
                page.goto(server.url + path)
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 1, f"{path} is {overflow}px too wide at {width}px"
                cards = page.locator("article.finding").count()
                shown = page.eval_on_selector_all(
                    "article.finding", "els => els.filter(e => e.offsetParent !== null).length")
                assert shown == cards, f"{path}: {cards - shown} findings hidden at {width}px"
            assert problems == [], problems
            context.close()
